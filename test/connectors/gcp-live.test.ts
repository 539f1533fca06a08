import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyGcpError, operationOf, retryAfterMs } from '../../connectors/gcp/clients.js';
import { gcpConnector, readProjectDir } from '../../connectors/gcp/index.js';
import { durationToString, structToJson, timestampToIso } from '../../connectors/gcp/live.js';
import { Counter } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import type { GraphRecord } from '../../src/model/types.js';
import { estateFromExports, syntheticGcpProject } from '../fakes/gcp/estate.js';
import { startFakeGcp, type FakeGcp, type FakeGcpEstate } from '../fakes/gcp/server.js';

const NOW = new Date('2026-11-01T06:00:00Z');
const DEMO = path.resolve(__dirname, '../../examples/demo/gcp/acme-prod-data');
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

async function start(estate: FakeGcpEstate, opts?: Parameters<typeof startFakeGcp>[1]): Promise<FakeGcp> {
  fake = await startFakeGcp(estate, opts);
  process.env[TOKEN_ENV] = 'ya29.test-token';
  return fake;
}

async function collect(options: Record<string, unknown>, concurrency = 4): Promise<{ records: GraphRecord[]; calls: Counter }> {
  const calls = new Counter();
  const ctx: ScanContext = { options: { retryDelayMs: 1, ...options }, now: NOW, log: silent, calls, progress: () => {}, concurrency };
  await gcpConnector.validate(ctx);
  const records: GraphRecord[] = [];
  for await (const r of gcpConnector.scan(ctx)) records.push(r);
  return { records, calls };
}

const nodeIds = (rs: GraphRecord[]) => [...new Set(rs.flatMap((r) => (r.type === 'node' ? [r.node.id] : [])))].sort();
const edgeKeys = (rs: GraphRecord[]) => [...new Set(rs.flatMap((r) => (r.type === 'edge' ? [`${r.edge.type} ${r.edge.from} -> ${r.edge.to}`] : [])))].sort();
const notes = (rs: GraphRecord[]) => rs.flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));

describe('gcp live scan through the real Google clients', () => {
  it('gives the same graph as the offline export of the same project', async () => {
    const exported = readProjectDir(DEMO);
    const f = await start(estateFromExports([exported]), { maxPageSize: 3 });
    const live = await collect({ endpoint: f.url, projects: ['acme-prod-data'] });
    const offline = await collect({ fromDir: DEMO });
    expect(notes(live.records)).toEqual([]);
    expect(nodeIds(live.records)).toEqual(nodeIds(offline.records));
    expect(edgeKeys(live.records)).toEqual(edgeKeys(offline.records));
    // usage and the recommendation (a gax Struct on the wire) arrive as plain JSON
    const usage = (rs: GraphRecord[]) => rs.flatMap((r) => (r.type === 'usage' ? [`${r.usage.nodeId} ${r.usage.lastUsedAt}`] : [])).sort();
    expect(usage(live.records)).toEqual(usage(offline.records));
    const rec = live.records.find((r) => r.type === 'edge' && r.edge.attributes?.recommendation);
    expect(rec?.type === 'edge' && rec.edge.attributes?.recommendation).toMatchObject({ action: 'replace', replacementRoles: ['roles/storage.objectViewer', 'roles/logging.logWriter'] });
    // every page of the service-account list was read (3 per page)
    expect(f.countByRoute()['iam.serviceAccounts.list']).toBe(Math.ceil(exported.serviceAccounts.length / 3));
  });
});

