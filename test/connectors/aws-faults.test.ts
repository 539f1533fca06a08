/**
 * Transport faults through the real @aws-sdk/client-iam against the loopback fake IAM: bodies cut mid-way, complete
 * 2xx answers that are not the action's response document, requests never answered, the scan deadline.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsConnector } from '../../connectors/aws/index.js';
import { classifyError } from '../../connectors/aws/live.js';
import { runScan } from '../../src/engine/engine.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import { RULES } from '../../src/rules/index.js';
import { makeSyntheticEstate, startFakeIam, type FakeEstate, type FakeIam } from '../fakes/aws-iam/server.js';
import { ACCOUNT, smallEstate, usersWithKeys } from './aws-estate.js';
import { liveOptions, makeCtx, NOW, scanAll, silent, useFakeCredentials } from './aws-helpers.js';

let fake: FakeIam | undefined;
async function start(estate: FakeEstate = smallEstate(), opts?: Parameters<typeof startFakeIam>[1]): Promise<FakeIam> {
  fake = await startFakeIam(estate, opts);
  return fake;
}
beforeAll(() => useFakeCredentials());
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const gaps = (g: IdentityGraph) => g.coverage.filter((c) => c.incomplete);
const facts = (g: IdentityGraph) =>
  [
    ...[...g.nodes.keys()].map((id) => `node ${id}`),
    ...g.edges.map((e) => `edge ${e.type} ${e.from} ${e.to}`),
    ...g.usage.map((u) => `usage ${u.nodeId} ${u.scope.kind}:${u.scope.name ?? ''} ${u.lastUsedAt}`),
  ].sort();
const EMPTY_XML = { kind: 'body' as const, body: '', contentType: 'text/xml' };

describe('aws: responses cut mid-body or not the response document', () => {
  it('a cut body is retried by the SDK and nothing is lost; every attempt counted', async () => {
    const f = await start(smallEstate(), { pageSize: 5 });
    f.fault('GetAccountAuthorizationDetails', { kind: 'cut' }, { nth: [2] });
    f.fault('ListAccessKeys', { kind: 'cut', keep: 10 }, { nth: [1] });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false }));
    const { graph } = await scanAll(ctx);
    expect(f.injected).toHaveLength(2);
    expect(gaps(graph)).toEqual([]);
    expect(ctx.calls.total).toBe(f.requests.length);
    expect(ctx.calls.byOperation()['iam:ListAccessKeys']).toBe(usersWithKeys(smallEstate()) + 1);
    f.clear();
    const clean = await scanAll(makeCtx(liveOptions(f.url, { serviceLastAccessed: false })));
    expect(facts(graph)).toEqual(facts(clean.graph));
  });

  it.each([
    ['an empty 200 body', EMPTY_XML, /the response body was empty/],
    ['a response document without its result', { kind: 'body' as const, body: '<ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"/>', contentType: 'text/xml' }, /not a whole ListAccessKeysResponse/],
    ['XML cut short without a dropped connection', { kind: 'body' as const, body: '<ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccessKeysResult><AccessKeyMetadata><member>', contentType: 'text/xml' }, /not a whole ListAccessKeysResponse/],
  ])('%s is refused, retried, then an incomplete note; never an account without keys', async (_l, fault, why) => {
    const f = await start();
    f.fault('ListAccessKeys', fault);
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false, maxAttempts: 2 }));
    const { graph } = await scanAll(ctx);
    const note = gaps(graph).find((c) => c.source === 'iam:ListAccessKeys');
    expect(note).toMatchObject({ reason: 'error', incomplete: true, scope: ACCOUNT });
    expect(note!.message).toMatch(why);
    expect(note!.message).toContain('2 attempts');
    expect(ctx.calls.byOperation()['iam:ListAccessKeys']).toBe(usersWithKeys(smallEstate()) * 2);
  });

  it('an empty answer to GetAccountAuthorizationDetails fails the source loudly instead of reporting an empty account', async () => {
    const f = await start();
    f.fault('GetAccountAuthorizationDetails', EMPTY_XML);
    const ctx = makeCtx(liveOptions(f.url, { maxAttempts: 2 }));
    await expect(scanAll(ctx)).rejects.toThrow(/iam:GetAccountAuthorizationDetails failed: IncompleteResponse: the response body was empty, 2 attempts/);
    expect(ctx.calls.byOperation()['iam:GetAccountAuthorizationDetails']).toBe(2);
  });

  it.each([1, 2, 3, 4])('a tenth of all responses cut or empty, one attempt each (seed %i): full data, or an incomplete note', async (seed) => {
    const estate = makeSyntheticEstate({ identities: 30, seed: 3 });
    const f = await start(estate, { pageSize: 10 });
    const clean = await scanAll(makeCtx(liveOptions(f.url, { lastAccessedConcurrency: 4 })));
    f.requests.length = 0;
    f.fault(/./, { kind: 'cut' }, { rate: 0.07, seed });
    f.fault(/./, EMPTY_XML, { rate: 0.03, seed: seed + 10 });
    const ctx = makeCtx(liveOptions(f.url, { lastAccessedConcurrency: 4, maxAttempts: 1 }));
    const outcome = await scanAll(ctx).catch((err: unknown) => err as Error);
    expect(f.injected.length).toBeGreaterThan(0);
    if (outcome instanceof Error) {
      // the authorization details were hit: the whole source failed, loudly
      expect(outcome.message).toMatch(/iam:GetAccountAuthorizationDetails failed/);
      return;
    }
    // every call that got a fault is named by a coverage note: nothing was lost quietly
    const noted = new Set(outcome.graph.coverage.map((c) => c.source));
    expect([...new Set(f.injected.map((i) => `iam:${i.route}`))].filter((src) => !noted.has(src))).toEqual([]);
    if (gaps(outcome.graph).length === 0) expect(facts(outcome.graph)).toEqual(facts(clean.graph));
  });
});

describe('aws: timeouts and the scan deadline', () => {
  it('an action that never answers times out per attempt, is retried by the SDK, and becomes a timeout note; the rest is kept', async () => {
    const f = await start();
    f.fault('ListAccessKeys', { kind: 'hang' });
    const t0 = Date.now();
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false, requestTimeoutMs: 300, maxAttempts: 2 }));
    const { graph } = await scanAll(ctx);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const note = gaps(graph).find((c) => c.source === 'iam:ListAccessKeys');
    expect(note).toMatchObject({ reason: 'timeout', incomplete: true, scope: ACCOUNT });
    expect(note!.message).toMatch(/^iam:ListAccessKeys timed out \(.*2 attempts\)/);
    expect(ctx.calls.byOperation()['iam:ListAccessKeys']).toBe(usersWithKeys(smallEstate()) * 2);
    // roles, groups, the credential report: all there
    expect([...graph.nodes.values()].filter((n) => n.type === 'iam-role').length).toBeGreaterThan(5);
    expect(graph.node(`aws:root:${ACCOUNT}`)).toBeDefined();
  });

  it('a body that stalls half-way times out too', async () => {
    const f = await start();
    f.fault('GetAccessKeyLastUsed', { kind: 'stall' });
    f.fault('GenerateCredentialReport', { kind: 'stall' });
    const ctx = makeCtx(liveOptions(f.url, { serviceLastAccessed: false, requestTimeoutMs: 300, maxAttempts: 1 }));
    const { graph } = await scanAll(ctx);
    expect(graph.coverage.find((c) => c.source === 'iam:GenerateCredentialReport')).toMatchObject({ reason: 'timeout', incomplete: true });
    expect(graph.coverage.find((c) => c.source === 'iam:GetAccessKeyLastUsed')).toMatchObject({ reason: 'timeout' });
  });

  it('the scan deadline aborts in-flight calls: the run ends promptly with a timeout note and its target', async () => {
    const f = await start();
    f.fault('GenerateServiceLastAccessedDetails', { kind: 'hang' });
    const t0 = Date.now();
    const result = await runScan({ jobs: [{ connector: awsConnector, options: liveOptions(f.url) }], now: NOW, rules: RULES, log: silent, deadlineMs: 1000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(result.connectors[0].targets).toEqual([{ id: `aws:account:${ACCOUNT}`, platform: 'aws', kind: 'account', name: ACCOUNT }]);
    expect(result.coverage).toEqual([expect.objectContaining({ connector: 'aws', reason: 'timeout', incomplete: true })]);
    expect(result.incomplete).toBe(true);
  });

  it('ctx.signal is honoured: a cancelled scan stops at once', async () => {
    const f = await start();
    f.fault('GetAccountAuthorizationDetails', { kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 300);
    const t0 = Date.now();
    await expect(scanAll(makeCtx(liveOptions(f.url), { signal: controller.signal }))).rejects.toThrow(/cancelled by the test/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('aws: target, progress, URLs in messages', () => {
  it('the account target comes from the ARNs IAM returned; progress has counts', async () => {
    const f = await start();
    const ctx = makeCtx(liveOptions(f.url));
    const { records } = await scanAll(ctx);
    expect(records.filter((r) => r.type === 'target')).toEqual([{ type: 'target', target: { id: `aws:account:${ACCOUNT}`, platform: 'aws', kind: 'account', name: ACCOUNT } }]);
    // only users whose credential-report row shows a key are listed; the report answers their keys' last use
    const users = usersWithKeys(smallEstate());
    expect(ctx.steps).toContain(`access keys listed for ${users}/${users} users`);
    expect(ctx.steps.some((s) => s.startsWith('access keys read'))).toBe(false);
    expect(ctx.steps.some((s) => /^service last-accessed jobs started (\d+)\/\1$/.test(s))).toBe(true);
    expect(ctx.steps.some((s) => /^service last-accessed jobs (\d+)\/\1$/.test(s))).toBe(true);
  });

  it('a URL with a token in an SDK error loses it', () => {
    const e = Object.assign(new Error('connect failed to https://user:CANARY1@iam.example.com/?X-Amz-Security-Token=CANARY2'), { name: 'Error' });
    const info = classifyError(e);
    expect(info.text).toBe('connect failed to https://iam.example.com');
    expect(info.text).not.toMatch(/CANARY/);
  });
});
