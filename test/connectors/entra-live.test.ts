/**
 * The Entra ID connector, live: Microsoft Graph and Azure Resource Manager through the real clients (fetch for Graph,
 * @azure/arm-authorization for RBAC) against the loopback fake, with tokens from the real @azure/identity
 * DefaultAzureCredential (its App Service managed-identity source, IDENTITY_ENDPOINT / IDENTITY_HEADER pointing at
 * the fake). Paging, $batch, retries, 401 / 403 handling, live == offline, and no secret material anywhere.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entraConnector, IMPACT } from '../../connectors/entra/index.js';
import { scrubCredentials } from '../../connectors/entra/live.js';
import { Counter } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import type { GraphRecord } from '../../src/model/types.js';
import { NhiError } from '../../src/util/errors.js';
import { nhi, STACK_LINE } from '../e2e/run.js';
import { IDENTITY_HEADER, startFakeEntra, type FakeEntra, type FakeEntraOptions } from '../fakes/entra/server.js';
import { azRoleAssignments, HINT_MARK, SECRET_MARK, SUB_A, SUB_B, syntheticEntraTenant, TENANT, type SyntheticEntra } from '../fakes/entra/synthetic.js';
import { storedText } from '../support/secret-leaks.js';

const NOW = new Date('2026-12-01T00:00:00Z');
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
/** secret material the fake serves: secretText values, the hint, a certificate's key and customKeyIdentifier */
const SECRETS = [SECRET_MARK, HINT_MARK, 'TUlJQ0FLRVktRkFLRQ', 'QUJDREVGMTIz'];
const AZURE_ENV = ['AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_TENANT_ID', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_USERNAME', 'AZURE_PASSWORD', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT', 'MSI_SECRET', 'IMDS_ENDPOINT'];
const savedEnv = Object.fromEntries(AZURE_ENV.map((k) => [k, process.env[k]]));

let fake: FakeEntra | undefined;
const tmp: string[] = [];
beforeEach(() => {
  for (const k of AZURE_ENV) delete process.env[k];
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'nhi-entra-live-'));
  tmp.push(d);
  return d;
};

async function start(data: SyntheticEntra, opts?: FakeEntraOptions): Promise<FakeEntra> {
  fake = await startFakeEntra(data, opts);
  process.env.IDENTITY_ENDPOINT = fake.identityEndpoint;
  process.env.IDENTITY_HEADER = IDENTITY_HEADER;
  return fake;
}

async function scan(options: Record<string, unknown>, concurrency = 4): Promise<{ records: GraphRecord[]; calls: Counter }> {
  const calls = new Counter();
  const ctx: ScanContext = { options: { retryDelayMs: 1, ...options }, now: NOW, log: silent, calls, progress: () => {}, concurrency };
  await entraConnector.validate(ctx);
  const records: GraphRecord[] = [];
  for await (const r of entraConnector.scan(ctx)) records.push(r);
  return { records, calls };
}
const live = (f: FakeEntra, extra: Record<string, unknown> = {}) => scan({ graphEndpoint: f.url, armEndpoint: f.url, ...extra });

const notes = (rs: GraphRecord[]) => rs.flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));
const nodeIds = (rs: GraphRecord[]) => [...new Set(rs.flatMap((r) => (r.type === 'node' ? [r.node.id] : [])))].sort();
const edgeKeys = (rs: GraphRecord[]) => [...new Set(rs.flatMap((r) => (r.type === 'edge' ? [`${r.edge.type} ${r.edge.from} -> ${r.edge.to}`] : [])))].sort();
/** Every node, edge and usage fact without its provenance (which names the API or the file). */
function facts(rs: GraphRecord[]): string[] {
  return rs
    .flatMap((r) => {
      if (r.type === 'node') {
        const { provenance: _p, ...n } = r.node as typeof r.node & { provenance?: unknown };
        return [`node ${JSON.stringify(n)}`];
      }
      if (r.type === 'edge') {
        const { provenance: _p, ...e } = r.edge as typeof r.edge & { provenance?: unknown };
        return [`edge ${JSON.stringify(e)}`];
      }
      if (r.type === 'usage') {
        const { provenance: _p, ...u } = r.usage;
        return [`usage ${JSON.stringify(u)}`];
      }
      return [];
    })
    .sort();
}