/** Two synthetic projects under an organization; acme-data sits in a folder whose policy makes one account Owner. */
function twoProjects(): FakeGcpEstate {
  const a = syntheticGcpProject('acme-web', 7, '300000000001');
  const b = syntheticGcpProject('acme-data', 4, '300000000002');
  b.parent = 'folders/4001';
  a.providers = Array.from({ length: 5 }, (_, i) => ({ name: `projects/300000000001/locations/global/workloadIdentityPools/ci/providers/p${i}`, state: 'ACTIVE', attributeMapping: { 'google.subject': 'assertion.sub' }, ...(i % 2 ? { attributeCondition: "assertion.repository_owner == 'acme'" } : {}), oidc: { issuerUri: 'https://token.actions.githubusercontent.com' } }));
  a.pools = [{ name: 'projects/300000000001/locations/global/workloadIdentityPools/ci', state: 'ACTIVE' }];
  a.recommendations = Array.from({ length: 5 }, (_, i) => ({
    name: `projects/300000000001/locations/global/recommenders/google.iam.policy.Recommender/recommendations/r${i}`,
    description: 'This role has not been used during the observation window.',
    recommenderSubtype: 'REMOVE_ROLE',
    content: { overview: { member: `serviceAccount:sa-${String(i * 5).padStart(4, '0')}@acme-web.iam.gserviceaccount.com`, removedRole: 'roles/editor', addedRoles: [], resource: '//cloudresourcemanager.googleapis.com/projects/300000000001', nested: { window: { days: 90 }, flags: [true, null, 1.5] } } } as never,
    stateInfo: { state: 'ACTIVE' },
  }));
  b.denyPolicies = [{ name: 'no-key-creation', displayName: 'No key creation', rules: [{ denyRule: { deniedPrincipals: ['principal://iam.googleapis.com/projects/-/serviceAccounts/sa-0001@acme-data.iam.gserviceaccount.com'], deniedPermissions: ['iam.googleapis.com/serviceAccountKeys.create'] } }] }];
  b.insights = [{ name: 'i1', insightSubtype: 'SERVICE_ACCOUNT_USAGE', content: { email: 'sa-0003@acme-data.iam.gserviceaccount.com', serviceAccountId: 'x' }, stateInfo: { state: 'ACTIVE' }, observationPeriod: '7776000s', lastRefreshTime: '2026-10-31T00:00:00Z' }];
  return {
    projects: [a, b],
    folders: [{ name: 'folders/4001', parent: 'organizations/998877665544', displayName: 'data', policy: { bindings: [{ role: 'roles/owner', members: ['serviceAccount:sa-0002@acme-data.iam.gserviceaccount.com'] }] } }],
    organizations: [{ name: 'organizations/998877665544', policy: { bindings: [{ role: 'roles/iam.securityReviewer', members: ['group:security@example.com'] }] } }],
    roles: [
      { name: 'roles/editor', title: 'Editor', stage: 'GA', includedPermissions: ['storage.buckets.get', 'compute.instances.create'] },
      { name: 'roles/owner', title: 'Owner', stage: 'GA', includedPermissions: ['resourcemanager.projects.setIamPolicy'] },
      { name: 'roles/viewer', title: 'Viewer', stage: 'GA', includedPermissions: ['storage.buckets.get'] },
      { name: 'roles/iam.serviceAccountTokenCreator', title: 'Service Account Token Creator', stage: 'GA', includedPermissions: ['iam.serviceAccounts.getAccessToken'] },
      { name: 'roles/iam.securityReviewer', title: 'Security Reviewer', stage: 'GA', includedPermissions: ['iam.roles.list'] },
    ],
  };
}

