/**
 * The workflow corpus (test/fixtures/workflows/corpus): realistic workflows of our own making, one or more per rule,
 * with look-alikes that must stay quiet. Each expected finding is written next to the line it must point at, as a
 * trailing comment `# expect: <rule> <severity>` (several separated by `;`). The built CLI scans the checkout together
 * with an AWS export (a role trusting the repository's production environment); every workflow finding with a file
 * location must be expected and every expected one found, with its severity in JSON and its level and region in SARIF.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nhi, repoRoot, STACK_LINE } from './run.js';

const CORPUS = path.join(repoRoot, 'test', 'fixtures', 'workflows', 'corpus');
const WORKFLOWS = path.join(CORPUS, 'repo', '.github', 'workflows');
const LEVEL: Record<string, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

interface Expected {
  uri: string;
  line: number;
  rule: string;
  severity: string;
}

/** The `# expect:` annotations of every corpus file. */
function annotations(): Expected[] {
  const out: Expected[] = [];
  for (const file of readdirSync(WORKFLOWS).sort()) {
    readFileSync(path.join(WORKFLOWS, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const m = /#.*?\bexpect:\s*(.+)$/.exec(text);
        if (!m) return;
        for (const part of m[1].split(';')) {
          const [rule, severity] = part.trim().split(/\s+/);
          out.push({ uri: `.github/workflows/${file}`, line: i + 1, rule, severity });
        }
      });
  }
  return out;
}

const key = (e: Expected) => `${e.uri}:${e.line} ${e.rule} ${e.severity}`;

describe('the workflow corpus: every finding expected, every expectation found (built CLI, JSON and SARIF)', () => {
  let dir: string;
  let findings: Array<{ ruleId: string; severity: string; location?: { uri: string; startLine: number } }>;
  let results: Array<{ ruleId: string; level: string; locations?: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }>;
  let sarif: unknown;
  const args = ['scan', '--connector', 'workflows,aws', '--path', path.join(CORPUS, 'repo'), '--repo', 'acme/corpus', '--from-file', path.join(CORPUS, 'aws', 'authz.json'), '--no-store', '--no-config'];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-corpus-'));
    const j = await nhi([...args, '-f', 'json', '-o', path.join(dir, 'r.json')]);
    expect(j.stderr).not.toMatch(STACK_LINE);
    expect(j.code).toBe(0);
    findings = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')).findings;
    const s = await nhi([...args, '-f', 'sarif', '-o', path.join(dir, 'r.sarif')]);
    expect(s.code).toBe(0);
    sarif = JSON.parse(readFileSync(path.join(dir, 'r.sarif'), 'utf8'));
    results = (sarif as { runs: Array<{ results: typeof results }> }).runs[0].results;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the corpus has expectations for the workflow rules, and look-alike files with none', () => {
    const rules = new Set(annotations().map((e) => e.rule));
    for (const r of ['workflow-token-write-all', 'long-lived-cloud-credential-in-ci', 'secrets-inherit', 'all-secrets-exposed', 'oidc-token-broad', 'ai-agent-untrusted-input', 'workflow-federation-to-admin', 'untrusted-trigger-secrets', 'secret-to-unpinned-action', 'publish-token-not-trusted-publishing']) expect(rules, r).toContain(r);
    const annotated = new Set(annotations().map((e) => e.uri));
    expect(readdirSync(WORKFLOWS).filter((f) => !annotated.has(`.github/workflows/${f}`)).length).toBeGreaterThan(0);
  });

  it('JSON: the findings located in the workflow files are exactly the expected ones, with their severities', () => {
    const got = findings
      .filter((f) => f.location?.uri.startsWith('.github/workflows/'))
      .map((f) => key({ uri: f.location!.uri, line: f.location!.startLine, rule: f.ruleId, severity: f.severity }))
      .sort();
    expect(got).toEqual(annotations().map(key).sort());
  });

  it('SARIF: each expected finding is a result at its file and line, at the level of its severity; the log validates', () => {
    for (const e of annotations()) {
      const hit = results.find((r) => r.ruleId === e.rule && r.locations?.some((l) => l.physicalLocation.artifactLocation.uri === e.uri && l.physicalLocation.region.startLine === e.line));
      expect(hit, key(e)).toBeDefined();
      expect(hit!.level, key(e)).toBe(LEVEL[e.severity]);
    }
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
    const validate = new AjvDraft04.default({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });
});
