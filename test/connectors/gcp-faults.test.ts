/**
 * Transport faults through the real Google clients (the @googleapis/iam REST client, the gax clients in REST
 * fallback mode, plain gaxios requests) against the loopback fake: bodies cut mid-way, complete 2xx bodies that are
 * not JSON objects, requests never answered, the scan deadline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bodyProblem, classifyGcpError } from '../../connectors/gcp/clients.js';
import { gcpConnector } from '../../connectors/gcp/index.js';
import { Counter, runScan } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import { RULES } from '../../src/rules/index.js';
import { syntheticGcpProject } from '../fakes/gcp/estate.js';
import { startFakeGcp, type FakeGcp, type FakeGcpEstate } from '../fakes/gcp/server.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const TOKEN_ENV = 'GOOGLE_OAUTH_ACCESS_TOKEN';

let fake: FakeGcp | undefined;
const saved = process.env[TOKEN_ENV];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  if (saved === undefined) delete process.env[TOKEN_ENV];
  else process.env[TOKEN_ENV] = saved;
});

function estate(): FakeGcpEstate {
  const a = syntheticGcpProject('acme-web', 6, '300000000001');
  const b = syntheticGcpProject('acme-data', 4, '300000000002');
  a.pools = [{ name: 'projects/300000000001/locations/global/workloadIdentityPools/ci', state: 'ACTIVE' }];
  a.providers = [0, 1].map((i) => ({ name: `projects/300000000001/locations/global/workloadIdentityPools/ci/providers/p${i}`, state: 'ACTIVE', attributeMapping: { 'google.subject': 'assertion.sub' }, oidc: { issuerUri: 'https://token.actions.githubusercontent.com' } }));
  a.recommendations = [
    {
      name: 'projects/300000000001/locations/global/recommenders/google.iam.policy.Recommender/recommendations/r0',
      description: 'This role has not been used during the observation window.',
      recommenderSubtype: 'REMOVE_ROLE',
      content: { overview: { member: 'serviceAccount:sa-0000@acme-web.iam.gserviceaccount.com', removedRole: 'roles/editor', addedRoles: [], resource: '//cloudresourcemanager.googleapis.com/projects/300000000001' } } as never,
      stateInfo: { state: 'ACTIVE' },
    },
  ];
  b.insights = [{ name: 'i1', insightSubtype: 'SERVICE_ACCOUNT_USAGE', content: { email: 'sa-0003@acme-data.iam.gserviceaccount.com' }, stateInfo: { state: 'ACTIVE' }, observationPeriod: '7776000s', lastRefreshTime: '2026-10-31T00:00:00Z' }];
  b.denyPolicies = [{ name: 'no-keys', rules: [{ denyRule: { deniedPrincipals: ['principal://iam.googleapis.com/projects/-/serviceAccounts/sa-0001@acme-data.iam.gserviceaccount.com'], deniedPermissions: ['iam.googleapis.com/serviceAccountKeys.create'] } }] }];
  return {
    projects: [a, b],
    organizations: [{ name: 'organizations/998877665544', policy: { bindings: [{ role: 'roles/viewer', members: ['group:security@example.com'] }] } }],
    roles: [
      { name: 'roles/editor', title: 'Editor', stage: 'GA', includedPermissions: ['storage.buckets.get'] },
      { name: 'roles/viewer', title: 'Viewer', stage: 'GA', includedPermissions: ['storage.buckets.get'] },
      { name: 'roles/iam.serviceAccountTokenCreator', title: 'Service Account Token Creator', stage: 'GA', includedPermissions: ['iam.serviceAccounts.getAccessToken'] },
    ],
  };
}

async function start(opts?: Parameters<typeof startFakeGcp>[1]): Promise<FakeGcp> {
  fake = await startFakeGcp(estate(), opts);
  process.env[TOKEN_ENV] = 'ya29.test-token';
  return fake;
}

async function collect(options: Record<string, unknown>, extra: Partial<ScanContext> = {}) {
  const calls = new Counter();
  const steps: string[] = [];
  const ctx: ScanContext = { options: { retryDelayMs: 1, ...options }, now: NOW, log: silent, calls, progress: (m) => steps.push(m), concurrency: 4, ...extra };
  await gcpConnector.validate(ctx);
  const records: GraphRecord[] = [];
  for await (const r of gcpConnector.scan(ctx)) records.push(r);
  return { records, graph: IdentityGraph.from(records), calls, steps };
}

const facts = (g: IdentityGraph) =>
  [...[...g.nodes.keys()].map((id) => `node ${id}`), ...g.edges.map((e) => `edge ${e.type} ${e.from} ${e.to}`), ...g.usage.map((u) => `usage ${u.nodeId} ${u.lastUsedAt}`)].sort();
const gaps = (g: IdentityGraph) => g.coverage.filter((c) => c.incomplete);
const BOTH = { projects: ['acme-web', 'acme-data'] };
/** the operation a coverage note names for a fake route (deny policies are read with list + get, noted as one) */
const noteSource = (route: string) => (route === 'iam.denypolicies.get' ? 'iam.denypolicies.list' : route);