describe('gcp live: pagination, hierarchy, federation, usage', () => {
  it('reads every page of REST and gax lists, the folder chain and the organization', async () => {
    const f = await start(twoProjects(), { maxPageSize: 2 });
    const { records, calls } = await collect({ endpoint: f.url, organization: '998877665544' });
    expect(notes(records)).toEqual([]);
    const ids = nodeIds(records);
    // discovery: the project under the folder and the one directly under the organization
    expect(ids).toEqual(expect.arrayContaining(['gcp:project:acme-web', 'gcp:project:acme-data', 'gcp:folder:4001', 'gcp:organization:998877665544']));
    expect(ids.filter((i) => i.startsWith('gcp:service-account:sa-'))).toHaveLength(11);
    // gax pages: 5 providers and 5 recommendations at 2 per page
    expect(ids.filter((i) => i.startsWith('gcp:wif-provider:'))).toHaveLength(5);
    expect(f.countByRoute()['iam.workloadIdentityPoolProviders.list']).toBe(3);
    expect(f.countByRoute()['recommender.recommendations.list']).toBe(3 + 1); // 3 pages for acme-web, 1 (empty) for acme-data
    // REST pages: 7 accounts at 2 per page = 4 calls, 4 accounts = 2 calls
    expect(f.countByRoute()['iam.serviceAccounts.list']).toBe(6);
    // inherited bindings, with the chain project → folder → organization
    const edges = edgeKeys(records);
    expect(edges).toContain('IN_SCOPE gcp:project:acme-data -> gcp:folder:4001');
    expect(edges).toContain('IN_SCOPE gcp:folder:4001 -> gcp:organization:998877665544');
    expect(edges).toContain('GRANTED gcp:service-account:sa-0002@acme-data.iam.gserviceaccount.com -> gcp:binding:folders/4001/roles/owner');
    expect(edges).toContain('IN_SCOPE gcp:project:acme-web -> gcp:organization:998877665544');
    // the deny policy names one account
    expect(edges).toContain('DENIES gcp:deny-policy:policies/cloudresourcemanager.googleapis.com%2Fprojects%2Facme-data/denypolicies/no-key-creation -> gcp:service-account:sa-0001@acme-data.iam.gserviceaccount.com');
    // the client counted what the fake saw, call for call
    expect(calls.total).toBe(f.requests.length);
    expect(calls.byOperation()).toEqual(f.countByRoute());
    // role definitions were fetched once each, whatever the number of projects binding them
    expect(f.countByRoute()['iam.roles.get']).toBe(5);
  });

  it('turns a gax Struct (nested values, lists, null) back into plain JSON', async () => {
    const f = await start(twoProjects());
    const { records } = await collect({ endpoint: f.url, projects: ['acme-web'] });
    const e = records.find((r) => r.type === 'edge' && r.edge.to === 'gcp:binding:projects/acme-web/roles/editor' && r.edge.from.includes('sa-0000@'));
    expect(e?.type === 'edge' && e.edge.attributes?.recommendation).toMatchObject({ action: 'remove', state: 'ACTIVE', description: expect.stringContaining('observation window') });
    expect(structToJson({ fields: { a: { stringValue: 'x', kind: 'stringValue' }, n: { structValue: { fields: { b: { listValue: { values: [{ boolValue: true }, { nullValue: 0 }, { numberValue: 1.5 }] } } } } } } })).toEqual({ a: 'x', n: { b: [true, null, 1.5] } });
    expect(timestampToIso({ seconds: String(Date.parse('2026-10-31T00:00:00Z') / 1000), nanos: 5_000_000 })).toBe('2026-10-31T00:00:00.005Z');
    expect(durationToString({ seconds: '7776000' })).toBe('7776000s');
  });

  it('takes "unused for 90 days" from Recommender insights where Policy Analyzer is disabled', async () => {
    const f = await start(twoProjects());
    f.fail({ route: 'policyanalyzer.activities.query', where: 'acme-data', status: 403, reason: 'SERVICE_DISABLED' });
    const { records } = await collect({ endpoint: f.url, projects: ['acme-data'] });
    const n = notes(records);
    expect(n).toEqual([expect.objectContaining({ source: 'policyanalyzer.activities.query', scope: 'acme-data', reason: 'api-disabled', incomplete: true })]);
    expect(n[0].message).toContain('policyanalyzer.googleapis.com is disabled in acme-data');
    const usage = records.flatMap((r) => (r.type === 'usage' ? [r.usage] : []));
    expect(usage).toEqual([expect.objectContaining({ nodeId: 'gcp:service-account:sa-0003@acme-data.iam.gserviceaccount.com', lastUsedAt: null, window: { start: '2026-08-02T00:00:00.000Z', end: '2026-10-31T00:00:00.000Z' } })]);
    // the second activity type was skipped once the API was known to be off
    expect(f.countByRoute()['policyanalyzer.activities.query']).toBe(1);
  });
});