/** The fake's tenant as an export folder (docs/connectors/entra.md layout), secret material included as az writes it. */
function writeExport(s: SyntheticEntra, subs: string[]): string {
  const dir = tempDir();
  const t = s.tenant;
  const page = (value: unknown[]) => JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#x', value });
  writeFileSync(path.join(dir, 'applications.json'), page(t.applications));
  writeFileSync(path.join(dir, 'servicePrincipals.json'), page(t.servicePrincipals));
  for (const [sub, rec] of [['federatedIdentityCredentials', t.federatedCredentials], ['owners', t.owners], ['appRoleAssignments', t.appRoleAssignments]] as const) {
    mkdirSync(path.join(dir, sub));
    for (const [id, v] of Object.entries(rec)) writeFileSync(path.join(dir, sub, `${id}.json`), page(v));
  }
  writeFileSync(path.join(dir, 'directoryRoleAssignments.json'), page(t.directoryRoleAssignments ?? []));
  writeFileSync(path.join(dir, 'servicePrincipalSignInActivities.json'), page(t.signIns ?? []));
  writeFileSync(path.join(dir, 'roleAssignments.json'), JSON.stringify(azRoleAssignments(s, subs)));
  return dir;
}

describe('entra live: the same graph as the export of the same tenant', () => {
  it('live and offline scans give the same nodes, edges and usage; every HTTP request counted once', async () => {
    const s = syntheticEntraTenant(45);
    const f = await start(s, { maxPageSize: 10 });
    const { records, calls } = await live(f, { subscriptions: [SUB_A, SUB_B] });
    const offline = await scan({ fromDir: writeExport(s, [SUB_A, SUB_B]) });
    expect(notes(records)).toEqual([]);
    expect(notes(offline.records)).toEqual([]);
    expect(nodeIds(records)).toEqual(nodeIds(offline.records));
    expect(edgeKeys(records)).toEqual(edgeKeys(offline.records));
    expect(facts(records)).toEqual(facts(offline.records));
    // the scan read something real: 45 applications, RBAC Owner grants, a tenant-takeover permission, sign-ins
    expect(nodeIds(records).filter((i) => i.startsWith('entra:application:'))).toHaveLength(45);
    expect(edgeKeys(records).filter((e) => e.includes('-> azure:role-definition:8e3af657-a8ff-443c-a75c-2fe8c4bcb635')).length).toBeGreaterThan(3);
    expect(records.some((r) => r.type === 'node' && r.node.attributes?.tenantTakeover === true)).toBe(true);
    expect(records.filter((r) => r.type === 'usage')).toHaveLength(22);
    expect(records.find((r) => r.type === 'target')).toEqual({ type: 'target', target: { id: `entra:tenant:${TENANT}`, platform: 'entra', kind: 'tenant', name: TENANT } });
    // the connector's count is the fake's, operation by operation (token requests happen inside MSAL, uncounted)
    const { 'identity.token': tokens, ...apiCalls } = f.countByRoute();
    expect(calls.byOperation()).toEqual(apiCalls);
    expect(calls.total).toBe(f.requests.length - tokens);
    expect(tokens).toBeGreaterThanOrEqual(1); // the real DefaultAzureCredential asked the fake's managed-identity endpoint
  });

  it('without --azure-subscriptions no RBAC is read, and an informational note says so', async () => {
    const f = await start(syntheticEntraTenant(5));
    const { records } = await live(f);
    expect(f.requests.filter((r) => r.route.startsWith('arm.'))).toEqual([]);
    expect(notes(records)).toEqual([expect.objectContaining({ source: 'arm:roleAssignments', incomplete: false, message: expect.stringMatching(/no --azure-subscriptions/) })]);
    expect(nodeIds(records).filter((i) => i.startsWith('azure:'))).toEqual([]);
  });
});