describe('gcp: responses cut mid-body or not a JSON object', () => {
  it('cut bodies on REST, gax and plain requests are retried: nothing lost, every attempt counted', async () => {
    const f = await start({ maxPageSize: 2 });
    const clean = await collect({ endpoint: f.url, ...BOTH });
    f.requests.length = 0;
    f.fault('iam.serviceAccounts.list', { kind: 'cut' }, { nth: [2] }); // @googleapis/iam (gaxios, JSON)
    f.fault('recommender.recommendations.list', { kind: 'cut' }, { nth: [1] }); // gax fallback (a stream)
    f.fault('resourcemanager.projects.getIamPolicy', { kind: 'cut', keep: 5 }, { nth: [1] }); // gax POST
    f.fault('policyanalyzer.activities.query', { kind: 'cut' }, { nth: [1] }); // auth.request
    const { graph, calls } = await collect({ endpoint: f.url, ...BOTH });
    expect(f.injected).toHaveLength(4);
    expect(gaps(graph)).toEqual([]);
    expect(facts(graph)).toEqual(facts(clean.graph));
    expect(calls.total).toBe(f.requests.length);
    expect(calls.byOperation()).toEqual(f.countByRoute());
  });

  it.each([
    ['REST: an empty body', 'iam.serviceAccounts.keys.list', ''],
    ['REST: JSON cut short', 'iam.serviceAccounts.list', '{"accounts": [{"email": "sa-0'],
    ['gax: an empty body', 'recommender.insights.list', ''],
    ['gax: a list where an object belongs', 'resourcemanager.projects.getIamPolicy', '[]'],
    ['plain request: an empty body', 'policyanalyzer.activities.query', ''],
  ])('%s is refused, retried, then an incomplete note', async (_l, route, body) => {
    const f = await start();
    f.fault(route, { kind: 'body', body, contentType: 'application/json; charset=UTF-8' }, { where: 'acme-data' });
    const { graph, calls } = await collect({ endpoint: f.url, ...BOTH, retries: 1 });
    const note = gaps(graph).find((c) => c.source === route);
    expect(note).toMatchObject({ reason: 'error', scope: 'acme-data', incomplete: true });
    expect(note!.message).toMatch(/empty|not valid JSON|not a JSON object/);
    expect(note!.message).toMatch(/2 attempts/);
    expect(calls.total).toBe(f.requests.length);
    // the other project is whole
    expect([...graph.nodes.keys()].filter((id) => id.startsWith('gcp:service-account:') && id.includes('@acme-web.'))).toHaveLength(6);
  });

  it.each([1, 2, 3])('a tenth of all responses cut or empty, no retries (seed %i): every faulted call is named by a note', async (seed) => {
    const f = await start({ maxPageSize: 2 });
    const clean = await collect({ endpoint: f.url, ...BOTH });
    f.fault(/./, { kind: 'cut' }, { rate: 0.07, seed });
    f.fault(/./, { kind: 'body', body: '', contentType: 'application/json' }, { rate: 0.03, seed: seed + 20 });
    const { graph } = await collect({ endpoint: f.url, ...BOTH, retries: 0 });
    expect(f.injected.length).toBeGreaterThan(0);
    const noted = new Set(graph.coverage.map((c) => c.source));
    expect([...new Set(f.injected.map((i) => noteSource(i.route)))].filter((src) => !noted.has(src))).toEqual([]);
    if (gaps(graph).length === 0) expect(facts(graph)).toEqual(facts(clean.graph));
  });

  it('body shapes', () => {
    expect(bodyProblem({})).toBeUndefined(); // Google leaves empty lists out: {} is a valid empty page
    expect(bodyProblem('')).toMatch(/empty/);
    expect(bodyProblem('{"a":')).toMatch(/not valid JSON/);
    expect(bodyProblem([])).toMatch(/not a JSON object/);
  });
});