describe('gcp live: workload identity API versions', () => {
  it('reads pools and providers through the GA v1 REST API when v1beta answers 404', async () => {
    const f = await start(twoProjects(), { maxPageSize: 2 });
    f.fail({ route: 'iam.workloadIdentityPools.list', where: '/v1beta/', status: 404 });
    f.fail({ route: 'iam.workloadIdentityPoolProviders.list', where: '/v1beta/', status: 404 });
    const { records } = await collect({ endpoint: f.url, projects: ['acme-web'] });
    expect(notes(records)).toEqual([]);
    expect(nodeIds(records).filter((i) => i.startsWith('gcp:wif-provider:'))).toHaveLength(5);
    const wif = f.requests.filter((q) => q.route.startsWith('iam.workloadIdentity'));
    expect(wif.filter((q) => q.path.startsWith('/v1beta/')).map((q) => q.route)).toEqual(['iam.workloadIdentityPools.list']); // tried once
    expect(wif.filter((q) => q.path.startsWith('/v1/')).length).toBe(1 + 3); // the pool list, then 3 pages of providers
  });
});

describe('gcp live: failures become coverage notes, the rest completes', () => {
  it('a project the caller cannot read is a note per API, the other project is whole', async () => {
    const f = await start(twoProjects());
    for (const route of ['resourcemanager.projects.get', 'resourcemanager.projects.getIamPolicy', 'iam.serviceAccounts.list', 'iam.projects.roles.list', 'iam.workloadIdentityPools.list', 'iam.denypolicies.list', 'policyanalyzer.activities.query', 'recommender.recommendations.list', 'recommender.insights.list']) {
      f.fail({ route, where: 'acme-data', status: 403 });
    }
    const { records } = await collect({ endpoint: f.url, projects: ['acme-web', 'acme-data'] });
    const n = notes(records);
    expect(n.every((x) => x.scope === 'acme-data' && x.reason === 'permission-denied' && x.incomplete)).toBe(true);
    expect(n.map((x) => x.source)).toContain('iam.serviceAccounts.list');
    expect(n.find((x) => x.source === 'iam.serviceAccounts.list')?.message).toContain('grant iam.serviceAccounts.list');
    expect(nodeIds(records).filter((i) => i.startsWith('gcp:service-account:') && i.includes('@acme-web.'))).toHaveLength(7);
    expect(nodeIds(records).filter((i) => i.startsWith('gcp:sa-key:') && i.includes('@acme-web.'))).toHaveLength(7 + 3); // a system-managed key each, 3 user-managed
    expect(nodeIds(records).filter((i) => i.startsWith('gcp:service-account:') && i.includes('@acme-data.'))).toEqual([]);
  });

  it('the same API off in several projects is one note listing them', async () => {
    const est = twoProjects();
    est.projects.push(syntheticGcpProject('acme-ml', 2, '300000000003'));
    const f = await start(est);
    f.fail({ route: 'policyanalyzer.activities.query', status: 403, reason: 'SERVICE_DISABLED' });
    const { records } = await collect({ endpoint: f.url, projects: ['acme-web', 'acme-data', 'acme-ml'] });
    expect(notes(records)).toEqual([
      expect.objectContaining({ source: 'policyanalyzer.activities.query', reason: 'api-disabled', message: 'policyanalyzer.googleapis.com is disabled in 3 projects (acme-data, acme-ml, acme-web): policyanalyzer.activities.query cannot run (enable the API to get this data)' }),
    ]);
    expect(notes(records)[0].scope).toBeUndefined();
  });

  it("an API 'disabled' for gcloud's own project means the credentials lack a quota project, and the note says so", async () => {
    const f = await start(twoProjects());
    f.fail({ route: 'recommender.recommendations.list', status: 403, reason: 'SERVICE_DISABLED', consumer: 'projects/764086051850' });
    const { records } = await collect({ endpoint: f.url, projects: ['acme-web'] });
    const [n] = notes(records).filter((x) => x.source === 'recommender.recommendations.list');
    expect(n.reason).toBe('api-disabled');
    expect(n.message).toContain("billed to gcloud's own project (projects/764086051850)");
    expect(n.message).toContain('gcloud auth application-default set-quota-project PROJECT');
  });

  it('GOOGLE_CLOUD_QUOTA_PROJECT goes with a bare access token as x-goog-user-project', async () => {
    const f = await start(twoProjects());
    process.env.GOOGLE_CLOUD_QUOTA_PROJECT = 'acme-billing';
    try {
      await collect({ endpoint: f.url, projects: ['acme-web'] });
    } finally {
      delete process.env.GOOGLE_CLOUD_QUOTA_PROJECT;
    }
    expect(f.requests.length).toBeGreaterThan(10);
    expect(f.requests.every((q) => q.userProject === 'acme-billing')).toBe(true);
  });

  it('retries 429 and 503 and counts every attempt', async () => {
    const f = await start(twoProjects());
    f.fail({ route: 'iam.serviceAccounts.list', status: 429, times: 2 });
    f.fail({ route: 'resourcemanager.projects.getIamPolicy', status: 503, times: 1 });
    const { records, calls } = await collect({ endpoint: f.url, projects: ['acme-web'] });
    expect(notes(records)).toEqual([]);
    expect(calls.byOperation()['iam.serviceAccounts.list']).toBe(3);
    expect(calls.byOperation()['resourcemanager.projects.getIamPolicy']).toBe(2);
    expect(nodeIds(records).filter((i) => i.startsWith('gcp:service-account:sa-'))).toHaveLength(7);
  });

  it('a call still throttled after the retries is a throttled note', async () => {
    const f = await start(twoProjects());
    f.fail({ route: 'iam.serviceAccounts.keys.list', where: 'sa-0003', status: 429 });
    const { records, calls } = await collect({ endpoint: f.url, projects: ['acme-web'], retries: 2 });
    expect(notes(records)).toEqual([expect.objectContaining({ source: 'iam.serviceAccounts.keys.list', reason: 'throttled', scope: 'acme-web', message: expect.stringContaining('sa-0003@acme-web') })]);
    expect(calls.byOperation()['iam.serviceAccounts.keys.list']).toBe(7 + 2);
  });
});

