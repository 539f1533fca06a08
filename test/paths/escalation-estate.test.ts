/**
 * The escalation analysis on the labelled estate (test/fixtures/escalation): every principal labelled as escalating
 * gets a privilege-escalation finding (or is covered by the finding on its group), every decoy, ordinary identity and
 * admin gets none, and the path ends where the label says.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapAws } from '../../connectors/aws/map.js';
import { offlineSources, readAuthzFile, readCredentialReportFile } from '../../connectors/aws/offline.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { graphAnalysis } from '../../src/paths/index.js';
import { rule } from '../../src/rules/privilege-escalation.js';
import { runRules } from '../../src/rules/runner.js';
import { repoRoot } from '../e2e/run.js';

interface Label {
  kind: string;
  category: string;
  escalates: boolean;
  admin?: boolean;
  methods?: string[];
  reaches?: string[] | "any";
  why?: string;
}

const dir = path.join(repoRoot, 'test', 'fixtures', 'escalation');
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { asOf: string; account: string; adminSink: string; principals: Record<string, Label> };
const files = { fromFile: path.join(dir, 'authz.json'), credentialReport: path.join(dir, 'credential-report.csv') };
const now = new Date(expected.asOf);
const graph = IdentityGraph.from(
  mapAws({ authz: readAuthzFile(files.fromFile), credentialReport: readCredentialReportFile(files.credentialReport).rows }, { now, sources: offlineSources(files) }),
);
const idOf = new Map([...graph.nodes.values()].filter((n) => n.externalId).map((n) => [n.externalId!, n.id]));
const findings = runRules(graph, [rule], { now });
const flagged = new Map(findings.map((f) => [f.nodeId, f]));
const { paths } = graphAnalysis(graph, now);

/** a member whose escalation the rule reports on its group instead */
function coveredByGroup(id: string): boolean {
  return graph.out(id, 'MEMBER_OF').some((e) => flagged.has(e.to)) && !flagged.has(id);
}

const entries = Object.entries(expected.principals);

describe('escalation estate: precision and recall of privilege-escalation', () => {
  it('has labels for escalation cases, decoys, ordinary identities and admins', () => {
    const cats = new Set(entries.map(([, l]) => l.category));
    for (const c of ['escalation', 'decoy', 'ordinary', 'admin']) expect(cats.has(c), c).toBe(true);
    expect(entries.filter(([, l]) => l.escalates).length).toBeGreaterThan(60);
  });

  it.each(entries.filter(([, l]) => l.escalates))('escalates: %s', (arn, label) => {
    const id = idOf.get(arn)!;
    expect(flagged.has(id) || coveredByGroup(id), `${arn} (${label.methods?.join(', ')})`).toBe(true);
    const p = paths.pathToAdmin(id)!;
    expect(p).toBeDefined();
    // the path reaches one of the admins the label names (an admin identity, or the account's admin sink)
    const ends = (Array.isArray(label.reaches) ? label.reaches : []).map((r) => (r === expected.adminSink ? r : idOf.get(r) ?? r));
    if (ends.length) expect(ends.some((e) => p.hops.some((h) => h.to === e)), `${arn} reaches ${ends.join(' or ')}; path ends ${p.end}`).toBe(true);
  });

  it.each(entries.filter(([, l]) => !l.escalates))('does not escalate: %s', (arn, label) => {
    const id = idOf.get(arn)!;
    expect(flagged.get(id)?.message, `${arn}: ${label.why ?? label.category}`).toBeUndefined();
  });

  it('every finding carries a path whose hops name methods and, for policy-granted hops, statements', () => {
    for (const f of findings) {
      const hops = f.evidence.filter((e) => e.data?.method);
      expect(hops.length).toBeGreaterThan(0);
      for (const h of hops) {
        const statements = h.data!.statements as unknown[];
        if (h.data!.method !== 'aws-assume-role') expect(statements.length, f.message).toBeGreaterThan(0);
      }
    }
  });
});
