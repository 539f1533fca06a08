import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nhi, repoRoot, STACK_LINE } from './run.js';

// The CLI under test is the built one (bin/nhi → dist/): `npm test` builds first.
const built = existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'));
const sarifSchema = JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
const validateSarif = new AjvDraft04.default({ strict: false, allErrors: true, validateFormats: false }).compile(sarifSchema);
const jsonSchema = JSON.parse(readFileSync(path.join(repoRoot, 'reports', 'json', 'report-v1.schema.json'), 'utf8')) as object;
const validateJson = new Ajv({ allErrors: true }).compile(jsonSchema);
const sharedFixtures = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'aws');

let dir: string;
beforeAll(() => {
  if (!built) throw new Error('dist/ is missing: run the tests with npm test (it builds first)');
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectCleanError(stderr: string) {
  expect(stderr).toMatch(/^nhi: /);
  expect(stderr).not.toMatch(STACK_LINE);
  // one line of reason, optionally one hint line
  expect(stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
}

describe('nhi (built CLI as a child process)', () => {
  it('--help lists the commands and exit codes', async () => {
    const r = await nhi(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['scan', 'inventory', 'rules', 'permissions', 'snapshots', 'diff']) expect(r.stdout).toContain(cmd);
    expect(r.stdout).toContain('Exit codes');
  });

  it('scan --demo prints a readable plain-text report on stdout only, and stores nothing with --no-store', async () => {
    const r = await nhi(['scan', '--demo', '--no-store'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gha-deploy');
    expect(r.stdout).toContain('ci-deploy-legacy');
    expect(r.stdout).not.toMatch(/\u001b\[/); // NO_COLOR, piped: no ANSI escapes
    expect(r.stderr).not.toContain('gha-deploy'); // the report is not on stderr
    expect(existsSync(path.join(dir, '.nhi'))).toBe(false);
  });

  it('scan --demo -f json is a versioned JSON report with the demo story in it', async () => {
    const r = await nhi(['scan', '--demo', '--no-store', '-f', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { schemaVersion: string; findings: Array<{ ruleId: string; identity: { name: string } }> };
    expect(report.schemaVersion).toMatch(/^1\./);
    expect(validateJson(report), JSON.stringify(validateJson.errors?.slice(0, 3))).toBe(true);
    const hits = (rule: string) => report.findings.filter((f) => f.ruleId === rule).map((f) => f.identity.name);
    expect(hits('root-access-key')).toHaveLength(1);
    expect(hits('oidc-trust-unscoped')).toContain('gha-deploy');
    expect(hits('admin-equivalent')).toEqual(expect.arrayContaining(['ci-deploy-legacy', 'gha-deploy', 'terraform-ci', 'ops-automation']));
    expect(hits('trust-any-principal')).toContain('public-assets-reader');
    expect(hits('human-with-access-key')).toContain('alice.admin');
    expect(hits('privilege-escalation')).toContain('jenkins-builder');
    // healthy identities stay quiet
    const noisy = new Set(report.findings.map((f) => f.identity.name));
    expect(noisy.has('monitoring-exporter')).toBe(false);
    expect(noisy.has('gha-docs-preview')).toBe(false);
  });

  it.each([
    ['critical', 1],
    ['none', 0],
  ])('--fail-on %s exits %i on the demo', async (gate, code) => {
    const r = await nhi(['scan', '--demo', '--no-store', '-f', 'json', '--fail-on', gate]);
    expect(r.code).toBe(code);
    expect(() => JSON.parse(r.stdout)).not.toThrow(); // the report is still printed when the gate trips
  });

  it('--baseline makes the gate count only new findings', async () => {
    const base = path.join(dir, 'baseline.json');
    const first = await nhi(['scan', '--demo', '--no-store', '-f', 'json', '-o', base]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    const r = await nhi(['scan', '--demo', '--no-store', '-f', 'json', '--fail-on', 'low', '--baseline', base]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/0 of \d+ finding\(s\) are new/);
  });

  it('-f sarif -o writes a SARIF 2.1.0 file and nothing to stdout', async () => {
    const out = path.join(dir, 'nhi.sarif');
    const r = await nhi(['scan', '--demo', '--no-store', '-f', 'sarif', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const sarif = JSON.parse(readFileSync(out, 'utf8')) as { version: string; runs: Array<{ results: unknown[] }> };
    expect(sarif.version).toBe('2.1.0');
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
    expect(sarif.runs[0].results.length).toBeGreaterThan(5);
  });

  it('stores snapshots: inventory, snapshots and diff read them back', async () => {
    const store = path.join(dir, 'store', 'nhi.db');
    expect((await nhi(['scan', '--demo', '--store', store, '-q'])).code).toBe(0);
    expect((await nhi(['scan', '--demo', '--store', store, '-q'])).code).toBe(0);
    const snaps = await nhi(['snapshots', '--store', store, '-f', 'json']);
    expect(snaps.code).toBe(0);
    const list = (JSON.parse(snaps.stdout) as { snapshots: Array<{ id: number; status: string }> }).snapshots;
    expect(list.map((s) => s.id)).toEqual([2, 1]);
    const inv = await nhi(['inventory', '--store', store, '--kind', 'credential', '-f', 'json']);
    expect(inv.code).toBe(0);
    expect(inv.stdout).toContain('ci-deploy-legacy');
    const users = await nhi(['inventory', '--store', store, '--type', 'iam-role']);
    expect(users.stdout).toContain('gha-deploy');
    expect(users.stdout).not.toContain('alice.admin');
    // named snapshots with --force: this works whether or not the demo's connectors report their targets yet
    const diff = await nhi(['diff', '1', '2', '--force', '--store', store]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('No change since snapshot 1');
  });

  it('rules, permissions and connectors answer without a store', async () => {
    const rules = await nhi(['rules', '-f', 'json']);
    expect(rules.code).toBe(0);
    const listed = (JSON.parse(rules.stdout) as { rules: Array<{ id: string; owasp: string[] }> }).rules;
    expect(listed.length).toBeGreaterThanOrEqual(12);
    // every rule names its OWASP NHI Top 10 risks, in text and JSON
    for (const r of listed) expect(r.owasp.length, r.id).toBeGreaterThan(0);
    expect(listed.find((r) => r.id === 'credential-not-rotated')?.owasp).toEqual(['NHI7']);
    const text = await nhi(['rules']);
    expect(text.code).toBe(0);
    const block = text.stdout.slice(text.stdout.indexOf('\ncredential-not-rotated '));
    expect(block.split('\n')[2].trim()).toBe('OWASP NHI: NHI7 Long-Lived Secrets');
    expect(text.stdout.match(/^ +OWASP NHI: NHI/gm)?.length).toBe(listed.length);
    const perms = await nhi(['permissions', 'aws', '-f', 'json']);
    expect(perms.code).toBe(0);
    const doc = JSON.parse(perms.stdout) as { Version: string; Statement: Array<{ Action: string[] }> };
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement.flatMap((s) => s.Action)).toContain('iam:GetAccountAuthorizationDetails');
  });

  it.skipIf(!existsSync(sharedFixtures))('scans the shared real-shaped exports offline (boto3 date format)', async () => {
    for (const file of ['example-authz-details.json', 'example_authz_v2.json']) {
      const r = await nhi(['scan', '--from-file', path.join(sharedFixtures, file), '--no-store', '-f', 'json', '--as-of', '2026-11-01']);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect([0, 3]).toContain(r.code);
      const report = JSON.parse(r.stdout) as { summary: { identities: number } };
      expect(report.summary.identities).toBeGreaterThan(0);
    }
  });

  it('a malformed input file is exit 2 with a one-line reason, no stack trace', async () => {
    const bad = path.join(dir, 'broken.json');
    writeFileSync(bad, '{"UserDetailList": [ {"UserName": "x", }');
    const r = await nhi(['scan', '--from-file', bad, '--no-store']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectCleanError(r.stderr);
    expect(r.stderr).toContain('broken.json');
  });

  it('a malformed config is exit 2 naming the file and the line', async () => {
    const cfg = path.join(dir, 'bad.yaml');
    writeFileSync(cfg, 'rules:\n  credential-not-rotated:\n    maxAgeDays: [90\n');
    const r = await nhi(['scan', '--demo', '--no-store', '--config', cfg]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(r.stderr).toMatch(/bad\.yaml: invalid YAML/);
  });

  it('a config with a bad rule option is exit 2 naming the key', async () => {
    const cfg = path.join(dir, 'typo.yaml');
    writeFileSync(cfg, 'rules:\n  credential-not-rotated:\n    maxAgeDayz: 30\n');
    const r = await nhi(['scan', '--demo', '--no-store', '--config', cfg]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(r.stderr).toContain("unknown option 'maxAgeDayz'");
  });

  it('config thresholds change the findings', async () => {
    const cfg = path.join(dir, 'strict.yaml');
    writeFileSync(cfg, 'rules:\n  credential-not-rotated:\n    maxAgeDays: 5000\n');
    const r = await nhi(['scan', '--demo', '--no-store', '-f', 'json', '--config', cfg]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { findings: Array<{ ruleId: string }> };
    expect(report.findings.some((f) => f.ruleId === 'credential-not-rotated')).toBe(false);
  });

  it.each([
    [['scan', '--format', 'xml']],
    [['scan', '--fail-on', 'severe']],
    [['scan', '--concurrency', '0', '--demo']],
    [['scan', '--external-id', 'x']],
    [['bogus']],
  ])('usage errors exit 2: %j', async (args) => {
    const r = await nhi(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('a store path that is not a database is exit 2 and the file is untouched', async () => {
    const notDb = path.join(dir, 'notes.txt');
    writeFileSync(notDb, 'my notes\n');
    const r = await nhi(['scan', '--demo', '--store', notDb]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(readFileSync(notDb, 'utf8')).toBe('my notes\n');
  });

  it('read commands on a missing store explain what to do', async () => {
    const r = await nhi(['inventory', '--store', path.join(dir, 'none.db')]);
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(r.stderr).toContain('nhi scan');
  });
});