describe('entra live: paging and $batch', () => {
  it('follows @odata.nextLink verbatim on every list and inside $batch answers; 20 requests per batch', async () => {
    const s = syntheticEntraTenant(23);
    const f = await start(s, { maxPageSize: 4, latencyMs: 2 });
    const calls = new Counter();
    const ctx: ScanContext = { options: { graphEndpoint: f.url, armEndpoint: f.url, subscriptions: 'all', retryDelayMs: 1 }, now: NOW, log: silent, calls, progress: () => {}, concurrency: 3 };
    const records: GraphRecord[] = [];
    for await (const r of entraConnector.scan(ctx)) records.push(r);
    expect(notes(records)).toEqual([]);
    // never more than --concurrency requests at once (lists, batches and subscriptions share one bound)
    expect(f.maxInFlight).toBeLessThanOrEqual(3);
    const by = f.countByRoute();
    const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
    expect(by['graph.applications.list']).toBe(pages(23, 4));
    expect(by['graph.servicePrincipals.list']).toBe(pages(25, 4)); // 23 apps' service principals, Microsoft Graph, a managed identity
    expect(by['graph.directoryRoleAssignments.list']).toBe(1);
    expect(by['graph.servicePrincipalSignInActivities.list']).toBe(pages(11, 4)); // beta report: no $top, the server's page size
    // owners and federated credentials of 23 apps: 2 batches each; app role assignments of 24 service principals
    // (Microsoft Graph's own is not asked): 2 batches
    expect(by['graph.batch']).toBe(6);
    expect(f.batchItems.filter((i) => i.route === 'graph.applications.owners.list')).toHaveLength(23);
    expect(f.batchItems.filter((i) => i.route === 'graph.servicePrincipals.appRoleAssignments.list')).toHaveLength(24);
    expect(f.batchItems.some((i) => i.url.includes('5a1f0000-0000-4000-8000-0000000000aa'))).toBe(false);
    // every request asked only for the fields map.ts reads, 999 at a time where Graph allows $top
    const appsReq = f.requests.find((r) => r.route === 'graph.applications.list')!;
    expect(decodeURIComponent(appsReq.path)).toContain('$select=id,appId,displayName,createdDateTime,signInAudience,publisherDomain,passwordCredentials,keyCredentials&$top=999');
    // later pages are the server's nextLink, unchanged (its own $skiptoken)
    expect(f.requests.filter((r) => r.route === 'graph.applications.list').map((r) => new URL(r.path, f.url).searchParams.get('$skiptoken'))).toEqual([null, '4', '8', '12', '16', '20']);
    // subscriptions: all the credential sees in this tenant (the third belongs to another tenant)
    expect(f.requests.filter((r) => r.route === 'arm.roleAssignments.listForSubscription').map((r) => r.path.split('/')[2]).sort()).toEqual([SUB_A, SUB_B]);
    // role definitions fetched once per definition, whatever the number of assignments
    expect(by['arm.roleDefinitions.getById']).toBe(2);
  });

  it('a per-object list longer than a page is completed with GETs of its nextLink', async () => {
    const s = syntheticEntraTenant(12); // app 1 and app 11 have two owners
    const f = await start(s, { maxPageSize: 1 });
    const { records } = await live(f);
    expect(notes(records).filter((n) => n.incomplete)).toEqual([]);
    expect(f.countByRoute()['graph.applications.owners.list']).toBe(2);
    const owned = edgeKeys(records).filter((e) => e.startsWith(`OWNED_BY entra:application:${TENANT}/a0000000-0000-4000-8000-000000000001 `));
    expect(owned).toHaveLength(2);
  });
});

