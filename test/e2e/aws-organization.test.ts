/**
 * `nhi scan --aws-organization` through the built CLI, the real AWS SDK and the fake Organizations/STS/IAM server; and
 * the offline organisation export. Exit codes, one progress line per account on stderr, the report alone on stdout.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estateToAuthzJson, estateToCredentialReportCsv, makeSyntheticOrganization, startFakeIam, SYNTHETIC_MANAGEMENT_ACCOUNT, type FakeIam } from '../fakes/aws-iam/server.js';
import { nhi, repoRoot, STACK_LINE } from './run.js';

const env = {
  AWS_ACCESS_KEY_ID: 'AKIAE2EFAKE000000000',
  AWS_SECRET_ACCESS_KEY: 'e2e-fake-secret-value-not-real',
  AWS_REGION: 'us-east-1',
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: path.join(repoRoot, 'no-such-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(repoRoot, 'no-such-aws-credentials'),
};
const asOf = '2026-11-01T06:00:00Z';
type Report = { coverage: Array<{ source: string; message: string; scope?: string; incomplete: boolean }> };

const { management, organization } = makeSyntheticOrganization({ accounts: 5, identities: 5, seed: 5, ous: 2 });
const denied = organization.accounts[3].id;
organization.denyAssume = [denied];
// an administrator role in member-1 (under the SCP deny-iam-users) and in member-2 (not under it)
for (const i of [1, 2]) {
  const id = organization.accounts[i].id;
  organization.estates[id].roles.push({
    name: 'org-admin-e2e',
    path: '/',
    id: `AROAE2EORGADMIN0000${i}`,
    createDate: '2025-01-01T00:00:00Z',
    trust: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${id}:root` }, Action: 'sts:AssumeRole' }] },
    attached: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    inline: [],
  });
}

let fake: FakeIam;
let tmp: string;
beforeAll(async () => {
  fake = await startFakeIam(management, { organization, pageSize: 10 });
  tmp = mkdtempSync(path.join(tmpdir(), 'nhi-e2e-org-'));
});
afterAll(async () => {
  await fake?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('nhi scan --aws-organization', () => {
  it('live: every account is scanned but the one whose role is denied (a coverage note, exit 3); one progress line per account on stderr, the report alone on stdout', async () => {
    const r = await nhi(['scan', '--aws-organization', '--aws-endpoint', fake.url, '--aws-account-concurrency', '2', '--no-last-accessed', '--no-store', '-f', 'json', '--as-of', asOf], { env });
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout + r.stderr).not.toContain(env.AWS_SECRET_ACCESS_KEY);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    const notes = report.coverage.filter((c) => c.incomplete);
    expect(notes.map((c) => [c.source, c.scope])).toEqual([['sts:AssumeRole', denied]]);
    expect(notes[0].message).toContain(`account ${denied} (member-3) was not scanned`);
    // one line per account as it finishes (stderr is not a terminal: line progress), none of them on stdout
    for (const a of organization.accounts) {
      const lines = r.stderr.split('\n').filter((l) => l.startsWith(`aws: account ${a.id} (`));
      expect(lines, a.id).toHaveLength(1);
      expect(lines[0]).toMatch(a.id === denied ? /not scanned \(AssumeRole: AccessDenied\) \[\d\/5\]/ : a.id === SYNTHETIC_MANAGEMENT_ACCOUNT ? /done, \d+ records \(the caller.s own account, no role assumed\) \[\d\/5\]/ : /done, \d+ records \[\d\/5\]/);
    }
    expect(r.stdout).not.toContain('aws: account');
  });

  it('offline: --connector aws --from-file DIR reads organization.json and the account folders; a malformed folder is a note naming the account (exit 3)', async () => {
    const dir = path.join(tmp, 'org-export');
    mkdirSync(dir);
    const org = {
      Roots: [{ Id: organization.rootId, Name: 'Root' }],
      OrganizationalUnits: organization.ous.map((u) => ({ Id: u.id, Name: u.name, ParentId: u.parentId })),
      Accounts: organization.accounts.map((a) => ({ Id: a.id, Name: a.name, Status: 'ACTIVE', JoinedTimestamp: '2026-05-25T10:11:12.345000+00:00', ParentId: a.parentId })),
      Policies: organization.policies.map((p) => ({ PolicySummary: { Id: p.id, Name: p.name, Type: p.type }, Content: p.content, Targets: p.targets.map((t) => ({ TargetId: t, Type: 'ACCOUNT' })) })),
    };
    writeFileSync(path.join(dir, 'organization.json'), JSON.stringify(org));
    for (const a of organization.accounts) {
      mkdirSync(path.join(dir, a.id));
      const e = a.id === SYNTHETIC_MANAGEMENT_ACCOUNT ? management : organization.estates[a.id];
      writeFileSync(path.join(dir, a.id, 'authorization-details.json'), a.id === denied ? '{"UserDetailList": 3}' : JSON.stringify(estateToAuthzJson(e)));
      writeFileSync(path.join(dir, a.id, 'credential-report.csv'), estateToCredentialReportCsv(e));
    }
    for (const args of [['--connector', 'aws'], ['--aws-organization']]) {
      const r = await nhi(['scan', ...args, '--from-file', dir, '--no-store', '-f', 'json', '--as-of', asOf]);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.code).toBe(3);
      const notes = (JSON.parse(r.stdout) as Report).coverage.filter((c) => c.incomplete);
      expect(notes.map((c) => c.scope)).toEqual([denied]);
      expect(notes[0].message).toMatch(new RegExp(`^account ${denied} was not scanned: ${denied}/authorization-details.json: UserDetailList should be an array`));
    }
  });

  it('a malformed organization.json is one clear line and exit 2; organisation flags without --aws-organization are a usage error', async () => {
    const dir = path.join(tmp, 'bad-org');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'organization.json'), '{"Roots": [], ');
    const r = await nhi(['scan', '--connector', 'aws', '--from-file', dir, '--no-store']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).toMatch(/organization\.json: not valid JSON/);
    writeFileSync(path.join(dir, 'organization.json'), JSON.stringify({ Roots: [{ Id: 'r-1' }], OrganizationalUnits: [], Accounts: [{ Id: '123456789012' }], Policies: [{ PolicySummary: { Id: 'p-1', Type: 'SERVICE_CONTROL_POLICY' } }] }));
    const shape = await nhi(['scan', '--aws-organization', '--from-file', dir, '--no-store']);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toMatch(/organization\.json\.Policies\[0\]: Content is missing/);
    const usage = await nhi(['scan', '--aws-member-role', 'audit', '--no-store'], { env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--aws-member-role and --aws-account-concurrency need --aws-organization/);
  });

  it('the organisation\'s SCPs decide what member accounts\' principals may do: nhi can names the SCP that denies, and an account without it is allowed', async () => {
    const store = path.join(tmp, 'org.db');
    const scan = await nhi(['scan', '--aws-organization', '--aws-endpoint', fake.url, '--no-last-accessed', '--store', store, '-q', '--no-report', '--as-of', asOf], { env });
    expect(scan.stderr).not.toMatch(STACK_LINE);
    expect(scan.code).toBe(3); // the denied account
    const limited = `arn:aws:iam::${organization.accounts[1].id}:role/org-admin-e2e`;
    const free = `arn:aws:iam::${organization.accounts[2].id}:role/org-admin-e2e`;
    const denied = await nhi(['can', limited, 'iam:CreateUser', '--store', store, '-f', 'json'], { env });
    expect(denied.stderr).not.toMatch(STACK_LINE);
    expect(denied.code).toBe(1);
    const d = JSON.parse(denied.stdout);
    expect(d.decision).toBe('denied');
    expect(d.deniedBy).toBe('scp');
    expect(JSON.stringify(d)).toContain('deny-iam-users');
    // the same action outside the SCP's scope, and the same admin on an action the SCP does not name
    const allowed = await nhi(['can', free, 'iam:CreateUser', '--store', store, '-f', 'json'], { env });
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).decision).toBe('allowed');
    expect((await nhi(['can', limited, 'iam:ListUsers', '--store', store, '-f', 'json'], { env })).code).toBe(0);
  });
});
