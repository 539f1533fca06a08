/**
 * The labelled escalation estate (test/fixtures/escalation): the files load through the offline AWS connector without
 * a single skipped record, every label names a principal that exists (and every principal has a label), and the facts
 * each label rests on (a target without a password, a role trusting the right service, an instance profile) are in
 * the data. So the labels cannot rot when the generator or the mapping changes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mapAws } from '../../connectors/aws/map.js';
import { offlineSources, readAuthzFile, readCredentialReportFile } from '../../connectors/aws/offline.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord, PrincipalNode } from '../../src/model/types.js';
import { nhi } from '../e2e/run.js';
// the generator is plain JavaScript (runnable with node); its build() returns the three files as text
import { build } from '../fixtures/escalation/generate.mjs';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'escalation');
const AUTHZ = path.join(dir, 'authz.json');
const REPORT = path.join(dir, 'credential-report.csv');

interface Label {
  kind: 'user' | 'role' | 'group' | 'root';
  category: 'escalation' | 'hard-case' | 'conditional' | 'decoy' | 'ordinary' | 'admin';
  case?: string;
  escalates: boolean;
  admin?: boolean;
  decision?: 'conditional';
  unknownKeys?: string[];
  methods?: string[];
  reaches?: string[] | 'any';
  hops?: number;
  dependsOn?: string;
  why?: string;
  note?: string;
}
interface Expected {
  account: string;
  asOf: string;
  adminSink: string;
  methods: Record<string, string>;
  principals: Record<string, Label>;
}

const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
const entries = Object.entries(expected.principals);

function load(): { records: GraphRecord[]; graph: IdentityGraph; reportNotes: unknown[] } {
  const sources = offlineSources({ fromFile: AUTHZ, credentialReport: REPORT });
  const report = readCredentialReportFile(REPORT);
  const records = mapAws({ authz: readAuthzFile(AUTHZ), credentialReport: report.rows }, { now: new Date(expected.asOf), sources });
  return { records, graph: IdentityGraph.from(records), reportNotes: report.notes };
}
const { records, graph, reportNotes } = load();

/** the graph id of a labelled ARN (docs/model.md) */
function nodeId(arn: string, kind: Label['kind']): string {
  return kind === 'root' ? `aws:root:${expected.account}` : `aws:iam-${kind}:${arn}`;
}
/** the graph id of a `reaches` entry: the admin sink, or an ARN of a user, role or group */
function reachId(entry: string): string {
  if (entry === expected.adminSink) return entry;
  const kind = /:(user|role|group)\//.exec(entry)?.[1] as Label['kind'] | undefined;
  if (!kind) throw new Error(`reaches entry is neither the admin sink nor a user, role or group ARN: ${entry}`);
  return nodeId(entry, kind);
}
const labelOf = (entry: string) => expected.principals[entry];