describe('gcp live: credentials', () => {
  it('--gcp-impersonate-service-account: every API call carries the impersonated token', async () => {
    const f = await start(twoProjects());
    const sa = 'nhi-audit@acme-sec.iam.gserviceaccount.com';
    const { records } = await collect({ endpoint: f.url, projects: ['acme-web'], impersonateServiceAccount: sa });
    expect(notes(records)).toEqual([]);
    const issued = f.issued.get(sa);
    expect(issued).toMatch(/^ya29\.impersonated-/);
    const apiCalls = f.requests.filter((r) => r.route !== 'iamcredentials.generateAccessToken');
    expect(apiCalls.length).toBeGreaterThan(10);
    expect(apiCalls.every((r) => r.token === issued)).toBe(true);
    expect(f.requests.filter((r) => r.route === 'iamcredentials.generateAccessToken').every((r) => r.token === 'ya29.test-token')).toBe(true);
  });

  it('an impersonation the caller may not do is a CREDENTIALS error before anything is read', async () => {
    const f = await start(twoProjects());
    f.fail({ route: 'iamcredentials.generateAccessToken', status: 403 });
    await expect(collect({ endpoint: f.url, projects: ['acme-web'], impersonateServiceAccount: 'nhi-audit@acme-sec.iam.gserviceaccount.com' })).rejects.toMatchObject({ code: 'CREDENTIALS', message: expect.stringContaining('cannot impersonate nhi-audit@acme-sec.iam.gserviceaccount.com') });
    expect(f.requests.filter((r) => r.route !== 'iamcredentials.generateAccessToken')).toEqual([]);
  });

  it('no credentials at all is a CREDENTIALS error with what to run', async () => {
    const env = { ...process.env };
    delete process.env[TOKEN_ENV];
    process.env.GOOGLE_APPLICATION_CREDENTIALS = path.join(__dirname, 'no-such-adc.json');
    try {
      await expect(collect({ projects: ['acme-web'] })).rejects.toMatchObject({ code: 'CREDENTIALS', message: expect.stringContaining('no Google Cloud credentials') });
    } finally {
      process.env = env;
    }
  });

  it('options: offline and live do not mix; ids are checked', () => {
    const parse = (o: Record<string, unknown>) => gcpConnector.describe().options.safeParse(o);
    expect(parse({ fromDir: 'x', projects: ['acme-web'] }).success).toBe(false);
    expect(parse({ projects: ['acme-web'], organization: '1' }).success).toBe(false);
    expect(parse({ projects: ['Bad_Project'] }).success).toBe(false);
    expect(parse({ organization: 'acme' }).success).toBe(false);
    expect(parse({ projects: ['acme-web'], impersonateServiceAccount: 'a@b.com' }).success).toBe(false);
    expect(parse({ projects: ['acme-web', 'acme-data'], impersonateServiceAccount: 'nhi@acme-sec.iam.gserviceaccount.com' }).success).toBe(true);
  });
});