describe('gcp: timeouts and the scan deadline', () => {
  it('calls that never answer (REST and gax) time out per attempt, are retried, and become timeout notes; the rest is kept', async () => {
    const f = await start();
    f.fault('iam.serviceAccounts.keys.list', { kind: 'hang' }, { where: 'sa-0002@acme-web' });
    f.fault('recommender.insights.list', { kind: 'hang' }, { where: 'acme-data' });
    const t0 = Date.now();
    const { graph, calls } = await collect({ endpoint: f.url, ...BOTH, requestTimeoutMs: 300, retries: 1 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const keys = gaps(graph).find((c) => c.source === 'iam.serviceAccounts.keys.list');
    expect(keys).toMatchObject({ reason: 'timeout', scope: 'acme-web' });
    expect(keys!.message).toMatch(/no complete response within 300 ms \(2 attempts\)/);
    expect(keys!.message).toContain('sa-0002@acme-web');
    expect(gaps(graph).find((c) => c.source === 'recommender.insights.list')).toMatchObject({ reason: 'timeout', scope: 'acme-data' });
    expect(calls.byOperation()['recommender.insights.list']).toBe(1 + 2);
    expect([...graph.nodes.keys()].filter((id) => id.startsWith('gcp:service-account:sa-'))).toHaveLength(10);
  });

  it('a body that stalls half-way times out the same way', async () => {
    const f = await start();
    f.fault('policyanalyzer.activities.query', { kind: 'stall' });
    const { graph } = await collect({ endpoint: f.url, projects: ['acme-web'], requestTimeoutMs: 300, retries: 0 });
    expect(gaps(graph)).toEqual([expect.objectContaining({ source: 'policyanalyzer.activities.query', reason: 'timeout' })]);
  });

  it('the scan deadline aborts in-flight calls: ends promptly, keeps the projects read, names every project as a target', async () => {
    const f = await start();
    f.fault('iam.serviceAccounts.getIamPolicy', { kind: 'hang' }, { where: 'acme-data' });
    const t0 = Date.now();
    const result = await runScan({ jobs: [{ connector: gcpConnector, options: { endpoint: f.url, ...BOTH } }], now: NOW, rules: RULES, log: silent, deadlineMs: 1500 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const run = result.connectors[0];
    expect(run.targets.map((t) => t.id)).toEqual(['gcp:project:acme-data', 'gcp:project:acme-web']);
    expect(run.status).toBe('partial');
    expect(result.coverage.find((c) => c.reason === 'timeout')).toMatchObject({ connector: 'gcp', incomplete: true });
    // acme-web was read in full before the deadline and is in the report
    expect([...result.graph.nodes.keys()].filter((id) => id.startsWith('gcp:service-account:') && id.includes('@acme-web.'))).toHaveLength(6);
    expect([...result.graph.nodes.keys()].filter((id) => id.includes('@acme-data.'))).toEqual([]);
  });

  it('ctx.signal is honoured: a cancelled scan stops at once', async () => {
    const f = await start();
    f.fault('resourcemanager.projects.get', { kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 300);
    const t0 = Date.now();
    await expect(collect({ endpoint: f.url, ...BOTH }, { signal: controller.signal })).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('gcp: targets, progress, URLs in messages', () => {
  it('every project scanned is a target, even one whose reads were all denied; progress counts projects', async () => {
    const f = await start();
    for (const route of ['resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy', 'iam.serviceAccounts.list', 'iam.projects.roles.list', 'iam.workloadIdentityPools.list', 'iam.denypolicies.list', 'policyanalyzer.activities.query', 'recommender.recommendations.list', 'recommender.insights.list']) {
      f.fail({ route, where: 'acme-data', status: 403 });
    }
    const { records, steps } = await collect({ endpoint: f.url, ...BOTH });
    expect(records.filter((r) => r.type === 'target').map((r) => r.type === 'target' && r.target)).toEqual([
      { id: 'gcp:project:acme-web', platform: 'gcp', kind: 'project', name: 'acme-web' },
      { id: 'gcp:project:acme-data', platform: 'gcp', kind: 'project', name: 'acme-data' },
    ]);
    expect(steps).toEqual(expect.arrayContaining(['projects 0/2', 'projects 2/2']));
  });

  it('a URL with a token in an error loses it', () => {
    const info = classifyGcpError({ message: 'request to https://x:CANARY1@iam.example.com/v1/p?access_token=CANARY2 failed' });
    expect(info.text).toBe('request to https://iam.example.com/v1/p failed');
  });
});