describe('entra live: throttling and failures', () => {
  it('429 with Retry-After on a list and on items inside a $batch is retried; nothing is lost', async () => {
    const s = syntheticEntraTenant(30);
    const f = await start(s, { maxPageSize: 10 });
    f.fail({ route: 'graph.applications.list', status: 429, retryAfter: 0, times: 2 });
    f.fail({ route: 'graph.applications.federatedIdentityCredentials.list', status: 429, retryAfter: 0, times: 5 });
    f.fail({ route: 'graph.batch', status: 503, retryAfter: 0, times: 1 });
    const { records, calls } = await live(f);
    expect(notes(records).filter((n) => n.incomplete)).toEqual([]);
    expect(f.countByRoute()['graph.applications.list']).toBe(3 + 2);
    expect(f.batchItems.filter((i) => i.status === 429)).toHaveLength(5);
    // every application's federated credentials arrived (30 answered 200 in the end)
    expect(f.batchItems.filter((i) => i.route === 'graph.applications.federatedIdentityCredentials.list' && i.status === 200)).toHaveLength(30);
    expect(edgeKeys(records).filter((e) => e.startsWith('FEDERATES_TO'))).toHaveLength(7);
    const { 'identity.token': _t, ...apiCalls } = f.countByRoute();
    expect(calls.byOperation()).toEqual(apiCalls);
  });

  it('a 429 that never ends is a coverage note after the bounded retries, not a hang', async () => {
    const f = await start(syntheticEntraTenant(3));
    f.fail({ route: 'graph.directoryRoleAssignments.list', status: 429, retryAfter: 0 });
    const { records } = await live(f, { retries: 2 });
    expect(f.countByRoute()['graph.directoryRoleAssignments.list']).toBe(3);
    expect(notes(records).filter((n) => n.incomplete)).toEqual([expect.objectContaining({ source: 'graph:directoryRoleAssignments', reason: 'throttled', impact: IMPACT.directoryRoleAssignments })]);
  });

  it('403 on the sign-in report: one note naming AuditLog.Read.All and what is lost; the rest of the scan is there', async () => {
    const s = syntheticEntraTenant(8);
    const f = await start(s);
    f.fail({ route: 'graph.servicePrincipalSignInActivities.list', status: 403 });
    const { records } = await live(f, { subscriptions: [SUB_A] });
    const n = notes(records);
    expect(n).toEqual([
      {
        connector: 'entra',
        source: 'graph:signIns',
        scope: TENANT,
        reason: 'permission-denied',
        message: 'the service principal sign-in report (GET /beta/reports/servicePrincipalSignInActivities) could not be read (needs AuditLog.Read.All): 403 Authorization_RequestDenied: Insufficient privileges to complete the operation.',
        impact: IMPACT.signIns,
        incomplete: true,
      },
    ]);
    expect(records.filter((r) => r.type === 'usage')).toEqual([]);
    expect(nodeIds(records).filter((i) => i.startsWith('entra:application:'))).toHaveLength(8);
    expect(edgeKeys(records).some((e) => e.includes('azure:role-definition:'))).toBe(true);
    expect(edgeKeys(records).some((e) => e.startsWith('FEDERATES_TO'))).toBe(true);
  });

  it('403 on the owners of some applications inside $batch: one note, those applications\u2019 owners unknown, the others read', async () => {
    const s = syntheticEntraTenant(6);
    const f = await start(s);
    f.fail({ route: 'graph.applications.owners.list', status: 403, where: 'a0000000-0000-4000-8000-000000000002' });
    const { records } = await live(f);
    const n = notes(records).filter((x) => x.incomplete);
    expect(n).toEqual([expect.objectContaining({ source: 'graph:owners', reason: 'permission-denied', message: expect.stringMatching(/^owners of 1 of 6 applications could not be read \(needs Application\.Read\.All/) })]);
    const app = (i: number) => records.find((r) => r.type === 'node' && r.node.id === `entra:application:${TENANT}/a0000000-0000-4000-8000-00000000000${i}`);
    expect(app(2)).toMatchObject({ node: { attributes: { ownersKnown: false } } });
    expect(app(3)).toMatchObject({ node: { attributes: { ownersKnown: true, ownerCount: 1 } } });
  });

  it('403 on one subscription: a note for it, the other subscription\u2019s assignments are read', async () => {
    const s = syntheticEntraTenant(20);
    const f = await start(s);
    f.fail({ route: 'arm.roleAssignments.listForSubscription', status: 403, where: SUB_B });
    const { records } = await live(f, { subscriptions: 'all' });
    expect(notes(records)).toEqual([
      expect.objectContaining({ source: 'arm:roleAssignments', scope: `/subscriptions/${SUB_B}`, reason: 'permission-denied', incomplete: true, impact: IMPACT.roleAssignments, message: expect.stringMatching(/role assignments of subscription bbbbbbbb-.* could not be read \(needs Reader on the subscription\): 403 .*AuthorizationFailed/) }),
    ]);
    const rbac = records.flatMap((r) => (r.type === 'edge' && r.edge.attributes?.via === 'azure-role-assignment' ? [String(r.edge.attributes.scope)] : []));
    expect(rbac.length).toBeGreaterThan(0);
    expect(rbac.every((sc) => sc.startsWith(`/subscriptions/${SUB_A}`))).toBe(true);
  });

  it('401 from Microsoft Graph stops the scan with a clear CREDENTIALS error', async () => {
    const f = await start(syntheticEntraTenant(3));
    f.fail({ route: 'graph.applications.list', status: 401 });
    const err = await live(f).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NhiError);
    expect(err).toMatchObject({ code: 'CREDENTIALS', message: expect.stringMatching(/^Microsoft Graph refused the token \(401 InvalidAuthenticationToken/), suggestion: expect.stringMatching(/--entra-tenant/) });
  });

  it('--entra-tenant names the tenant; without it the tenant is the token\u2019s tid claim', async () => {
    const other = '0e000000-0000-4000-8000-000000000000';
    const f = await start(syntheticEntraTenant(2));
    const { records } = await live(f, { tenantId: other });
    expect(records.find((r) => r.type === 'target')).toMatchObject({ target: { id: `entra:tenant:${other}` } });
    const own = await live(f);
    expect(own.records.find((r) => r.type === 'target')).toMatchObject({ target: { id: `entra:tenant:${TENANT}` } });
  });
});

describe('entra live: secret material never leaves the boundary', () => {
  it('scrubCredentials keeps ids, names and dates only', () => {
    const app = { id: 'x', passwordCredentials: [{ keyId: 'k', displayName: 'd', startDateTime: 's', endDateTime: 'e', hint: 'abc', secretText: 'SECRET' }], keyCredentials: [{ keyId: 'c', type: 'AsymmetricX509Cert', usage: 'Verify', key: 'KEY', customKeyIdentifier: 'CKI' }] };
    expect(scrubCredentials(app as never)).toEqual({ id: 'x', passwordCredentials: [{ keyId: 'k', displayName: 'd', startDateTime: 's', endDateTime: 'e' }], keyCredentials: [{ keyId: 'c', type: 'AsymmetricX509Cert', usage: 'Verify' }] });
  });

  it('the fake sends secretText, hint and key; no record carries them', async () => {
    const s = syntheticEntraTenant(12);
    const f = await start(s);
    const { records } = await live(f);
    const wire = JSON.stringify(s.tenant.applications);
    for (const sec of SECRETS) expect(wire).toContain(sec); // the fake really serves them
    const text = JSON.stringify(records);
    for (const sec of SECRETS) expect(text).not.toContain(sec);
    expect(records.filter((r) => r.type === 'node' && r.node.kind === 'credential').length).toBeGreaterThan(8);
  });

  it('nhi scan (the built CLI) live: exit 0, and no secret in the SQLite store or any report format; exit 3 on a 403', async () => {
    const s = syntheticEntraTenant(15);
    const f = await start(s);
    const dir = tempDir();
    const store = path.join(dir, 'nhi.db');
    const env = { IDENTITY_ENDPOINT: f.identityEndpoint, IDENTITY_HEADER, NHI_ENTRA_GRAPH_ENDPOINT: f.url, NHI_ENTRA_ARM_ENDPOINT: f.url, AZURE_CLIENT_ID: undefined, AZURE_TENANT_ID: undefined, AZURE_CLIENT_SECRET: undefined };
    const base = ['scan', '--connector', 'entra', '--azure-subscriptions', 'all', '--fail-on', 'none', '--as-of', NOW.toISOString()];
    const json = await nhi([...base, '--store', store, '-f', 'json'], { env });
    expect(json.stderr).not.toMatch(/^nhi: /m);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { summary: { identities: number }; findings: Array<{ ruleId: string }> };
    expect(report.summary.identities).toBeGreaterThanOrEqual(15);
    expect(report.findings.map((x) => x.ruleId)).toEqual(expect.arrayContaining(['azure-rbac-owner-service-principal', 'entra-privileged-application-permission']));
    const outputs = [json.stdout];
    for (const fmt of ['sarif', 'markdown', 'terminal']) {
      const r = await nhi([...base, '--no-store', '-f', fmt], { env });
      expect(r.code).toBe(0);
      outputs.push(r.stdout);
    }
    const files = readdirSync(dir).map((n) => storedText(path.join(dir, n)));
    expect(files.join('').length).toBeGreaterThan(10_000); // the store holds the snapshot
    for (const sec of SECRETS) {
      for (const out of outputs) expect(out).not.toContain(sec);
      for (const file of files) expect(file).not.toContain(sec);
    }
    // a 403 on the sign-in report: the scan completes, says what is missing, and exits 3
    f.fail({ route: 'graph.servicePrincipalSignInActivities.list', status: 403 });
    const partial = await nhi([...base, '--no-store', '-f', 'json'], { env });
    expect(partial.code).toBe(3);
    expect(partial.stderr).toMatch(/scan incomplete/);
    const partialReport = JSON.parse(partial.stdout) as { summary: { identities: number }; coverage: Array<{ source: string; message: string; incomplete: boolean }> };
    expect(partialReport.coverage.filter((c) => c.incomplete)).toEqual([expect.objectContaining({ source: 'graph:signIns', message: expect.stringMatching(/needs AuditLog\.Read\.All/) })]);
    expect(partialReport.summary.identities).toBe(report.summary.identities);
    // no token (a fresh process: MSAL's token cache is empty): exit 2, one line saying what to do, no stack
    const denied = await nhi([...base, '--no-store'], { env: { ...env, IDENTITY_HEADER: 'wrong' } });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/^nhi: .*no Azure credentials for https:\/\/graph\.microsoft\.com/m);
    expect(denied.stderr).toMatch(/az login/);
    expect(denied.stderr).not.toMatch(STACK_LINE);
  }, 120_000);
});
