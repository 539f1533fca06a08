/**
 * `nhi scan --aws-organization`, collection side: the Organizations tree and SCPs/RCPs read through the real
 * @aws-sdk/client-organizations, each member account entered through STS AssumeRole and scanned through the real IAM
 * client, all against the loopback fake (test/fakes/aws-iam/server.ts) whose AssumeRole credentials route IAM calls
 * to per-account estates. Offline: the same organisation written as an export folder reads back the same.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectOrganization, createOrganizationsClient } from '../../connectors/aws/org-live.js';
import { ACCOUNT_FILES, readOrganizationFolder } from '../../connectors/aws/org-offline.js';
import { resolveOptions } from '../../connectors/aws/options.js';
import type { OrganizationExport } from '../../connectors/aws/organization.js';
import type { CoverageNote, GraphRecord } from '../../src/model/types.js';
import { estateToAuthzJson, estateToCredentialReportCsv, estateToLastAccessedJson, makeSyntheticOrganization, startFakeIam, SYNTHETIC_MANAGEMENT_ACCOUNT, type FakeIam } from '../fakes/aws-iam/server.js';
import { liveOptions, makeCtx, repoRoot, scanAll, useFakeCredentials } from './aws-helpers.js';

/**
 * The documented export script runs the real AWS CLI and jq: about a minute (each CLI call starts Python), so it runs
 * when asked (NHI_TEST_AWS_CLI=1) and both tools are installed.
 */
