/**
 * A tiny hand-made estate and scan result for the renderer tests. Built fresh on every call so two renders of
 * "equal input" really get two separate objects.
 */
import { z } from 'zod';
import { IdentityGraph } from '../../src/graph/graph.js';
import { deriveOwnership } from '../../src/graph/derive.js';
import type { ScanResult } from '../../src/model/result.js';
import type { CoverageNote, Finding, GraphRecord, Provenance, Severity } from '../../src/model/types.js';
import { fingerprint } from '../../src/rules/runner.js';
import type { RuleMeta } from '../../src/rules/types.js';

export const ACCT = '123456789012';
/** Planted in node attributes and policy documents: no renderer may ever print it. */
export const CANARY = 'ATTRIBUTE-CANARY-7f3a';
export const DOC_CANARY = 'POLICY-DOC-CANARY-91c2';

const observedAt = '2026-03-01T06:00:00.000Z';
const prov: Provenance[] = [{ connector: 'aws', source: 'iam:GetAccountAuthorizationDetails', observedAt }];

export const IDS = {
  account: `aws:account:${ACCT}`,
  ciBot: `aws:iam-user:arn:aws:iam::${ACCT}:user/ci-bot`,
  alice: `aws:iam-user:arn:aws:iam::${ACCT}:user/alice`,
  key1: 'aws:access-key:AKIAIOSFODNN7EXAMPLE',
  key2: 'aws:access-key:AKIAI44QH8DHBEXAMPLE',
  password: `aws:password:arn:aws:iam::${ACCT}:user/alice`,
  gha: `aws:iam-role:arn:aws:iam::${ACCT}:role/gha-deploy`,
  admin: `aws:iam-role:arn:aws:iam::${ACCT}:role/admin-role`,
  oidc: `aws:oidc-provider:arn:aws:iam::${ACCT}:oidc-provider/token.actions.githubusercontent.com`,
  group: `aws:iam-group:arn:aws:iam::${ACCT}:group/developers`,
  adminPolicy: 'aws:managed-policy:arn:aws:iam::aws:policy/AdministratorAccess',
  worker: (i: number) => `aws:iam-role:arn:aws:iam::${ACCT}:role/worker-${i}`,
};

export const WORKERS = 8;

