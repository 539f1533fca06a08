import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, nhi, repoRoot, STACK_LINE } from './run.js';

const built = existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'));
let dir: string;
beforeAll(() => {
  if (!built) throw new Error('dist/ is missing: run the tests with npm test (it builds first)');
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-robust-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const baseEnv = { NO_COLOR: '1', CI: '1' };

/** Run the CLI with stdout going to a file descriptor of our choosing (a file, /dev/full). */
function runTo(args: string[], stdoutFd: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...baseEnv }, stdio: ['ignore', stdoutFd, 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** Run the CLI and close our end of its stdout after the first chunk, like `| head -1`. */
function runIntoHead(args: string[]): Promise<{ code: number; stderr: string; first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...baseEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let first = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString('utf8');
      child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr, first }));
  });
}

describe('the CLI when things around it go wrong', () => {
  // regression: `| head` crashed with an unhandled EPIPE stack trace and exit 1 ("findings")
  it('a reader that goes away (| head) is not an error: no stack, the scan keeps its own exit code', async () => {
    const r = await runIntoHead(['scan', '--demo', '--no-store', '-q', '-f', 'json']);
    expect(r.first.length).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.code).toBe(0);
    const gated = await runIntoHead(['scan', '--demo', '--no-store', '-q', '-f', 'json', '--fail-on', 'critical']);
    expect(gated.code).toBe(1);
    expect(gated.stderr).not.toMatch(STACK_LINE);
  });

  // regression: `> /dev/full` lost the report silently with exit 0
  it.runIf(existsSync('/dev/full'))('a full disk on stdout is exit 2 with one clear line', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = await runTo(['scan', '--demo', '--no-store', '-q', '-f', 'sarif'], fd);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^nhi: cannot write to standard output \(ENOSPC\)/m);
      expect(r.stderr).not.toMatch(STACK_LINE);
      const rules = await runTo(['rules'], fd);
      expect(rules.code).toBe(2);
    } finally {
      closeSync(fd);
    }
  });

  it('a tripped gate says why on stderr; with a baseline it counts only new findings', async () => {
    const first = await nhi(['scan', '--demo', '--no-store', '-f', 'json', '--fail-on', 'high'], { cwd: dir });
    expect(first.code).toBe(1);
    const why = first.stderr.split('\n').find((l) => l.includes('tripped'));
    expect(why).toMatch(/^nhi: --fail-on high tripped: \d+ findings at or above high \(\d+ critical, \d+ high\)$/);
    const report = JSON.parse(first.stdout) as { findings: Array<{ fingerprint: string; severity: string; ruleId: string }> };
    writeFileSync(path.join(dir, 'baseline.json'), first.stdout);
    const same = await nhi(['scan', '--demo', '--no-store', '-q', '-f', 'json', '--fail-on', 'high', '--baseline', 'baseline.json'], { cwd: dir });
    expect(same.code).toBe(0);
    expect(same.stderr).not.toContain('tripped');
    // drop one high finding from the baseline: it is new again, and the gate names that count
    const high = report.findings.find((f) => f.severity === 'high')!;
    const fewer = { ...(JSON.parse(first.stdout) as object), findings: report.findings.filter((f) => f.fingerprint !== high.fingerprint) };
    writeFileSync(path.join(dir, 'baseline-minus-one.json'), JSON.stringify(fewer));
    const one = await nhi(['scan', '--demo', '--no-store', '-q', '-f', 'json', '--fail-on', 'high', '--baseline', 'baseline-minus-one.json'], { cwd: dir });
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/tripped: 1 new finding at or above high \(1 high\) not in the baseline baseline-minus-one\.json; \d+ at or above high in all/);
  });

  it('a config that switches rules off is visible on stderr and in the JSON report; --no-config ignores it', async () => {
    const cfgDir = mkdtempSync(path.join(dir, 'cfg-'));
    writeFileSync(path.join(cfgDir, 'nhi.config.yml'), 'failOn: critical\nrules:\n  oidc-trust-unscoped:\n    enabled: false\n  trust-any-principal:\n    severity: low\nignore:\n  - rule: root-access-key\n    reason: accepted\n');
    const r = await nhi(['scan', '--demo', '--no-store', '-f', 'json'], { cwd: cfgDir });
    expect(r.stderr).toMatch(/config nhi\.config\.yml: 1 rule\(s\) off \(oidc-trust-unscoped\); 1 severity override\(s\); 1 finding\(s\) suppressed by 1 active ignore entry; failOn: critical/);
    const report = JSON.parse(r.stdout) as { findings: Array<{ ruleId: string }> };
    expect(report.findings.some((f) => f.ruleId === 'oidc-trust-unscoped')).toBe(false);
    const off = await nhi(['scan', '--demo', '--no-store', '-f', 'json', '--no-config'], { cwd: cfgDir });
    expect(off.stderr).toContain('--no-config: no configuration file read');
    const all = JSON.parse(off.stdout) as { findings: Array<{ ruleId: string }> };
    expect(all.findings.some((f) => f.ruleId === 'oidc-trust-unscoped')).toBe(true);
    expect(off.code).toBe(0); // the file's failOn is not read either
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nhi: failOn: critical \(nhi\.config\.yml\) tripped: /m);
  });

  it.each([
    [['scan', '--bogus'], /^nhi: unknown option '--bogus'\n {2}hint: /],
    [['scna'], /^nhi: unknown command 'scna'/],
    [['scan', '--format', 'pdf'], /^nhi: option '-f, --format <format>' argument 'pdf' is invalid/],
    [['scan', '--timeout', 'soon'], /^nhi: --timeout: expected a number of seconds/],
    [['scan', '--timeout', '0'], /^nhi: --timeout: expected a number of seconds/],
  ])('usage error %j starts with nhi: and carries a hint', async (args, message) => {
    const r = await nhi(args as string[], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/\n {2}hint: /);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  // regression: a token inside --github-url / --gitlab-url was echoed in every format and on stderr
  it.each([
    ['--github-url', 'https://x-access-token:ghp_CANARY1234567890@ghe.example.com/api/v3', ['--github-org', 'acme']],
    ['--gitlab-url', 'http://oauth2:glpat-CANARY1234567890@gitlab.example.com', ['--gitlab-group', 'acme']],
    ['--gitlab-url', 'https://gitlab.example.com/?private_token=glpat-CANARY1234567890', ['--gitlab-group', 'acme']],
  ])('%s with credentials in it is refused without echoing them', async (flag, url, extra) => {
    const r = await nhi(['scan', flag, url, ...extra, '--no-store'], { cwd: dir, env: { GITHUB_TOKEN: 'x', GITLAB_TOKEN: 'y' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nhi: --(github|gitlab)-url /);
    expect(r.stderr + r.stdout).not.toContain('CANARY');
  });

  it('inventory filters that match nothing in the snapshot are usage errors naming what is there', async () => {
    const store = path.join(dir, 'inv.db');
    expect((await nhi(['scan', '--demo', '-q', '--store', store], { cwd: dir })).code).toBe(0);
    const platform = await nhi(['inventory', '--store', store, '--platform', 'AWS'], { cwd: dir });
    expect(platform.code).toBe(2);
    expect(platform.stderr).toMatch(/^nhi: --platform: unknown platform 'AWS'\n {2}hint: snapshot \d+ holds aws, entra, gcp, k8s/);
    const type = await nhi(['inventory', '--store', store, '--type', 'iam_user'], { cwd: dir });
    expect(type.code).toBe(2);
    expect(type.stderr).toMatch(/hint: types there: .*iam-user/);
    const ok = await nhi(['inventory', '--store', store, '--platform', 'gcp', '--type', 'service-account', '-f', 'json'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { principals: unknown[] }).principals.length).toBeGreaterThan(0);
    // the TYPE column of credentials shows the credential type: filtering by what is shown works
    const keys = await nhi(['inventory', '--store', store, '--type', 'service-account-key', '-f', 'json'], { cwd: dir });
    expect(keys.code).toBe(0);
    expect((JSON.parse(keys.stdout) as { credentials: unknown[] }).credentials.length).toBeGreaterThan(0);
  });

  // regression: help ignored the terminal width, and in narrow terminals commander stopped wrapping altogether
  it.each([50, 60, 100])('--help fits %i columns (width from $COLUMNS when not a terminal)', async (cols) => {
    for (const args of [['--help'], ['scan', '--help'], ['inventory', '--help']]) {
      const r = await nhi(args, { cwd: dir, env: { COLUMNS: String(cols) } });
      expect(r.code).toBe(0);
      const long = r.stdout.split('\n').filter((l) => [...l].length > cols);
      expect(long).toEqual([]);
    }
  });
});