const runCli = process.env.NHI_TEST_AWS_CLI === '1' && ['aws', 'jq'].every((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);

const { management, organization } = makeSyntheticOrganization({ accounts: 7, identities: 6, seed: 7, ous: 3 });
const members = organization.accounts.map((a) => a.id).filter((id) => id !== SYNTHETIC_MANAGEMENT_ACCOUNT);
const denied = members[2];
organization.denyAssume = [denied];
organization.pageSize = 2;

const targetsOf = (records: GraphRecord[]) => records.filter((r) => r.type === 'target').map((r) => (r.type === 'target' ? r.target.id : '')).sort();
const notesOf = (records: GraphRecord[]): CoverageNote[] => records.filter((r) => r.type === 'coverage').map((r) => (r.type === 'coverage' ? r.coverage : (undefined as never)));
/** identities per account: node ids of users, roles and groups whose ARN names the account */
const identitiesOf = (records: GraphRecord[]) => {
  const by = new Map<string, string[]>();
  for (const r of records) {
    if (r.type !== 'node' || !['iam-user', 'iam-role', 'iam-group'].includes(r.node.type)) continue;
    const acct = /arn:aws:iam::(\d{12}):/.exec(r.node.id)?.[1] ?? '?';
    by.set(acct, [...(by.get(acct) ?? []), r.node.id].sort());
  }
  return Object.fromEntries([...by].sort());
};

describe('aws organisation scan through the real SDK against the fake', () => {
  let fake: FakeIam;
  let tmp: string;
  beforeAll(async () => {
    useFakeCredentials();
    fake = await startFakeIam(management, { organization });
    tmp = mkdtempSync(path.join(tmpdir(), 'nhi-org-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(() => fake.clear());

  it('collects the tree with paging, retries throttled calls, and reads SCPs and RCPs with their documents and targets', async () => {
    fake.fail('ListAccountsForParent', { throttle: 2 });
    fake.fail('DescribePolicy', { throttle: 1 });
    const ctx = makeCtx(liveOptions(fake.url, { organization: true }));
    const client = createOrganizationsClient(resolveOptions(ctx.options), ctx.calls);
    const { org, notes } = await collectOrganization(client, ctx);
    client.destroy();
    expect(notes).toEqual([]);
    expect(org.Organization?.MasterAccountId).toBe(SYNTHETIC_MANAGEMENT_ACCOUNT);
    expect(org.Roots.map((r) => r.Id)).toEqual([organization.rootId]);
    expect(org.OrganizationalUnits.map((u) => [u.Id, u.ParentId])).toEqual(organization.ous.map((u) => [u.id, u.parentId]).sort());
    expect(org.Accounts.map((a) => [a.Id, a.ParentId, a.State])).toEqual(organization.accounts.map((a) => [a.id, a.parentId, 'ACTIVE']));
    expect(org.Policies.map((p) => [p.PolicySummary.Id, p.PolicySummary.Type, JSON.parse(p.Content), p.Targets.map((t) => t.TargetId)])).toEqual(
      [...organization.policies].sort((a, b) => (a.id < b.id ? -1 : 1)).map((p) => [p.id, p.type, JSON.parse(p.content), [...p.targets].sort()]),
    );
    // paging: 7 accounts at 2 a page is 4 ListAccounts calls; throttled calls were retried (counted per attempt)
    expect(fake.requests.filter((r) => r.action === 'ListAccounts')).toHaveLength(4);
    expect(fake.requests.filter((r) => r.action === 'ListAccounts' && r.params.NextToken)).toHaveLength(3);
    const byOp = ctx.calls.byOperation();
    expect(byOp['organizations:ListAccountsForParent']).toBe(fake.requests.filter((r) => r.action === 'ListAccountsForParent').length);
    expect(fake.requests.filter((r) => r.action === 'ListAccountsForParent').length).toBeGreaterThan(organization.ous.length + 1);
  });

  it('a policy type that is not enabled is an informational note; an organisation that does not exist is a clear error', async () => {
    const rcpless = makeSyntheticOrganization({ accounts: 2, identities: 2, seed: 3, enabledPolicyTypes: ['SERVICE_CONTROL_POLICY'] });
    const f2 = await startFakeIam(rcpless.management, { organization: rcpless.organization });
    const none = await startFakeIam(rcpless.management);
    try {
      const ctx = makeCtx(liveOptions(f2.url, { organization: true }));
      const client = createOrganizationsClient(resolveOptions(ctx.options));
      const { org, notes } = await collectOrganization(client, ctx);
      client.destroy();
      expect(org.Policies.every((p) => p.PolicySummary.Type === 'SERVICE_CONTROL_POLICY')).toBe(true);
      expect(notes.map((n) => [n.message, n.incomplete])).toEqual([['organisation: the policy type RESOURCE_CONTROL_POLICY is not enabled', false]]);
      const c2 = makeCtx(liveOptions(none.url, { organization: true }));
      await expect(scanAll(c2)).rejects.toThrow('the account is not in an AWS organisation (AWSOrganizationsNotInUseException)');
      none.fail('ListRoots', 'deny');
      const c3 = makeCtx(liveOptions(f2.url, { organization: true }));
      f2.fail('ListRoots', 'deny');
      await expect(scanAll(c3)).rejects.toThrow(/organizations:ListRoots was denied \(AccessDeniedException\)/);
    } finally {
      await f2.close();
      await none.close();
    }
  });

  let live: GraphRecord[] = [];
  let liveOrg: OrganizationExport;

  it('scans every account: the caller\u2019s own with its credentials, members through the member role; a denied AssumeRole is a note naming the account', async () => {
    const ctx = makeCtx(liveOptions(fake.url, { organization: true, accountConcurrency: 3 }));
    live = (await scanAll(ctx)).records;
    // one target per scanned account; the denied one is not a target
    expect(targetsOf(live)).toEqual(organization.accounts.map((a) => `aws:account:${a.id}`).filter((t) => t !== `aws:account:${denied}`).sort());
    const denials = notesOf(live).filter((n) => n.source === 'sts:AssumeRole');
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ scope: denied, reason: 'permission-denied', incomplete: true });
    expect(denials[0].message).toContain(`account ${denied} (member-3) was not scanned: sts:AssumeRole of arn:aws:iam::${denied}:role/OrganizationAccountAccessRole was denied (AccessDenied)`);
    // each account's IAM calls read that account's estate; the management account was read with the caller's own key
    const iamAccounts = new Set(fake.requests.filter((r) => r.action === 'GetAccountAuthorizationDetails').map((r) => r.account));
    expect([...iamAccounts].sort()).toEqual(organization.accounts.map((a) => a.id).filter((id) => id !== denied).sort());
    const assumed = fake.requests.filter((r) => r.action === 'AssumeRole').map((r) => r.params.RoleArn);
    expect(assumed.sort()).toEqual(members.map((id) => `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`).sort());
    expect(fake.requests.filter((r) => r.action === 'AssumeRole').every((r) => r.params.RoleSessionName === 'nhi-drift')).toBe(true);
    // the identities of each scanned account are there, and only theirs
    const ids = identitiesOf(live);
    for (const a of organization.accounts) {
      if (a.id === denied) expect(ids[a.id]).toBeUndefined();
      else expect(ids[a.id]?.length, a.id).toBeGreaterThan(0);
    }
    // one progress line per account
    for (const a of organization.accounts) expect(ctx.steps.filter((s) => s.startsWith(`account ${a.id} `))).toHaveLength(1);
    const c = makeCtx(liveOptions(fake.url, { organization: true }));
    const client = createOrganizationsClient(resolveOptions(c.options));
    liveOrg = (await collectOrganization(client, c)).org;
    client.destroy();
  });

  it('--external-id goes with every member AssumeRole; a member account whose IAM read fails is a note, the others complete', async () => {
    fake.fail('GetAccountAuthorizationDetails', { status: 500, code: 'ServiceFailure', times: 1000 });
    const from = fake.requests.length;
    const ctx = makeCtx(liveOptions(fake.url, { organization: true, externalId: 'ext-123', maxAttempts: 1 }));
    const { records } = await scanAll(ctx);
    const assumes = fake.requests.slice(from).filter((r) => r.action === 'AssumeRole');
    expect(assumes).toHaveLength(members.length);
    expect(assumes.every((r) => r.params.ExternalId === 'ext-123')).toBe(true);
    const failed = notesOf(records).filter((n) => n.source === 'iam:GetAccountAuthorizationDetails');
    // every account enterable failed its read: each is named once; no account target for them
    expect(failed.map((n) => n.scope).sort()).toEqual(organization.accounts.map((a) => a.id).filter((id) => id !== denied).sort());
    expect(targetsOf(records)).toEqual([]);
  });

  it('offline: the export folder of the same organisation reads back the same organisation and the same identities per account', async () => {
    const dir = path.join(tmp, 'org');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'organization.json'), JSON.stringify(cliShaped(liveOrg), null, 2));
    for (const a of organization.accounts) {
      if (a.id === denied) continue;
      const e = a.id === SYNTHETIC_MANAGEMENT_ACCOUNT ? management : organization.estates[a.id];
      mkdirSync(path.join(dir, a.id));
      writeFileSync(path.join(dir, a.id, ACCOUNT_FILES.authz), JSON.stringify(estateToAuthzJson(e)));
      writeFileSync(path.join(dir, a.id, ACCOUNT_FILES.credentialReport), estateToCredentialReportCsv(e));
      writeFileSync(path.join(dir, a.id, ACCOUNT_FILES.lastAccessed), JSON.stringify(estateToLastAccessedJson(e)));
    }
    expect(readOrganizationFolder(dir)).toEqual(liveOrg);
    const { records } = await scanAll(makeCtx({ fromDir: dir, organization: true }));
    expect(identitiesOf(records)).toEqual(identitiesOf(live));
    expect(targetsOf(records)).toEqual(targetsOf(live));
    // the account without a folder: one note naming it, incomplete
    expect(notesOf(records).filter((n) => n.incomplete).map((n) => [n.scope, n.message])).toEqual([[denied, `account ${denied} has no folder in the export: not scanned`]]);
  });

  it('offline: a malformed account folder is a note naming the account, the others complete; a bad organization.json is a clear usage error', async () => {
    const dir = path.join(tmp, 'org');
    const broken = members[0];
    writeFileSync(path.join(dir, broken, ACCOUNT_FILES.authz), '{"UserDetailList": [');
    const { records } = await scanAll(makeCtx({ fromDir: dir, organization: true }));
    const bad = notesOf(records).filter((n) => n.scope === broken);
    expect(bad).toHaveLength(1);
    expect(bad[0].message).toMatch(new RegExp(`^account ${broken} was not scanned: .*${ACCOUNT_FILES.authz}: not valid JSON`));
    expect(targetsOf(records)).not.toContain(`aws:account:${broken}`);
    expect(targetsOf(records)).toHaveLength(organization.accounts.length - 2);

    writeFileSync(path.join(dir, 'organization.json'), JSON.stringify({ Roots: [{ Id: 'r-ab12' }], OrganizationalUnits: [], Accounts: [{ Id: 'not-an-account' }], Policies: [] }));
    expect(() => readOrganizationFolder(dir)).toThrow(/organization\.json\.Accounts\[0\]: Id should be a 12-digit account id, got 'not-an-account'/);
    writeFileSync(path.join(dir, 'organization.json'), '{');
    expect(() => readOrganizationFolder(dir)).toThrow(/organization\.json: not valid JSON/);
  });
});

describe.skipIf(!runCli)('the documented export script (docs/connectors/aws-organization-export.sh)', () => {
  it('run with the AWS CLI and jq against the fake, it writes the folder the offline scan reads: the same organisation and identities as the live scan', async () => {
    useFakeCredentials();
    const small = makeSyntheticOrganization({ accounts: 3, identities: 4, seed: 11, ous: 1 });
    const deniedHere = small.organization.accounts[2].id;
    small.organization.denyAssume = [deniedHere];
    const f = await startFakeIam(small.management, { organization: small.organization });
    const tmp = mkdtempSync(path.join(tmpdir(), 'nhi-org-cli-'));
    try {
      const ctx = makeCtx(liveOptions(f.url, { organization: true }));
      const client = createOrganizationsClient(resolveOptions(ctx.options));
      const liveOrg = (await collectOrganization(client, ctx)).org;
      client.destroy();
      const live = (await scanAll(makeCtx(liveOptions(f.url, { organization: true })))).records;
      const dir = path.join(tmp, 'export');
      // asynchronously: the fake answers from this process
      await promisify(execFile)('bash', [path.join(repoRoot, 'docs', 'connectors', 'aws-organization-export.sh'), dir], {
        env: {
          PATH: process.env.PATH,
          HOME: tmp,
          AWS_ENDPOINT_URL: f.url,
          AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
          AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests-only',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: path.join(tmp, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'no-credentials'),
          AWS_PAGER: '',
        },
        timeout: 850_000,
      });
      expect(readOrganizationFolder(dir)).toEqual(liveOrg);
      expect(readdirSync(dir).sort()).toEqual([...small.organization.accounts.map((a) => a.id), 'organization.json'].sort());
      const { records } = await scanAll(makeCtx({ fromDir: dir, organization: true }));
      expect(identitiesOf(records)).toEqual(identitiesOf(live));
      expect(targetsOf(records)).toEqual(targetsOf(live));
      // the account the role could not enter: an empty folder, one note naming it
      expect(notesOf(records).filter((n) => n.incomplete).map((n) => n.scope)).toEqual([deniedHere]);
    } finally {
      await f.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 900_000);
});

/** The export as the AWS CLI prints its parts: timestamps as `2026-05-25T00:00:00.000000+00:00`. */
function cliShaped(org: OrganizationExport): unknown {
  return { ...org, Accounts: org.Accounts.map((a) => ({ ...a, JoinedTimestamp: a.JoinedTimestamp?.replace(/\.(\d{3})Z$/, '.$1000+00:00') })) };
}
