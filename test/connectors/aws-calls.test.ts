/**
 * How many IAM calls a live scan makes: the minimum for what it reads (authorization-detail pages, one credential
 * report, one last-accessed job and one read per principal, ListAccessKeys only for users the report shows with
 * keys), with GetAccessKeyLastUsed only where the credential report cannot answer.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reportSlotFor, type LiveAccessKey } from '../../connectors/aws/map.js';
import type { CredentialNode } from '../../src/model/types.js';
import { makeSyntheticEstate, principalArns, startFakeIam, type FakeEstate, type FakeIam, type FakeIamOptions } from '../fakes/aws-iam/server.js';
import { ACCOUNT, ambiguousKeysEstate, smallEstate, usersWithKeys } from './aws-estate.js';
import { liveOptions, makeCtx, scanAll, useFakeCredentials } from './aws-helpers.js';

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