function graph(): IdentityGraph {
  const arn = (id: string) => id.replace(/^aws:[a-z-]+:/, '');
  const records: GraphRecord[] = [
    { type: 'node', node: { id: IDS.account, kind: 'resource', platform: 'aws', type: 'account', name: ACCT, provenance: prov } },
    {
      type: 'node',
      node: {
        id: IDS.ciBot,
        kind: 'principal',
        platform: 'aws',
        type: 'iam-user',
        name: 'ci-bot',
        externalId: arn(IDS.ciBot),
        scope: ACCT,
        accountType: 'service',
        createdAt: '2019-12-18T19:10:08.000Z',
        tags: { Owner: 'platform-team' },
        attributes: { canary: CANARY, path: '/' },
        provenance: prov,
      },
    },
    {
      type: 'node',
      node: {
        id: IDS.alice,
        kind: 'principal',
        platform: 'aws',
        type: 'iam-user',
        name: 'alice',
        externalId: arn(IDS.alice),
        scope: ACCT,
        accountType: 'human',
        createdAt: '2021-02-03T10:00:00.000Z',
        provenance: prov,
      },
    },
    {
      type: 'node',
      node: {
        id: IDS.key1,
        kind: 'credential',
        platform: 'aws',
        type: 'access-key',
        credentialType: 'access-key',
        name: 'AKIAIOSFODNN7EXAMPLE',
        scope: ACCT,
        createdAt: '2019-12-18T19:10:08.000Z',
        lastRotatedAt: '2019-12-18T19:10:08.000Z',
        lastUsedAt: null,
        active: true,
        attributes: { canary: CANARY, slot: 1 },
        provenance: prov,
      },
    },
    {
      type: 'node',
      node: {
        id: IDS.key2,
        kind: 'credential',
        platform: 'aws',
        type: 'access-key',
        credentialType: 'access-key',
        name: 'AKIAI44QH8DHBEXAMPLE',
        scope: ACCT,
        createdAt: '2025-11-02T08:00:00.000Z',
        lastRotatedAt: '2025-11-02T08:00:00.000Z',
        lastUsedAt: '2026-02-27T12:00:00.000Z',
        active: false,
        provenance: prov,
      },
    },
    {
      type: 'node',
      node: {
        id: IDS.password,
        kind: 'credential',
        platform: 'aws',
        type: 'password',
        credentialType: 'password',
        name: 'alice console password',
        scope: ACCT,
        active: true,
        provenance: prov,
      },
    },
    {
      type: 'node',
      node: {
        id: IDS.gha,
        kind: 'principal',
        platform: 'aws',
        type: 'iam-role',
        name: 'gha-deploy',
        externalId: arn(IDS.gha),
        scope: ACCT,
        accountType: 'service',
        createdAt: '2023-04-05T00:00:00.000Z',
        attributes: { canary: CANARY, trustPolicy: { Version: '2012-10-17', Statement: [{ Sid: DOC_CANARY, Effect: 'Allow' }] } },
        provenance: prov,
      },
    },
    {
      type: 'node',
      node: {
        id: IDS.admin,
        kind: 'principal',
        platform: 'aws',
        type: 'iam-role',
        name: 'admin-role',
        externalId: arn(IDS.admin),
        scope: ACCT,
        accountType: 'service',
        tags: { team: 'security' },
        provenance: prov,
      },
    },
    {
      type: 'node',
      node: {
        id: IDS.oidc,
        kind: 'principal',
        platform: 'aws',
        type: 'oidc-provider',
        name: 'token.actions.githubusercontent.com',
        externalId: arn(IDS.oidc),
        scope: ACCT,
        accountType: 'system',
        provenance: prov,
      },
    },
    {
      type: 'node',
      node: {
        id: IDS.group,
        kind: 'principal',
        platform: 'aws',
        type: 'iam-group',
        name: 'developers',
        externalId: arn(IDS.group),
        scope: ACCT,
        accountType: 'system',
        provenance: prov,
      },
    },
    {
      type: 'node',
      node: {
        id: IDS.adminPolicy,
        kind: 'entitlement',
        platform: 'aws',
        type: 'managed-policy',
        name: 'AdministratorAccess',
        entitlementType: 'managed-policy',
        managedBy: 'platform',
        document: { Version: '2012-10-17', Statement: [{ Sid: DOC_CANARY, Effect: 'Allow', Action: '*', Resource: '*' }] },
        provenance: prov,
      },
    },
    { type: 'edge', edge: { type: 'HAS_CREDENTIAL', from: IDS.ciBot, to: IDS.key1, provenance: prov } },
    { type: 'edge', edge: { type: 'HAS_CREDENTIAL', from: IDS.ciBot, to: IDS.key2, provenance: prov } },
    { type: 'edge', edge: { type: 'HAS_CREDENTIAL', from: IDS.alice, to: IDS.password, provenance: prov } },
    { type: 'edge', edge: { type: 'MEMBER_OF', from: IDS.alice, to: IDS.group, provenance: prov } },
    { type: 'edge', edge: { type: 'GRANTED', from: IDS.admin, to: IDS.adminPolicy, attributes: { via: 'attached' }, provenance: prov } },
    { type: 'edge', edge: { type: 'CAN_ASSUME', from: IDS.oidc, to: IDS.gha, attributes: { principalType: 'Federated' }, provenance: prov } },
    { type: 'edge', edge: { type: 'CAN_ASSUME', from: IDS.gha, to: IDS.admin, attributes: { principalType: 'AWS' }, provenance: prov } },
    {
      type: 'usage',
      usage: { nodeId: IDS.gha, scope: { kind: 'any' }, lastUsedAt: '2026-02-20T09:30:00.000Z', window: { end: observedAt, days: 400 }, provenance: prov[0] },
    },
    {
      type: 'usage',
      usage: { nodeId: IDS.admin, scope: { kind: 'any' }, lastUsedAt: null, window: { end: observedAt, days: 400 }, provenance: prov[0] },
    },
  ];
  for (let i = 0; i < WORKERS; i++) {
    records.push({
      type: 'node',
      node: {
        id: IDS.worker(i),
        kind: 'principal',
        platform: 'aws',
        type: 'iam-role',
        name: `worker-${i}`,
        externalId: `arn:aws:iam::${ACCT}:role/worker-${i}`,
        scope: ACCT,
        accountType: 'service',
        provenance: prov,
      },
    });
  }
  const g = IdentityGraph.from(records);
  deriveOwnership(g);
  return g;
}

function meta(id: string, severity: Severity, extra: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    title: `${id.replace(/-/g, ' ')} title`,
    severity,
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['aws'],
    owasp: ['NHI7'],
    description: `What ${id} catches.`,
    risk: `Why ${id} matters.`,
    remediation: { text: `How to fix ${id}.`, cli: `aws iam fix --rule ${id}` },
    options: z.object({}),
    ...extra,
  };
}

