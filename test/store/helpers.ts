/** Small scans with real targets, for the store and drift tests (no connector needed). */
import { IdentityGraph } from '../../src/graph/graph.js';
import type { ConnectorRun, ScanResult } from '../../src/model/result.js';
import type { CoverageNote, Finding, GraphRecord, ScanTarget } from '../../src/model/types.js';

export const observedAt = '2026-11-01T06:00:00.000Z';

export function account(id: string): ScanTarget {
  return { id: `aws:account:${id}`, platform: 'aws', kind: 'account', name: id };
}

/** An AWS account with one user `ci` holding one key, plus a group (which is not an identity). */
export function awsRecords(accountId: string, extraUsers: string[] = []): GraphRecord[] {
  const prov = [{ connector: 'aws', source: 'file:authz.json', observedAt }];
  const user = (name: string): GraphRecord => ({
    type: 'node',
    node: { id: `aws:iam-user:arn:aws:iam::${accountId}:user/${name}`, kind: 'principal', platform: 'aws', type: 'iam-user', name, accountType: 'service', scope: accountId, provenance: prov },
  });
  return [
    user('ci'),
    ...extraUsers.map(user),
    { type: 'node', node: { id: `aws:iam-group:arn:aws:iam::${accountId}:group/devs`, kind: 'principal', platform: 'aws', type: 'iam-group', name: 'devs', accountType: 'unknown', scope: accountId, provenance: prov } },
    { type: 'node', node: { id: `aws:access-key:AKIA${accountId}`, kind: 'credential', platform: 'aws', type: 'access-key', name: `AKIA${accountId}`, credentialType: 'access-key', active: true, createdAt: '2024-01-01T00:00:00.000Z', lastUsedAt: null, scope: accountId, provenance: prov } },
    { type: 'edge', edge: { type: 'HAS_CREDENTIAL', from: `aws:iam-user:arn:aws:iam::${accountId}:user/ci`, to: `aws:access-key:AKIA${accountId}`, provenance: prov } },
  ];
}

export function keyFinding(accountId: string, over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'credential-unused',
    severity: 'medium',
    confidence: 'high',
    nodeId: `aws:access-key:AKIA${accountId}`,
    message: `access key AKIA${accountId} of ci was never used`,
    evidence: [{ description: 'lastUsedAt is null' }],
    fingerprint: `fp-${accountId}`,
    ...over,
  };
}

export function run(id: string, targets: ScanTarget[], over: Partial<ConnectorRun> = {}): ConnectorRun {
  // the label is the same for every account on purpose: drift must never match snapshots by it
  return { id, title: id, status: 'complete', apiCalls: 0, callsByOperation: {}, records: 1, durationMs: 1, target: 'default credentials', targets, ...over };
}

/** A scan of one AWS account (or of nothing identifiable when `targets` is empty). */
export function scanOf(
  accountId: string,
  opts: { targets?: ScanTarget[]; records?: GraphRecord[]; findings?: Finding[]; coverage?: CoverageNote[]; startedAt?: string } = {},
): ScanResult & { suppressed: Finding[] } {
  const coverage = opts.coverage ?? [];
  const records = [...(opts.records ?? awsRecords(accountId)), ...coverage.map((c): GraphRecord => ({ type: 'coverage', coverage: c }))];
  return {
    tool: { name: 'nhi-drift', version: '0.0.0-test' },
    startedAt: opts.startedAt ?? '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:00:05.000Z',
    asOf: observedAt,
    connectors: [run('aws', opts.targets ?? [account(accountId)])],
    incomplete: coverage.some((c) => c.incomplete),
    graph: IdentityGraph.from(records),
    findings: opts.findings ?? [keyFinding(accountId)],
    coverage,
    rules: [],
    suppressed: [],
  };
}
