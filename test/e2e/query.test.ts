/**
 * `nhi paths`, `nhi can` and `nhi who-can` through the real CLI, as child processes, against stores made by
 * `nhi scan --demo` and by a scan of the small escalation account in test/fixtures/query: exit codes, the stdout /
 * stderr split, the text a person reads and the JSON validated against docs/commands/query-v1.schema.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nhi, repoRoot, STACK_LINE } from './run.js';

const built = existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'));
const schema = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'commands', 'query-v1.schema.json'), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true });
ajv.addSchema(schema, 'query');
const validator = (def: 'paths' | 'can' | 'whoCan') => ajv.getSchema(`query#/definitions/${def}`)!;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const ACCT = '111122223333';
const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'query');

let dir: string;
let demo: string[];
let estate: string[];

beforeAll(async () => {
  if (!built) throw new Error('dist/ is missing: run the tests with npm test (it builds first)');
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-e2e-query-'));
  const demoStore = path.join(dir, 'demo.db');
  const estateStore = path.join(dir, 'estate.db');
  const [a, b] = await Promise.all([
    nhi(['scan', '--demo', '-q', '--store', demoStore]),
    nhi(['scan', '--from-file', path.join(FIXTURE, 'authz.json'), '--credential-report', path.join(FIXTURE, 'credential-report.csv'), '--as-of', '2026-11-20T08:00:00Z', '-q', '--store', estateStore]),
  ]);
  expect(a.code).toBe(0);
  expect(b.code).toBe(0);
  demo = ['--store', demoStore];
  estate = ['--store', estateStore];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function json<T = Record<string, unknown>>(stdout: string): T {
  return JSON.parse(stdout) as T;
}

function expectValid(def: 'paths' | 'can' | 'whoCan', value: unknown) {
  const validate = validator(def);
  const ok = validate(value);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('nhi paths', () => {
  it('on the demo: jenkins-builder becomes cross-env-admin first, an admin, in one hop', async () => {
    const r = await nhi(['paths', 'jenkins-builder', ...demo]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Paths from IAM user jenkins-builder \(aws, 123456789012\): arn:aws:iam::123456789012:user\/ci\/jenkins-builder$/m);
    expect(r.stdout).toContain('Not admin, but can become admin in 1 hop (IAM role cross-env-admin).');
    expect(r.stdout).toMatch(/^1\. IAM role cross-env-admin \[ADMIN, 1 hop\]$/m);
    expect(r.stdout).toContain('jenkins-builder → IAM role cross-env-admin by sts:AssumeRole');
  });

  it('-f json: the documented shape; the way to admin ends in cross-env-admin', async () => {
    const r = await nhi(['paths', 'jenkins-builder', '-f', 'json', ...demo]);
    expect(r.code).toBe(0);
    const out = json<{ toAdmin: { end: { name: string }; hops: number }; reachable: Array<{ name: string; admin: boolean }>; schemaVersion: string }>(r.stdout);
    expectValid('paths', out);
    expect(out.schemaVersion).toMatch(/^1\./);
    expect(out.toAdmin.end.name).toBe('cross-env-admin');
    expect(out.reachable[0]).toMatchObject({ name: 'cross-env-admin', admin: true });
  });

  it('--admin-only and --max-hops on the escalation account', async () => {
    const r = await nhi(['paths', 'chain-start', '--admin-only', '--max-hops', '2', '-f', 'json', ...estate]);
    expect(r.code).toBe(0);
    const out = json<{ reachable: Array<{ name: string; admin: boolean; path: { hops: number } }> }>(r.stdout);
    expectValid('paths', out);
    expect(out.reachable.map((e) => e.name)).toEqual(['chain-admin']);
    expect(out.reachable[0].path.hops).toBe(2);
  });

  it('a bad --max-hops and an unknown identity are usage errors (exit 2), one line and a hint', async () => {
    const bad = await nhi(['paths', 'chain-start', '--max-hops', '0', ...estate]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^nhi: --max-hops: expected a whole number from 1 to 50, got '0'\n {2}hint: /);
    const missing = await nhi(['paths', 'nobody-here', ...estate]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^nhi: no identity 'nobody-here' in the snapshot/);
    expect(missing.stderr).not.toMatch(STACK_LINE);
  });

  it('a snapshot that does not exist is an error naming it', async () => {
    const r = await nhi(['paths', 'chain-start', '--snapshot', '99', ...estate]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nhi: no snapshot 99 in /);
  });
});

describe('nhi can', () => {
  it('allowed: PassRole of the Lambda admin role, with the statement (exit 0)', async () => {
    const r = await nhi(['can', 'build-bot', 'iam:PassRole', `arn:aws:iam::${ACCT}:role/lambda-admin`, ...estate]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(`allowed: IAM user build-bot may iam:PassRole on arn:aws:iam::${ACCT}:role/lambda-admin`);
    expect(r.stdout).toContain('statement 0 (PassLambdaRoles) of policy build');
  });

  it('-f json has a top-level decision and the statements, in the documented shape', async () => {
    const r = await nhi(['can', 'build-bot', 'iam:PassRole', `arn:aws:iam::${ACCT}:role/lambda-admin`, '-f', 'json', ...estate]);
    expect(r.code).toBe(0);
    const out = json<{ decision: string; allows: Array<{ policyName: string; statementIndex: number; sid: string }> }>(r.stdout);
    expectValid('can', out);
    expect(out.decision).toBe('allowed');
    expect(out.allows).toEqual([expect.objectContaining({ policyName: 'build', statementIndex: 0, sid: 'PassLambdaRoles' })]);
  });

  it('denied by an explicit Deny in another policy: the Deny named, exit 1', async () => {
    const r = await nhi(['can', 'key-minter', 'iam:CreateAccessKey', `arn:aws:iam::${ACCT}:user/admins/ops-admin`, ...estate]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^denied: .*\(an explicit Deny\)$/);
    expect(r.stdout).toContain('denied by:\n    statement 0 (NotForAdmins) of policy no-admin-keys');
    const j = await nhi(['can', 'key-minter', 'iam:CreateAccessKey', `arn:aws:iam::${ACCT}:user/admins/ops-admin`, '-f', 'json', ...estate]);
    expect(j.code).toBe(1);
    const out = json<{ decision: string; deniedBy: string; denies: Array<{ policyName: string }> }>(j.stdout);
    expectValid('can', out);
    expect(out).toMatchObject({ decision: 'denied', deniedBy: 'explicit-deny' });
    expect(out.denies.map((d) => d.policyName)).toEqual(['no-admin-keys']);
  });

  it('conditional on a key the scan cannot know: the key named, exit 1; --context settles it', async () => {
    const r = await nhi(['can', 'ip-bound', 'iam:CreateAccessKey', 'report-bot', '-f', 'json', ...estate]);
    expect(r.code).toBe(1);
    const out = json<{ decision: string; unknownKeys: string[] }>(r.stdout);
    expectValid('can', out);
    expect(out).toMatchObject({ decision: 'conditional', unknownKeys: ['aws:SourceIp'] });
    const settled = await nhi(['can', 'ip-bound', 'iam:CreateAccessKey', 'report-bot', '--context', 'aws:SourceIp=203.0.113.9', ...estate]);
    expect(settled.code).toBe(0);
    expect(settled.stdout).toMatch(/^allowed: /);
  });

  it('sts:AssumeRole on a role: trust and identity policy together (the demo\'s break-glass role needs MFA)', async () => {
    const r = await nhi(['can', 'alice.admin', 'sts:AssumeRole', 'break-glass-admin', '-f', 'json', ...demo]);
    expect(r.code).toBe(1);
    const out = json<{ decision: string; engine: string; unknownKeys: string[]; trust: unknown[] }>(r.stdout);
    expectValid('can', out);
    expect(out).toMatchObject({ decision: 'conditional', engine: 'aws-assume-role', unknownKeys: ['aws:MultiFactorAuthPresent'] });
    expect(out.trust).toHaveLength(1);
  });

  it('a Google Cloud member: the permission engine over role bindings', async () => {
    const r = await nhi(['can', 'monitoring@acme-prod-data.iam.gserviceaccount.com', 'iam.serviceAccounts.getAccessToken', 'serviceAccounts/ci-legacy@acme-prod-data.iam.gserviceaccount.com', '-f', 'json', ...demo]);
    expect(r.code).toBe(0);
    const out = json<{ decision: string; engine: string }>(r.stdout);
    expectValid('can', out);
    expect(out).toMatchObject({ decision: 'allowed', engine: 'gcp' });
  });

  it('an ambiguous name is a usage error listing the candidates (exit 2, nothing on stdout)', async () => {
    const r = await nhi(['can', 'deploy', 's3:GetObject', ...estate]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^nhi: identity 'deploy' is ambiguous: 2 identities match\n/);
    expect(r.stderr).toContain(`arn:aws:iam::${ACCT}:role/deploy`);
    expect(r.stderr).toContain(`arn:aws:iam::${ACCT}:user/svc/deploy`);
  });

  it('an unknown action is a usage error with the nearest names', async () => {
    const r = await nhi(['can', 'build-bot', 'iam:PasRole', ...estate]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nhi: unknown AWS action 'iam:PasRole'\n {2}hint: did you mean iam:PassRole/);
  });

  it('hostile names never reach the terminal raw; JSON keeps them, escaped', async () => {
    const r = await nhi(['can', 'hostile-bot', 'iam:CreateAccessKey', 'report-bot', ...estate]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).toContain('of policy grantclickred');
    const j = await nhi(['can', 'hostile-bot', 'iam:CreateAccessKey', 'report-bot', '-f', 'json', ...estate]);
    expect(j.stdout).not.toMatch(CONTROL);
    const out = json<{ allows: Array<{ policyName: string }> }>(j.stdout);
    expect(out.allows[0].policyName).toContain('\u001b]8;;https://evil.example/');
  });

  it('-o FILE writes the answer to a private file and keeps the exit code', async () => {
    const file = path.join(dir, 'out', 'can.json');
    const r = await nhi(['can', 'ip-bound', 'iam:CreateAccessKey', 'report-bot', '-f', 'json', '-o', file, ...estate]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(json<{ decision: string }>(readFileSync(file, 'utf8')).decision).toBe('conditional');
  });
});

describe('nhi who-can', () => {
  it('on the demo: direct holders of iam:CreateAccessKey and those that reach one', async () => {
    const r = await nhi(['who-can', 'iam:CreateAccessKey', ...demo]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Directly \(\d+: \d+ allowed, \d+ conditional\):$/m);
    expect(r.stdout).toMatch(/^ {2}IAM user alice\.admin \(aws, 123456789012\)$/m);
    expect(r.stdout).toMatch(/^ {2}IAM user jenkins-builder \(aws, 123456789012\) \[1 hop to IAM role cross-env-admin\]$/m);
  });

  it('-f json on the escalation account: direct and path holders in the documented shape', async () => {
    const r = await nhi(['who-can', 'iam:CreateAccessKey', '-f', 'json', ...estate]);
    expect(r.code).toBe(0);
    const out = json<{ direct: Array<{ name: string; decision: string }>; throughPath: Array<{ name: string; holder: { name: string }; path: { hops: number } }>; resource: string }>(r.stdout);
    expectValid('whoCan', out);
    expect(out.resource).toBe('arn:*:iam::*:user/*');
    const direct = Object.fromEntries(out.direct.map((d) => [d.name, d.decision]));
    expect(direct).toMatchObject({ 'key-minter': 'allowed', 'ip-bound': 'conditional', 'ops-admin': 'allowed' });
    expect(direct['bounded-dev']).toBeUndefined();
    const viaPath = Object.fromEntries(out.throughPath.map((p) => [p.name, p]));
    expect(viaPath['build-bot']).toMatchObject({ holder: { name: 'lambda-admin' }, path: { hops: 1 } });
    expect(viaPath['chain-start']).toMatchObject({ holder: { name: 'chain-admin' }, path: { hops: 2 } });
  });

  it('a Google Cloud permission on a project', async () => {
    const r = await nhi(['who-can', 'iam.serviceAccountKeys.create', 'projects/acme-prod-data', '-f', 'json', ...demo]);
    expect(r.code).toBe(0);
    const out = json<{ engine: string; direct: Array<{ type: string }> }>(r.stdout);
    expectValid('whoCan', out);
    expect(out.engine).toBe('gcp');
    expect(out.direct.length).toBeGreaterThan(0);
  });

  it('hostile names in the holders never reach the terminal raw', async () => {
    const r = await nhi(['who-can', 'iam:CreateAccessKey', `arn:aws:iam::${ACCT}:user/svc/report-bot`, ...estate]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('grantclickred');
    expect(r.stdout).not.toMatch(CONTROL);
  });

  it('a pattern for an action is a usage error', async () => {
    const r = await nhi(['who-can', 'iam:*', ...estate]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nhi: action 'iam:\*': give one action, not a pattern/);
  });
});

describe('the examples in docs/commands are what the CLI prints on the demo', () => {
  it.each([
    ['paths.md', ['paths', 'jenkins-builder', '--admin-only', '--max-hops', '2']],
    ['can.md', ['can', 'bob.dev', 's3:DeleteBucket', 'arn:aws:s3:::acme-prod-data']],
    ['can.md', ['can', 'alice.admin', 'sts:AssumeRole', 'break-glass-admin']],
    ['who-can.md', ['who-can', 'iam:CreateAccessKey']],
  ])('%s: nhi %s', async (page, args) => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'commands', page), 'utf8');
    const marker = `$ nhi ${args.join(' ')}\n`;
    const at = doc.indexOf(marker);
    expect(at).toBeGreaterThan(0);
    const block = doc.slice(at + marker.length, doc.indexOf('```', at)).split('\n');
    // the example ends at the next command of the block; the page may leave out the rest of a long answer with a line
    // holding "…": what it shows before that must match
    const cut = block.findIndex((l) => l.includes('…') || l.startsWith('$ '));
    const shown = cut < 0 ? block : block.slice(0, cut);
    while (shown.length > 0 && shown[shown.length - 1] === '' && (cut < 0 || !block[cut].includes('…'))) shown.pop();
    const r = await nhi([...args, ...demo]);
    expect(r.stdout.split('\n').slice(0, shown.length)).toEqual(shown);
  });
});
