import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsConnector } from '../../connectors/aws/index.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { CredentialNode } from '../../src/model/types.js';
import { NhiError } from '../../src/util/errors.js';
import { reportSlotFor, type LiveAccessKey } from '../../connectors/aws/map.js';
import { makeSyntheticEstate, principalArns, startFakeIam, type FakeEstate, type FakeIam, type FakeIamOptions } from '../fakes/aws-iam/server.js';
import { ACCOUNT, ambiguousKeysEstate, PLANTED_SECRET, smallEstate, usersWithKeys } from './aws-estate.js';
import { idsOfType, liveOptions, makeCtx, scanAll, useFakeCredentials } from './aws-helpers.js';

let fake: FakeIam | undefined;
async function start(estate: FakeEstate, opts?: FakeIamOptions): Promise<FakeIam> {
  fake = await startFakeIam(estate, opts);
  return fake;
}

beforeAll(() => useFakeCredentials());
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const DEPLOYER = `arn:aws:iam::${ACCOUNT}:user/ci/deployer`;
/** notes about missing data (the informational "skipped by option" note is not one) */
const gaps = (g: IdentityGraph) => g.coverage.filter((c) => c.incomplete);

describe('aws live scan against the fake IAM (real @aws-sdk/client-iam)', () => {
  it('reads every page of GetAccountAuthorizationDetails and maps all identities', async () => {
    const estate = makeSyntheticEstate({ identities: 60, seed: 7 });
    const f = await start(estate, { pageSize: 7 });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);

    const pages = f.requests.filter((r) => r.action === 'GetAccountAuthorizationDetails');
    const items = estate.users.length + estate.roles.length + estate.groups.length + estate.policies.length;
    expect(pages.length).toBe(Math.ceil(items / 7));
    expect(pages[0].params.MaxItems).toBe('1000');
    expect(pages[0].params.Marker).toBeUndefined();
    expect(pages.slice(1).every((p) => typeof p.params.Marker === 'string' && p.params.Marker.length > 0)).toBe(true);

    expect(idsOfType(graph, 'iam-user')).toHaveLength(estate.users.length);
    expect(idsOfType(graph, 'iam-role').filter((id) => !graph.node(id)!.attributes?.external)).toHaveLength(estate.roles.length);
    expect(idsOfType(graph, 'iam-group')).toHaveLength(estate.groups.length);
    expect(idsOfType(graph, 'managed-policy')).toHaveLength(estate.policies.length);
    expect(ctx.calls.byOperation()['iam:GetAccountAuthorizationDetails']).toBe(pages.length);
  });

  it('generates the credential report once (STARTED), then polls GetCredentialReport while ReportInProgress', async () => {
    const f = await start(smallEstate(), { reportPolls: 3 });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);
    const actions = f.requests.map((r) => r.action).filter((a) => a.includes('CredentialReport'));
    expect(actions).toEqual(['GenerateCredentialReport', 'GetCredentialReport', 'GetCredentialReport', 'GetCredentialReport']);
    expect(graph.node(`aws:iam-user:arn:aws:iam::${ACCOUNT}:user/alice`)).toMatchObject({ accountType: 'human' });
    expect(graph.node(`aws:root:${ACCOUNT}`)).toBeDefined();
    expect(gaps(graph)).toEqual([]);
  });

  it('keeps polling while GetCredentialReport says ReportInProgress', async () => {
    const f = await start(smallEstate(), { reportPolls: 0 });
    f.fail('GetCredentialReport', { status: 404, code: 'ReportInProgress', times: 2 });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);
    expect(f.requests.filter((r) => r.action === 'GetCredentialReport')).toHaveLength(3);
    expect(graph.node(`aws:password:arn:aws:iam::${ACCOUNT}:user/alice`)).toBeDefined();
    expect(gaps(graph)).toEqual([]);
  });

  it('a credential report that never completes becomes an incomplete note, the rest of the scan stands', async () => {
    const f = await start(smallEstate(), { reportPolls: 1000 });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false, pollTimeoutMs: 30 }));
    const { graph } = await scanAll(ctx);
    expect(gaps(graph)).toHaveLength(1);
    expect(gaps(graph)[0]).toMatchObject({ source: 'iam:GetCredentialReport', reason: 'unavailable', incomplete: true, scope: ACCOUNT });
    // keys still come from ListAccessKeys
    expect(graph.credentialsOf(`aws:iam-user:${DEPLOYER}`).map((c) => c.id).sort()).toEqual(['aws:access-key:AKIANEWKEY0000000002', 'aws:access-key:AKIAOLDKEY0000000001']);
  });

  it('retries throttled calls with the SDK back-off, counts every attempt, and loses nothing', async () => {
    const estate = smallEstate();
    const f = await start(estate, { pageSize: 5 });
    f.fail('GetAccountAuthorizationDetails', { throttle: 2 });
    f.fail('ListAccessKeys', { throttle: 1 });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);

    const byOp = ctx.calls.byOperation();
    const served = (a: string) => f.requests.filter((r) => r.action === a).length;
    expect(byOp['iam:GetAccountAuthorizationDetails']).toBe(served('GetAccountAuthorizationDetails'));
    expect(byOp['iam:GetAccountAuthorizationDetails']).toBe(Math.ceil((estate.users.length + estate.roles.length + estate.groups.length + estate.policies.length) / 5) + 2);
    expect(byOp['iam:ListAccessKeys']).toBe(usersWithKeys(estate) + 1);
    expect(ctx.calls.total).toBe(f.requests.length);
    expect(gaps(graph)).toEqual([]);
    expect(idsOfType(graph, 'iam-role').filter((id) => !graph.node(id)!.attributes?.external)).toHaveLength(estate.roles.length);
  });

  it('throttled beyond maxAttempts: a throttled coverage note for that API only', async () => {
    const f = await start(ambiguousKeysEstate());
    f.fail('GetAccessKeyLastUsed', { throttle: 100 });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false, maxAttempts: 2 }));
    const { graph } = await scanAll(ctx);
    const note = graph.coverage.find((c) => c.source === 'iam:GetAccessKeyLastUsed');
    expect(note).toMatchObject({ reason: 'throttled' });
    // two attempts per key
    expect(ctx.calls.byOperation()['iam:GetAccessKeyLastUsed']).toBe(2 * 2);
    // last use falls back to the credential report
    const old = graph.node('aws:access-key:AKIAOLDKEY0000000001') as CredentialNode;
    expect(old.lastUsedAt).toBe('2024-02-01T00:00:00.000Z');
  });

  it('AccessDenied on ListAccessKeys: one incomplete note naming the permission; keys fall back to report slots; other data present', async () => {
    const f = await start(smallEstate());
    f.fail('ListAccessKeys', 'deny');
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);
    expect(gaps(graph)).toHaveLength(1);
    const note = gaps(graph)[0];
    expect(note).toMatchObject({ connector: 'aws', source: 'iam:ListAccessKeys', reason: 'permission-denied', incomplete: true });
    expect(note.message).toContain('iam:ListAccessKeys');
    expect(note.message).not.toContain('\n');
    // denied once: the remaining users are not tried
    expect(f.requests.filter((r) => r.action === 'ListAccessKeys').length).toBeLessThanOrEqual(ctx.concurrency);
    expect(graph.credentialsOf(`aws:iam-user:${DEPLOYER}`).filter((c) => c.type === 'access-key').map((c) => c.id).sort()).toEqual([`aws:access-key:${DEPLOYER}#1`, `aws:access-key:${DEPLOYER}#2`]);
    expect(idsOfType(graph, 'iam-role').length).toBeGreaterThan(5);
  });

  it('AccessDenied on GenerateServiceLastAccessedDetails: incomplete note, no service usage, everything else present', async () => {
    const f = await start(smallEstate());
    f.fail('GenerateServiceLastAccessedDetails', 'deny');
    const ctx = makeCtx(liveOptions(f.url));
    const { graph } = await scanAll(ctx);
    expect(graph.coverage.map((c) => [c.source, c.reason, c.incomplete])).toEqual([['iam:GenerateServiceLastAccessedDetails', 'permission-denied', true]]);
    expect(graph.usage.filter((u) => u.scope.kind === 'service')).toEqual([]);
    expect(graph.node('aws:access-key:AKIANEWKEY0000000002')).toBeDefined();
    expect(f.requests.filter((r) => r.action === 'GetServiceLastAccessedDetails')).toEqual([]);
  });

  it('service last accessed: one job per user, role and group, polled while IN_PROGRESS and read page by page', async () => {
    const estate = smallEstate();
    const f = await start(estate, { lastAccessedPolls: 2, pageSize: 1 });
    const ctx = makeCtx(liveOptions(f.url, { lastAccessedConcurrency: 3 }));
    const { graph } = await scanAll(ctx);
    const jobs = f.requests.filter((r) => r.action === 'GenerateServiceLastAccessedDetails');
    expect(jobs).toHaveLength(estate.users.length + estate.roles.length + estate.groups.length);
    expect(jobs.every((j) => j.params.Granularity === 'SERVICE_LEVEL')).toBe(true);
    const deployerJob = f.requests.filter((r) => r.action === 'GetServiceLastAccessedDetails' && r.params.Marker !== undefined);
    expect(deployerJob.length).toBeGreaterThan(0); // the deployer's two services come on two pages
    const facts = graph.usageFor(`aws:iam-user:${DEPLOYER}`).filter((u) => u.scope.kind === 'service');
    expect(facts.map((u) => [u.scope.name, u.lastUsedAt]).sort()).toEqual([
      ['s3', '2026-05-30T00:00:00.000Z'],
      ['sqs', null],
    ]);
    expect(facts[0].provenance.source).toBe('iam:GetServiceLastAccessedDetails');
    expect(gaps(graph)).toEqual([]);
  });

  it('live key ids replace report slots without duplicates, with last use from the credential report', async () => {
    const f = await start(smallEstate());
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);
    const keys = graph.credentialsOf(`aws:iam-user:${DEPLOYER}`).filter((c) => c.type === 'access-key');
    expect(keys.map((k) => [k.id, k.attributes?.slot, k.active, k.lastUsedAt]).sort()).toEqual([
      ['aws:access-key:AKIANEWKEY0000000002', 2, true, null],
      ['aws:access-key:AKIAOLDKEY0000000001', 1, false, '2024-02-01T00:00:00.000Z'],
    ]);
    expect(idsOfType(graph, 'access-key').filter((id) => id.includes('#'))).toEqual([`aws:access-key:arn:aws:iam::${ACCOUNT}:root#1`]);
    expect(keys[0].provenance.map((p) => p.source)).toContain('iam:ListAccessKeys');
  });

  it('GetAccountAuthorizationDetails denied: the scan throws (the whole source failed)', async () => {
    const f = await start(smallEstate());
    f.fail('GetAccountAuthorizationDetails', 'deny');
    const ctx = makeCtx(liveOptions(f.url));
    await expect(scanAll(ctx)).rejects.toThrow(/iam:GetAccountAuthorizationDetails failed: AccessDenied/);
  });

  it('records never carry secret values', async () => {
    const estate = smallEstate();
    const f = await start(estate);
    const ctx = makeCtx(liveOptions(f.url));
    const { records } = await scanAll(ctx);
    const text = JSON.stringify(records);
    expect(text).not.toContain(PLANTED_SECRET);
    for (const u of estate.users) for (const k of u.keys) expect(text).not.toContain(k.secret);
    // nothing shaped like a secret access key (40 chars of base64 alphabet standing alone)
    expect(text.match(/(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/g)).toBeNull();
    expect(text).not.toContain(process.env.AWS_SECRET_ACCESS_KEY!);
  });

  it('--no-last-accessed: no jobs, one informational (not incomplete) note', async () => {
    const f = await start(smallEstate());
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);
    expect(f.requests.some((r) => r.action.includes('ServiceLastAccessed'))).toBe(false);
    expect(graph.coverage).toEqual([expect.objectContaining({ source: 'iam:GenerateServiceLastAccessedDetails', incomplete: false })]);
  });

  it('progress is reported per phase', async () => {
    const f = await start(smallEstate());
    const ctx = makeCtx(liveOptions(f.url));
    await scanAll(ctx);
    expect(ctx.steps[0]).toMatch(/authorization details/);
    expect(ctx.steps.some((s) => /credential report/.test(s))).toBe(true);
    expect(ctx.steps.some((s) => /access keys/.test(s))).toBe(true);
    expect(ctx.steps.some((s) => /service last-accessed jobs \d+\/\d+/.test(s))).toBe(true);
  });
});