describe('gcp live: error classification', () => {
  const body = (code: number, status: string, reason?: string) => ({ error: { code, status, message: `m ${status}`, details: reason ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, metadata: { service: 'x.googleapis.com', consumer: 'projects/1' } }] : [] } });
  it.each<[string, unknown, { reason: string; code: string; consumer?: string }]>([
    ['REST error with a parsed body', { response: { status: 403, data: body(403, 'PERMISSION_DENIED', 'SERVICE_DISABLED') } }, { reason: 'api-disabled', code: 'SERVICE_DISABLED', consumer: 'projects/1' }],
    ['REST error with a string body', { response: { status: 403, data: JSON.stringify(body(403, 'PERMISSION_DENIED', 'IAM_PERMISSION_DENIED')) } }, { reason: 'permission-denied', code: 'IAM_PERMISSION_DENIED' }],
    ['gax fetch error: the body in the message', { status: 429, message: JSON.stringify(body(429, 'RESOURCE_EXHAUSTED', 'RATE_LIMIT_EXCEEDED')) }, { reason: 'throttled', code: 'RATE_LIMIT_EXCEEDED' }],
    ['gRPC-style GoogleError (code 7)', { code: 7, message: '7 PERMISSION_DENIED: no', reason: 'IAM_PERMISSION_DENIED' }, { reason: 'permission-denied', code: 'IAM_PERMISSION_DENIED' }],
    ['a 404 without details', { response: { status: 404, data: body(404, 'NOT_FOUND') } }, { reason: 'not-found', code: 'NOT_FOUND' }],
    ['a socket error', { code: 'ECONNRESET', message: 'socket hang up' }, { reason: 'error', code: 'ECONNRESET' }],
  ])('%s', (_l, err, want) => {
    expect(classifyGcpError(err)).toMatchObject(want);
  });
});

describe('gcp live: Retry-After', () => {
  it.each<[string, Record<string, string> | Headers, number | undefined]>([
    ['seconds', { 'retry-after': '3' }, 3000],
    ['a Headers object', new Headers({ 'Retry-After': '2' }), 2000],
    ['an HTTP date in the past', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, 0],
    ['absent', {}, undefined],
    ['garbage', { 'retry-after': 'soon' }, undefined],
  ])('%s', (_l, headers, ms) => {
    expect(retryAfterMs(headers)).toBe(ms);
  });
});

describe('gcp live: call names', () => {
  it.each([
    ['GET', 'https://iam.googleapis.com/v1/projects/p/serviceAccounts?pageSize=100', 'iam.serviceAccounts.list'],
    ['GET', 'https://iam.googleapis.com/v1/projects/p/serviceAccounts/a%40p.iam.gserviceaccount.com/keys', 'iam.serviceAccounts.keys.list'],
    ['POST', 'https://iam.googleapis.com/v1/projects/p/serviceAccounts/a@p.iam.gserviceaccount.com:getIamPolicy', 'iam.serviceAccounts.getIamPolicy'],
    ['GET', 'https://iam.googleapis.com/v1/roles/editor', 'iam.roles.get'],
    ['GET', 'https://iam.googleapis.com/v1beta/projects/p/locations/global/workloadIdentityPools', 'iam.workloadIdentityPools.list'],
    ['POST', 'https://cloudresourcemanager.googleapis.com/v3/projects/p:getIamPolicy', 'resourcemanager.projects.getIamPolicy'],
    ['GET', 'https://policyanalyzer.googleapis.com/v1/projects/p/locations/global/activityTypes/serviceAccountLastAuthentication/activities:query', 'policyanalyzer.activities.query'],
    ['POST', 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b:generateAccessToken', 'iamcredentials.generateAccessToken'],
    ['GET', 'https://example.googleapis.com/v9/other', 'example.get'],
  ])('%s %s → %s', (method, url, op) => {
    expect(operationOf(method, url)).toBe(op);
  });
});
