import { GenerateCredentialReportCommand, GetAccountAuthorizationDetailsCommand, GetCredentialReportCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { estateToCredentialReportCsv, makeSyntheticEstate, startFakeIam, type FakeIam } from '../fakes/aws-iam/server.js';
import { smallEstate } from './aws-estate.js';
import { useFakeCredentials } from './aws-helpers.js';

let fake: FakeIam | undefined;
beforeAll(() => useFakeCredentials());
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function client(url: string): IAMClient {
  return new IAMClient({ region: 'us-east-1', endpoint: url, maxAttempts: 1 });
}

describe('fake IAM server (wire format checked by the real SDK)', () => {
  it('honours Filter.member.N and MaxItems on GetAccountAuthorizationDetails', async () => {
    const estate = smallEstate();
    fake = await startFakeIam(estate, { latencyMs: 2 });
    const r = await client(fake.url).send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 4 }));
    expect(fake.requests[0].params['Filter.member.1']).toBe('Role');
    expect(r.UserDetailList ?? []).toEqual([]);
    expect(r.RoleDetailList?.map((x) => x.RoleName)).toEqual(estate.roles.slice(0, 4).map((x) => x.name));
    expect(r.IsTruncated).toBe(true);
    expect(r.RoleDetailList?.[0].CreateDate).toBeInstanceOf(Date);
    expect(typeof r.RoleDetailList?.[0].AssumeRolePolicyDocument).toBe('string');
    expect(JSON.parse(decodeURIComponent(r.RoleDetailList![0].AssumeRolePolicyDocument!))).toEqual(estate.roles[0].trust);
  });

  it('serves the credential report as base64 CSV only after generation, with the SDK exception names', async () => {
    const estate = smallEstate();
    fake = await startFakeIam(estate, { reportPolls: 0 });
    const c = client(fake.url);
    await expect(c.send(new GetCredentialReportCommand({}))).rejects.toMatchObject({ name: 'CredentialReportNotPresentException', $metadata: { httpStatusCode: 410 } });
    await c.send(new GenerateCredentialReportCommand({}));
    const r = await c.send(new GetCredentialReportCommand({}));
    expect(Buffer.from(r.Content!).toString('utf8')).toBe(estateToCredentialReportCsv(estate));
  });

  it('injected errors: deny is AccessDenied (403); status/code errors stop after `times`', async () => {
    fake = await startFakeIam(smallEstate());
    const c = client(fake.url);
    fake.fail('ListAccessKeys', { status: 500, code: 'ServiceFailure', times: 1 });
    await expect(c.send(new ListAccessKeysCommand({ UserName: 'alice' }))).rejects.toMatchObject({ name: 'ServiceFailureException', $metadata: { httpStatusCode: 500 } });
    await expect(c.send(new ListAccessKeysCommand({ UserName: 'deployer' }))).resolves.toMatchObject({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAOLDKEY0000000001' }, { AccessKeyId: 'AKIANEWKEY0000000002' }] });
    fake.fail('ListAccessKeys', 'deny');
    await expect(c.send(new ListAccessKeysCommand({ UserName: 'deployer' }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(c.send(new ListAccessKeysCommand({ UserName: 'nobody' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('synthetic estate', () => {
  it('is deterministic per seed and has the requested number of users + roles', () => {
    const a = makeSyntheticEstate({ identities: 300, seed: 42 });
    const b = makeSyntheticEstate({ identities: 300, seed: 42 });
    const c = makeSyntheticEstate({ identities: 300, seed: 43 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    expect(a.users.length + a.roles.length).toBe(300);
  });

  it('mixes the risks the rules look for', () => {
    const e = makeSyntheticEstate({ identities: 1000, seed: 1 });
    const asOf = Date.parse('2026-06-01T00:00:00Z');
    const oldKeys = e.users.flatMap((u) => u.keys).filter((k) => asOf - Date.parse(k.createDate) > 365 * 86_400_000);
    const neverUsed = e.users.flatMap((u) => u.keys).filter((k) => !k.lastUsed);
    const trustJson = e.roles.map((r) => JSON.stringify(r.trust));
    expect(oldKeys.length).toBeGreaterThan(10);
    expect(neverUsed.length).toBeGreaterThan(10);
    expect(e.roles.filter((r) => !r.lastUsed).length).toBeGreaterThan(10);
    expect(e.users.filter((u) => u.attached.includes('arn:aws:iam::aws:policy/AdministratorAccess')).length).toBeGreaterThan(5);
    expect(trustJson.filter((t) => t.includes('oidc-provider') && !t.includes(':sub')).length).toBeGreaterThan(5);
    expect(trustJson.filter((t) => t.includes(':sub')).length).toBeGreaterThan(5);
    expect(trustJson.filter((t) => /arn:aws:iam::\d{12}:root/.test(t) && !t.includes(e.accountId)).length).toBeGreaterThan(5);
    expect(trustJson.some((t) => t.includes('"Principal":"*"'))).toBe(true);
  });
});