export const RULES: RuleMeta[] = [
  meta('oidc-trust-without-sub', 'critical', {
    category: 'trust',
    confidence: 'medium',
    owasp: ['NHI4', 'NHI6'],
    remediation: { text: 'Add a sub condition naming the repository.', terraform: 'condition { variable = "token.actions.githubusercontent.com:sub" }' },
  }),
  meta('credential-not-rotated', 'high'),
  meta('identity-unowned', 'medium', { category: 'ownership', platforms: ['*'], confidence: 'low', owasp: ['NHI1'] }),
  meta('credential-unused', 'low', { category: 'usage', owasp: ['NHI1'] }),
  meta('workflow-secret-reference', 'info', { category: 'ci', platforms: ['github', 'workflows'], owasp: ['NHI2'] }),
];

function finding(ruleId: string, severity: Severity, nodeId: string, message: string, extra: Partial<Finding> = {}): Finding {
  const rule = RULES.find((r) => r.id === ruleId);
  return {
    ruleId,
    severity,
    confidence: rule?.confidence ?? 'high',
    nodeId,
    message,
    evidence: [],
    ...extra,
    fingerprint: fingerprint(ruleId, nodeId, extra.discriminator),
  };
}

export function sampleFindings(): Finding[] {
  const out: Finding[] = [
    finding('oidc-trust-without-sub', 'critical', IDS.gha, 'Role gha-deploy trusts GitHub OIDC tokens from any repository', {
      evidence: [
        { description: 'Statement 0 of the trust policy has no token.actions.githubusercontent.com:sub condition', source: prov[0], data: { statementIndex: 0 } },
        { description: 'The audience condition is sts.amazonaws.com' },
      ],
      path: [IDS.oidc, IDS.gha, IDS.admin],
      discriminator: '0',
    }),
    finding('credential-not-rotated', 'high', IDS.key1, 'Access key AKIAIOSFODNN7EXAMPLE of ci-bot is 2264 days old | never rotated', {
      evidence: [{ description: 'Created 2019-12-18, older than 90 days' }],
    }),
    finding('credential-unused', 'low', IDS.key1, 'Access key AKIAIOSFODNN7EXAMPLE of ci-bot has never been used', {
      evidence: [{ description: 'The credential report says never used' }],
    }),
    finding('workflow-secret-reference', 'info', IDS.gha, 'deploy.yml assumes gha-deploy', {
      location: { uri: '.github/workflows/deploy.yml', startLine: 12, startColumn: 9 },
    }),
  ];
  for (let i = 0; i < WORKERS; i++) {
    out.push(finding('identity-unowned', 'medium', IDS.worker(i), `Role worker-${i} has no owner tag`, { evidence: [{ description: 'No owner, team or contact tag' }] }));
  }
  return out;
}

export const COVERAGE: CoverageNote[] = [
  {
    connector: 'aws',
    source: 'iam:GenerateCredentialReport',
    scope: ACCT,
    reason: 'permission-denied',
    message: 'AccessDenied: not authorized to perform iam:GenerateCredentialReport',
    impact: 'password and access-key usage dates are missing',
    incomplete: true,
  },
  {
    connector: 'aws',
    source: 'accessanalyzer:ListFindingsV2',
    reason: 'unavailable',
    message: 'No unused-access analyzer in this account',
    impact: 'unused permissions come from service last-accessed data only',
    incomplete: false,
  },
];

export type SampleResult = ScanResult & { suppressed: Finding[] };

export function sampleResult(overrides: Partial<SampleResult> = {}): SampleResult {
  const g = graph();
  const findings = sampleFindings();
  return {
    tool: { name: 'nhi-drift', version: '0.1.0' },
    snapshotId: 7,
    startedAt: '2026-03-01T06:00:00.000Z',
    finishedAt: '2026-03-01T06:00:04.250Z',
    asOf: '2026-03-01T06:00:00.000Z',
    connectors: [
      {
        id: 'aws',
        title: 'AWS IAM',
        status: 'partial',
        apiCalls: 37,
        callsByOperation: { 'iam:GetAccountAuthorizationDetails': 3 },
        records: 412,
        durationMs: 1800,
        target: 'account 123456789012',
        targets: [{ id: `aws:account:${ACCT}`, platform: 'aws', kind: 'account', name: ACCT }],
      },
    ],
    incomplete: true,
    graph: g,
    findings,
    suppressed: [],
    coverage: COVERAGE.map((c) => ({ ...c })),
    rules: RULES,
    timings: { connectorsMs: 1800, graphMs: 5, rulesMs: 3 },
    ...overrides,
  };
}

/** A clean scan: same estate, no findings, no coverage gaps. */
export function cleanResult(): SampleResult {
  return sampleResult({ findings: [], coverage: [], incomplete: false, connectors: [{ id: 'aws', title: 'AWS IAM', status: 'complete', apiCalls: 12, callsByOperation: {}, records: 40, durationMs: 300, targets: [{ id: `aws:account:${ACCT}`, platform: 'aws', kind: 'account', name: ACCT }] }] });
}