describe('escalation fixture: files', () => {
  it('are exactly what generate.mjs writes (edit the generator, then run it)', () => {
    const files = build() as Record<string, string>;
    for (const [name, text] of Object.entries(files)) expect(readFileSync(path.join(dir, name), 'utf8'), name).toBe(text);
  });

  it('load through the offline connector without a coverage note: no record skipped, no report row cut', () => {
    expect(reportNotes).toEqual([]);
    expect(records.filter((r) => r.type === 'coverage')).toEqual([]);
    expect(graph.node(`aws:account:${expected.account}`)?.attributes?.inScan).toBe(true);
  });

  it('keep some policy documents URL-encoded, as the IAM API returns them, and decode all of them', () => {
    const raw = readFileSync(AUTHZ, 'utf8');
    expect(raw).toMatch(/"AssumeRolePolicyDocument": "%7B%22Version%22/);
    expect(raw).toMatch(/"PolicyDocument": "%7B%22Version%22/);
    expect(raw).toMatch(/"Document": "%7B%22Version%22/);
    for (const r of records) {
      if (r.type !== 'node' || r.node.kind !== 'entitlement') continue;
      if (r.node.attributes?.arn && !(r.node.attributes.arn as string).includes(`:${expected.account}:`) && r.node.document === undefined) continue;
      expect(r.node.document, r.node.id).toMatchObject({ Version: '2012-10-17' });
    }
  });
});

describe('escalation fixture: labels', () => {
  const principals = [...graph.principals()].filter((p): p is PrincipalNode => ['iam-user', 'iam-role', 'iam-group', 'root'].includes(p.type) && p.scope === expected.account);

  it('name principals that exist, one label per user, role, group and the root user', () => {
    const labelled = new Set(entries.map(([arn, l]) => nodeId(arn, l.kind)));
    for (const id of labelled) expect(graph.node(id), id).toBeDefined();
    expect(new Set(principals.map((p) => p.id))).toEqual(labelled);
  });

  it('cover every iam-vulnerable case, the hard cases and the decoys the issue names', () => {
    const cases = new Set(entries.filter(([, l]) => l.escalates).map(([, l]) => l.case));
    for (let i = 1; i <= 21; i++) expect(cases, `privesc${i}`).toContain(`privesc${i}`);
    for (const c of ['privesc-cfn-update', 'privesc-codebuild', 'privesc-sagemaker', 'privesc-ecs', 'privesc-ec2', 'privesc-ssm', 'privesc-assume-role-chain', 'group-codebuild', 'fn1', 'fn2', 'fn3', 'fn4']) expect(cases, c).toContain(c);
    const decoys = new Set(entries.filter(([, l]) => l.category === 'decoy').map(([, l]) => l.case));
    for (const c of ['fp1', 'fp2', 'fp3', 'fp4', 'fp5', 'boundary-removes-method', 'passrole-harmless-role', 'create-key-self', 'attach-policy-arn-condition', 'passrole-passed-to-service']) expect(decoys, c).toContain(c);
    const methods = new Set(entries.flatMap(([, l]) => l.methods ?? []));
    expect(methods).toEqual(new Set(Object.keys(expected.methods)));
    // a group that lets any member escalate, and chains of 2 and 3 hops
    expect(entries.some(([, l]) => l.kind === 'group' && l.escalates)).toBe(true);
    expect(new Set(entries.filter(([, l]) => l.case === 'privesc-assume-role-chain').map(([, l]) => l.hops))).toEqual(new Set([1, 2, 3]));
  });

  it('match the totals the README gives', () => {
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const n = (f: (l: Label) => boolean) => entries.filter(([, l]) => f(l)).length;
    const line = `Totals: ${n((l) => l.escalates)} principals that escalate (${n((l) => l.category === 'escalation')} \`escalation\`, ${n((l) => l.category === 'hard-case')} \`hard-case\`, ${n((l) => l.category === 'conditional')} \`conditional\`), ${n((l) => l.category === 'decoy')} decoys, ${n((l) => l.category === 'ordinary')} ordinary identities and ${n((l) => l.category === 'admin')} admins (${entries.length} labels).`;
    expect(readme).toContain(line);
  });

  it.each(entries)('%s: a well-formed label', (arn, l) => {
    if (l.escalates) {
      expect(l.admin).toBeUndefined();
      expect(l.why).toBeUndefined();
      expect(l.methods?.length).toBeGreaterThan(0);
      for (const m of l.methods!) expect(expected.methods, m).toHaveProperty(m);
      expect(l.hops).toBeGreaterThanOrEqual(1);
      if (l.reaches !== 'any') {
        expect(l.reaches?.length).toBeGreaterThan(0);
        // every end is the admin sink or an identity labelled admin that exists
        for (const r of l.reaches!) {
          if (r === expected.adminSink) continue;
          expect(labelOf(r)?.admin, `${arn} reaches ${r}`).toBe(true);
          expect(graph.node(reachId(r)), r).toBeDefined();
        }
      }
      expect(l.category === 'conditional').toBe(l.decision === 'conditional');
      if (l.decision) expect(l.unknownKeys?.length).toBeGreaterThan(0);
    } else {
      expect(l.why?.length).toBeGreaterThan(10);
      expect(l.methods).toBeUndefined();
      expect(l.reaches).toBeUndefined();
      expect(['admin', 'ordinary', 'decoy']).toContain(l.category);
      expect(l.admin === true).toBe(l.category === 'admin');
    }
  });
});

/** The service a pass-role or running-code method hands the role to (docs of each service). */
const METHOD_SERVICES: Record<string, { services: string[]; instanceProfile?: boolean }> = {
  'aws-passrole-ec2-run-instances': { services: ['ec2.amazonaws.com'], instanceProfile: true },
  'aws-ec2-instance-connect': { services: ['ec2.amazonaws.com'], instanceProfile: true },
  'aws-ssm-send-command': { services: ['ec2.amazonaws.com'], instanceProfile: true },
  'aws-ssm-start-session': { services: ['ec2.amazonaws.com'], instanceProfile: true },
  'aws-passrole-lambda-invoke': { services: ['lambda.amazonaws.com'] },
  'aws-passrole-lambda-event-source': { services: ['lambda.amazonaws.com'] },
  'aws-lambda-update-function-code': { services: ['lambda.amazonaws.com'] },
  'aws-passrole-glue-dev-endpoint': { services: ['glue.amazonaws.com'] },
  'aws-glue-update-dev-endpoint': { services: ['glue.amazonaws.com'] },
  'aws-passrole-cloudformation-create-stack': { services: ['cloudformation.amazonaws.com'] },
  'aws-cloudformation-update-stack': { services: ['cloudformation.amazonaws.com'] },
  'aws-passrole-datapipeline': { services: ['datapipeline.amazonaws.com', 'ec2.amazonaws.com'] },
  'aws-passrole-codebuild': { services: ['codebuild.amazonaws.com'] },
  'aws-passrole-sagemaker-notebook': { services: ['sagemaker.amazonaws.com'] },
  'aws-passrole-sagemaker-training-job': { services: ['sagemaker.amazonaws.com'] },
  'aws-passrole-sagemaker-processing-job': { services: ['sagemaker.amazonaws.com'] },
  'aws-sagemaker-presigned-notebook-url': { services: ['sagemaker.amazonaws.com'] },
  'aws-passrole-ecs-task': { services: ['ecs-tasks.amazonaws.com'] },
};

function trustedServices(roleId: string): string[] {
  return graph
    .in(roleId, 'CAN_ASSUME')
    .filter((e) => e.from.startsWith('aws:service-principal:'))
    .map((e) => e.from.slice('aws:service-principal:'.length));
}
function activeKeys(userId: string): number {
  return graph.out(userId, 'HAS_CREDENTIAL').filter((e) => {
    const c = graph.node(e.to);
    return c?.kind === 'credential' && c.credentialType === 'access-key' && c.active;
  }).length;
}

describe('escalation fixture: the facts behind each single-method label are in the data', () => {
  const single = entries.filter(([, l]) => l.escalates && l.methods?.length === 1 && Array.isArray(l.reaches));

  it.each(single.filter(([, l]) => METHOD_SERVICES[l.methods![0]]))('%s: each role it reaches trusts the service the method hands it to', (_arn, l) => {
    const m = METHOD_SERVICES[l.methods![0]];
    for (const r of l.reaches as string[]) {
      const id = reachId(r);
      expect(trustedServices(id).some((s) => m.services.includes(s)), `${r} trusts ${m.services.join(' or ')}`).toBe(true);
      if (m.instanceProfile && trustedServices(id).every((s) => s === 'ec2.amazonaws.com')) expect(graph.node(id)?.attributes?.instanceProfiles, `${r} has an instance profile`).toBeTruthy();
    }
  });

  it.each([
    ['aws-iam-create-login-profile', false],
    ['aws-iam-update-login-profile', true],
  ] as const)('%s: the users it reaches have a console password: %s', (method, password) => {
    const targets = new Set(single.filter(([, l]) => l.methods![0] === method).flatMap(([, l]) => l.reaches as string[]));
    expect(targets.size).toBeGreaterThan(0);
    for (const t of targets) expect(graph.node(reachId(t))?.attributes?.passwordEnabled ?? false, t).toBe(password);
  });

  it('aws-iam-create-access-key: the admin users it reaches hold fewer than two active keys (IAM allows two)', () => {
    const targets = new Set(entries.filter(([, l]) => l.methods?.[0] === 'aws-iam-create-access-key' && l.hops === 1 && Array.isArray(l.reaches)).flatMap(([, l]) => l.reaches as string[]));
    expect(targets.size).toBeGreaterThan(0);
    for (const t of targets) expect(activeKeys(reachId(t)), t).toBeLessThan(2);
  });

  it('the look-alike decoys rest on their facts: no instance profile, a password already there, none to update', () => {
    const byName = (name: string) => [...graph.principals()].find((p) => p.name === name)!;
    expect(byName('ec2-admin-noprofile-role').attributes?.instanceProfiles).toBeUndefined();
    expect(byName('bob-admin').attributes?.passwordEnabled).toBe(true);
    expect(byName('svc-admin-automation').attributes?.passwordEnabled).toBe(false);
    // the decoys' groups and boundaries are attached
    expect(graph.out(byName('fp3-group-deny-user').id, 'MEMBER_OF').map((e) => e.to)).toEqual([`aws:iam-group:arn:aws:iam::${expected.account}:group/deny-escalation`]);
    expect(graph.out(byName('dev-gary').id, 'GRANTED').some((e) => e.attributes?.via === 'boundary')).toBe(true);
    expect(graph.out(byName('fp-boundary-passrole-role').id, 'GRANTED').some((e) => e.attributes?.via === 'boundary')).toBe(true);
  });
});

describe('escalation fixture: through the CLI', () => {
  it('nhi scan --from-file ... exits 0 or 1 with no note about an unreadable record', async () => {
    const r = await nhi(['scan', '--from-file', AUTHZ, '--credential-report', REPORT, '--no-store', '-f', 'json', '--as-of', expected.asOf]);
    expect([0, 1], r.stderr).toContain(r.code);
    const report = JSON.parse(r.stdout) as { coverage: Array<{ source: string; message: string }>; summary: { identities: number } };
    // the only note: no last-accessed file was given
    expect(report.coverage.filter((c) => c.source !== 'file:last-accessed')).toEqual([]);
    expect(report.summary.identities).toBeGreaterThan(150);
  });
});