describe('aws live validate', () => {
  it('passes when the default chain finds credentials (no API call)', async () => {
    const f = await start(smallEstate());
    await expect(awsConnector.validate(makeCtx(liveOptions(f.url)))).resolves.toBeUndefined();
    expect(f.requests).toEqual([]);
  });

  it('an unknown profile is a CREDENTIALS error with a suggestion', async () => {
    const saved = { cfg: process.env.AWS_CONFIG_FILE, cred: process.env.AWS_SHARED_CREDENTIALS_FILE };
    process.env.AWS_CONFIG_FILE = '/nonexistent/nhi-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/nhi-credentials';
    try {
      const err = await awsConnector.validate(makeCtx({ profile: 'nhi-no-such-profile' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NhiError);
      expect(err).toMatchObject({ code: 'CREDENTIALS', exitCode: 2 });
      expect((err as NhiError).message).toMatch(/^no usable AWS credentials: /);
      expect((err as NhiError).message).not.toContain('\n');
      expect((err as NhiError).suggestion).toMatch(/--profile/);
    } finally {
      if (saved.cfg === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved.cfg;
      if (saved.cred === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      else process.env.AWS_SHARED_CREDENTIALS_FILE = saved.cred;
    }
  });
});

// How many IAM calls a live scan makes: the minimum for what it reads (authorization-detail pages, one credential
// report, one last-accessed job and one read per principal, ListAccessKeys only for users the report shows with keys),
// with GetAccessKeyLastUsed only where the credential report cannot answer.
const served = (f: FakeIam, action: string) => f.requests.filter((r) => r.action === action);

describe('aws live scan: calls per operation', () => {
  it('a small estate (users with and without keys) costs exactly the minimum', async () => {
    const estate = smallEstate();
    expect(estate.users.some((u) => u.keys.length === 0)).toBe(true);
    const f = await start(estate);
    const ctx = makeCtx(liveOptions(f.url));
    const { graph } = await scanAll(ctx);
    const principals = principalArns(estate).length;
    const items = principals + estate.policies.length;
    expect(ctx.calls.byOperation()).toEqual({
      'iam:GetAccountAuthorizationDetails': Math.ceil(items / 100),
      'iam:GenerateCredentialReport': 1,
      'iam:GetCredentialReport': 1,
      'iam:ListAccessKeys': usersWithKeys(estate),
      'iam:GenerateServiceLastAccessedDetails': principals,
      'iam:GetServiceLastAccessedDetails': principals,
    });
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
  });

  it('a synthetic estate whose jobs take time: about one GetServiceLastAccessedDetails per job, nothing lost', async () => {
    const estate = makeSyntheticEstate({ identities: 150, seed: 3 });
    const f = await start(estate, { lastAccessedMs: 40, latencyMs: 1 });
    const ctx = makeCtx(liveOptions(f.url, { pollIntervalMs: 20 }));
    const { graph } = await scanAll(ctx);
    const byOp = ctx.calls.byOperation();
    const principals = principalArns(estate).length;
    expect(byOp['iam:GenerateServiceLastAccessedDetails']).toBe(principals);
    expect(byOp['iam:GetServiceLastAccessedDetails']).toBeLessThanOrEqual(Math.ceil(principals * 1.1));
    expect(byOp['iam:ListAccessKeys']).toBe(usersWithKeys(estate));
    expect(byOp['iam:GetAccessKeyLastUsed']).toBeUndefined();
    expect(byOp['iam:GenerateCredentialReport']).toBe(1);
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
    // every key's last use is what GetAccessKeyLastUsed would have said
    for (const u of estate.users)
      for (const k of u.keys) {
        const node = graph.node(`aws:access-key:${k.id}`) as CredentialNode;
        expect(node.lastUsedAt).toBe(k.lastUsed ? new Date(k.lastUsed.date).toISOString() : null);
        expect(node.attributes?.lastUsedService).toBe(k.lastUsed?.service);
        expect(node.attributes?.lastUsedRegion).toBe(k.lastUsed?.region);
      }
  });

  it('a user whose report row shows keys gets ListAccessKeys, and the keys last use from the report (no GetAccessKeyLastUsed)', async () => {
    const f = await start(smallEstate());
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);
    expect(served(f, 'ListAccessKeys').map((r) => r.params.UserName)).toEqual(['deployer']);
    expect(served(f, 'GetAccessKeyLastUsed')).toEqual([]);
    const keys = graph.credentialsOf(`aws:iam-user:${DEPLOYER}`).filter((c) => c.type === 'access-key');
    expect(keys.map((k) => [k.id, k.lastUsedAt, k.attributes?.lastUsedService, k.attributes?.lastUsedRegion]).sort()).toEqual([
      ['aws:access-key:AKIANEWKEY0000000002', null, undefined, undefined],
      ['aws:access-key:AKIAOLDKEY0000000001', '2024-02-01T00:00:00.000Z', 's3', 'eu-west-1'],
    ]);
    for (const k of keys) expect(k.provenance.map((p) => p.source).sort()).toEqual(['iam:GetCredentialReport', 'iam:ListAccessKeys']);
  });

  it('keys the report cannot be tied to (two created in the same second) fall back to GetAccessKeyLastUsed', async () => {
    const f = await start(ambiguousKeysEstate());
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);
    expect(served(f, 'GetAccessKeyLastUsed').map((r) => r.params.AccessKeyId).sort()).toEqual(['AKIANEWKEY0000000002', 'AKIAOLDKEY0000000001']);
    const old = graph.node('aws:access-key:AKIAOLDKEY0000000001') as CredentialNode;
    expect(old.lastUsedAt).toBe('2024-02-01T00:00:00.000Z');
    expect(old.provenance.map((p) => p.source)).toContain('iam:GetAccessKeyLastUsed');
    expect((graph.node('aws:access-key:AKIANEWKEY0000000002') as CredentialNode).lastUsedAt).toBeNull();
  });

  it('without a credential report every user is listed and every key read', async () => {
    const estate = smallEstate();
    const f = await start(estate);
    f.fail('GenerateCredentialReport', 'deny');
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    await scanAll(ctx);
    expect(served(f, 'ListAccessKeys')).toHaveLength(estate.users.length);
    expect(served(f, 'GetAccessKeyLastUsed')).toHaveLength(estate.users.flatMap((u) => u.keys).length);
  });

  it('a last-accessed job still IN_PROGRESS is polled again, with back-off, and its data is kept', async () => {
    const estate = smallEstate();
    const f = await start(estate, { lastAccessedPolls: 1 });
    const ctx = makeCtx(liveOptions(f.url));
    const { graph } = await scanAll(ctx);
    const jobs = served(f, 'GenerateServiceLastAccessedDetails').length;
    expect(served(f, 'GetServiceLastAccessedDetails')).toHaveLength(2 * jobs);
    const facts = graph.usageFor(`aws:iam-user:${DEPLOYER}`).filter((u) => u.scope.kind === 'service');
    expect(facts.map((u) => u.scope.name).sort()).toEqual(['s3', 'sqs']);
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
  });

  it('a report that is still being generated: one GenerateCredentialReport, GetCredentialReport polled until ready', async () => {
    const f = await start(smallEstate(), { reportPolls: 2 });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    await scanAll(ctx);
    expect(f.requests.map((r) => r.action).filter((a) => a.includes('CredentialReport'))).toEqual(['GenerateCredentialReport', 'GetCredentialReport', 'GetCredentialReport']);
  });

  it('an expired report is generated again', async () => {
    const f = await start(smallEstate(), { reportPolls: 0 });
    f.fail('GetCredentialReport', { status: 410, code: 'ReportExpired', times: 1 });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);
    expect(f.requests.map((r) => r.action).filter((a) => a.includes('CredentialReport'))).toEqual(['GenerateCredentialReport', 'GetCredentialReport', 'GenerateCredentialReport', 'GetCredentialReport']);
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
  });
});

describe('reportSlotFor: when the credential report answers a key', () => {
  const row = (slot1: Partial<Record<string, string>>, slot2: Partial<Record<string, string>> = {}) => ({
    user: 'u',
    arn: 'arn:aws:iam::123456789012:user/u',
    access_key_1_active: 'true',
    access_key_1_last_rotated: '2025-01-01T10:00:00+00:00',
    access_key_1_last_used_date: '2025-02-01T00:00:00+00:00',
    access_key_1_last_used_service: 's3',
    access_key_1_last_used_region: 'us-east-1',
    access_key_2_active: 'false',
    access_key_2_last_rotated: 'N/A',
    access_key_2_last_used_date: 'N/A',
    access_key_2_last_used_service: 'N/A',
    access_key_2_last_used_region: 'N/A',
    ...Object.fromEntries(Object.entries(slot1).map(([k, v]) => [`access_key_1_${k}`, v!])),
    ...Object.fromEntries(Object.entries(slot2).map(([k, v]) => [`access_key_2_${k}`, v!])),
  });
  const key = (id: string, created: string, status = 'Active'): LiveAccessKey => ({ AccessKeyId: id, CreateDate: new Date(created), Status: status });
  const a = key('AKIA1', '2025-01-01T10:00:00.400Z');

  it('ties a key to the one slot with its creation second', () => {
    expect(reportSlotFor(a, [a], row({}))).toMatchObject({ slot: 1, lastUsedAt: '2025-02-01T00:00:00.000Z', service: 's3' });
  });
  it('not when there is no row, no slot of that second (a key newer than the report), or the status disagrees', () => {
    expect(reportSlotFor(a, [a], undefined)).toBeUndefined();
    const newer = key('AKIA2', '2025-03-01T00:00:00Z');
    expect(reportSlotFor(newer, [a, newer], row({}))).toBeUndefined();
    const inactive = key('AKIA3', '2025-01-01T10:00:00Z', 'Inactive');
    expect(reportSlotFor(inactive, [inactive], row({}))).toBeUndefined();
  });
  it('not when two keys or two slots share the second, or the slot states no last use', () => {
    const twin = key('AKIA4', '2025-01-01T10:00:00.900Z');
    expect(reportSlotFor(a, [a, twin], row({}))).toBeUndefined();
    expect(reportSlotFor(a, [a], row({}, { active: 'true', last_rotated: '2025-01-01T10:00:00+00:00' }))).toBeUndefined();
    expect(reportSlotFor(a, [a], row({ last_used_date: 'no_information' }))).toBeUndefined();
  });
});
