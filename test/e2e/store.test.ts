/**
 * The snapshot store through the real CLI: where it lives by default, what happens when it is damaged, locked or
 * left mid-write, how `nhi diff` and `nhi snapshots` treat targets, pruning, identity counts, and private report files.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NON_IDENTITY_TYPES } from '../../src/graph/identities.js';
import { openStore } from '../../src/store/index.js';
import { awsRecords, scanOf } from '../store/helpers.js';
import { nhi, repoRoot, STACK_LINE } from './run.js';
import { holdWrite } from '../support/lock-holder.js';

const built = existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'));
let dir: string;
let home: string;
/** a user's environment with its own home and no store settings */
let env: Record<string, string | undefined>;
beforeAll(() => {
  if (!built) throw new Error('dist/ is missing: run the tests with npm test (it builds first)');
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-e2e-store-'));
  home = path.join(dir, 'home');
  mkdirSync(home);
  env = { HOME: home, USERPROFILE: home, XDG_DATA_HOME: undefined, NHI_STORE: undefined };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const fresh = (name: string) => path.join(dir, `${++n}-${name}`);

function expectCleanError(stderr: string) {
  expect(stderr).toMatch(/^nhi: /);
  expect(stderr).not.toMatch(STACK_LINE);
  const lines = stderr.trim().split('\n');
  expect(lines.length).toBeLessThanOrEqual(2);
  if (lines.length === 2) expect(lines[1]).toMatch(/^ {2}hint: /);
}

/** A store with the given scans saved through the store API (scans with real targets). */
function seed(file: string, scans: ReturnType<typeof scanOf>[]): void {
  const store = openStore(file);
  for (const s of scans) store.saveSnapshot(s);
  store.close();
}

describe('where the store lives', () => {
  it('by default in the data directory, never in the scanned checkout', async () => {
    const checkout = fresh('checkout');
    mkdirSync(checkout);
    const xdg = fresh('xdg');
    const r = await nhi(['scan', '--demo', '-q'], { cwd: checkout, env: { ...env, XDG_DATA_HOME: xdg } });
    expect(r.code).toBe(0);
    const db = path.join(xdg, 'nhi-drift', 'nhi.db');
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(checkout, '.nhi'))).toBe(false);
    const snaps = await nhi(['snapshots', '-f', 'json'], { cwd: checkout, env: { ...env, XDG_DATA_HOME: xdg } });
    expect((JSON.parse(snaps.stdout) as { snapshots: unknown[] }).snapshots).toHaveLength(1);
  });

  it('without XDG_DATA_HOME under ~/.local/share; NHI_STORE overrides; help shows the default', async () => {
    const checkout = fresh('checkout');
    mkdirSync(checkout);
    expect((await nhi(['scan', '--demo', '-q'], { cwd: checkout, env })).code).toBe(0);
    expect(existsSync(path.join(home, '.local', 'share', 'nhi-drift', 'nhi.db'))).toBe(true);
    const custom = fresh('custom.db');
    expect((await nhi(['scan', '--demo', '-q'], { cwd: checkout, env: { ...env, NHI_STORE: custom } })).code).toBe(0);
    expect(existsSync(custom)).toBe(true);
    expect(existsSync(path.join(checkout, '.nhi'))).toBe(false);
    for (const cmd of ['scan', 'snapshots', 'inventory', 'diff']) {
      const help = await nhi([cmd, '--help'], { env });
      expect(help.stdout.replace(/\s+/g, ' ')).toContain('default ~/.local/share/nhi-drift/nhi.db');
    }
  });

  it('an old ./.nhi/nhi.db is pointed out once, with the way to keep using it', async () => {
    const checkout = fresh('old-checkout');
    mkdirSync(path.join(checkout, '.nhi'), { recursive: true });
    seed(path.join(checkout, '.nhi', 'nhi.db'), [scanOf('111111111111')]);
    const xdg = fresh('xdg');
    const before = await nhi(['snapshots'], { cwd: checkout, env: { ...env, XDG_DATA_HOME: xdg } });
    expect(before.code).toBe(2);
    expectCleanError(before.stderr);
    expect(before.stderr).toContain('--store .nhi/nhi.db');
    const old = await nhi(['snapshots', '--store', '.nhi/nhi.db'], { cwd: checkout, env: { ...env, XDG_DATA_HOME: xdg } });
    expect(old.code).toBe(0);
    expect(old.stderr).toBe('');
    const scan = await nhi(['scan', '--demo', '-f', 'json'], { cwd: checkout, env: { ...env, XDG_DATA_HOME: xdg } });
    expect(scan.code).toBe(0);
    expect(scan.stderr.match(/--store \.nhi\/nhi\.db/g)).toHaveLength(1);
    expect(existsSync(path.join(xdg, 'nhi-drift', 'nhi.db'))).toBe(true);
  });
});

describe('a broken store: exit 2 with one clear line, never a lost report', () => {
  it.each([
    ['truncated', (f: string) => truncateSync(f, Math.floor(statSync(f).size / 2)), /is damaged/],
    [
      'another application\'s database',
      (f: string) => {
        rmSync(f);
        const db = new Database(f);
        db.exec('CREATE TABLE notes (body TEXT)');
        db.close();
      },
      /not an nhi-drift snapshot store/,
    ],
  ])('%s: every command refuses it (scan before scanning)', async (_label, breakIt, message) => {
    const file = fresh('broken.db');
    seed(file, [scanOf('111111111111'), scanOf('111111111111')]);
    breakIt(file);
    const commands = [['scan', '--demo'], ['snapshots'], ['snapshots', '-f', 'json'], ['inventory'], ['diff', '1', '2'], ['snapshots', 'prune', '--keep', '1']];
    const results = await Promise.all(commands.map((args) => nhi([...args, '--store', file], { env })));
    for (const [i, r] of results.entries()) {
      expect(r.code, commands[i].join(' ')).toBe(2);
      expectCleanError(r.stderr);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('locked by another writer: the scan still prints its report, says the snapshot was not stored, exits 2 (1 when the gate trips); readers held out say so', async () => {
    const held = fresh('held.db');
    seed(held, [scanOf('111111111111')]);
    const exclusive = fresh('exclusive.db');
    seed(exclusive, [scanOf('111111111111')]);
    const writer = await holdWrite(held, 'immediate');
    const blocker = await holdWrite(exclusive, 'exclusive');
    try {
      const [scan, gated, list, refused] = await Promise.all([
        nhi(['scan', '--demo', '-f', 'json', '--store', held], { env }),
        nhi(['scan', '--demo', '-q', '--fail-on', 'low', '--store', held], { env }),
        nhi(['snapshots', '--store', exclusive], { env }),
        nhi(['scan', '--demo', '--store', exclusive], { env }),
      ]);
      expect(scan.code).toBe(2);
      const report = JSON.parse(scan.stdout) as { findings: unknown[]; scan: { snapshotId: number | null } };
      expect(report.findings.length).toBeGreaterThan(0);
      expect(report.scan.snapshotId).toBeNull();
      expect(scan.stderr).toMatch(/^nhi: the snapshot was not stored: .*is locked by another process .* for more than 5 s/m);
      expect(scan.stderr).toMatch(/^ {2}hint: /m);
      expect(scan.stderr).not.toMatch(STACK_LINE);
      expect(gated.code).toBe(1);
      expect(gated.stdout).toContain('gha-deploy');
      expect(gated.stderr).toContain('the snapshot was not stored');
      expect(list.code).toBe(2);
      expectCleanError(list.stderr);
      expect(list.stderr).toMatch(/is locked/);
      expect(refused.code).toBe(2);
      expectCleanError(refused.stderr);
      expect(refused.stdout).toBe('');
    } finally {
      await writer.kill();
      await blocker.kill();
    }
    const after = openStore(held, { readonly: true });
    expect(after.listSnapshots().map((s) => s.id)).toEqual([1]);
    after.close();
  });

  it('after a scan killed while writing, snapshots, inventory and diff read the earlier snapshots', async () => {
    const file = fresh('killed.db');
    seed(file, [scanOf('111111111111'), scanOf('111111111111')]);
    const writer = await holdWrite(file, 'spill');
    await writer.kill();
    expect(existsSync(`${file}-journal`)).toBe(true);
    const list = await nhi(['snapshots', '--store', file, '-f', 'json'], { env });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { snapshots: Array<{ id: number }> }).snapshots.map((s) => s.id)).toEqual([2, 1]);
    const inv = await nhi(['inventory', '--store', file, '--snapshot', '1', '-f', 'json'], { env });
    expect(inv.code).toBe(0);
    expect(inv.stdout).toContain('AKIA111111111111');
    expect(inv.stdout).not.toContain('junk-');
    const diff = await nhi(['diff', '--store', file], { env });
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('No change since snapshot 1');
  });
});

describe('targets in diff and snapshots', () => {
  it('nhi diff refuses snapshots of different accounts, naming both; --force compares them anyway', async () => {
    const file = fresh('two-accounts.db');
    seed(file, [scanOf('111111111111'), scanOf('222222222222')]);
    const r = await nhi(['diff', '1', '2', '--store', file], { env });
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(r.stderr).toContain('snapshot 1 scanned aws:account:111111111111 (aws); snapshot 2 scanned aws:account:222222222222 (aws)');
    expect(r.stderr).toContain('--force');
    const latest = await nhi(['diff', '--store', file], { env });
    expect(latest.code).toBe(2);
    expectCleanError(latest.stderr);
    expect(latest.stderr).toContain('no snapshot before 2 scanned the same targets (aws:account:222222222222)');
    const forced = await nhi(['diff', '1', '2', '--force', '--store', file, '-f', 'json'], { env });
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/^nhi: warning: --force/);
    const doc = JSON.parse(forced.stdout) as { sameTargets: boolean; fromTargets: Array<{ id: string; name: string }>; drift: { findings: { resolved: unknown[] } } };
    expect(doc.sameTargets).toBe(false);
    expect(doc.fromTargets).toEqual([{ connector: 'aws', id: 'aws:account:111111111111', platform: 'aws', kind: 'account', name: '111111111111' }]);
    expect(doc.drift.findings.resolved).toHaveLength(1);
  });

  it('nhi diff and nhi snapshots print hostile names as inert text', async () => {
    const ESC = '\u001b';
    const hostile = `evil${ESC}]8;;https://evil.example/${ESC}\\x${ESC}]8;;${ESC}\\${ESC}[2J\nFAKE LINE`;
    const file = fresh('hostile.db');
    const target = { id: 'aws:account:999999999999', platform: 'aws', kind: 'account', name: hostile };
    const before = scanOf('999999999999', { targets: [target] });
    const after = scanOf('999999999999', { targets: [target], records: awsRecords('999999999999', [hostile]), findings: [{ ...before.findings[0], fingerprint: 'new', message: `key of ${hostile}` }] });
    seed(file, [before, after]);
    const diff = await nhi(['diff', '--store', file], { env });
    expect(diff.code).toBe(0);
    const list = await nhi(['snapshots', '--store', file], { env });
    expect(list.code).toBe(0);
    for (const out of [diff.stdout, list.stdout]) {
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(out).not.toContain('evil.example');
      expect(out.split('\n').some((l) => l.startsWith('FAKE LINE'))).toBe(false);
    }
    expect(diff.stdout).toContain('new identities (1)');
    expect(list.stdout.split('\n')[0]).toMatch(/TARGETS$/);
    expect(list.stdout).toContain('evilx FAKE LINE');
    const json = await nhi(['snapshots', '--store', file, '-f', 'json'], { env });
    const snaps = (JSON.parse(json.stdout) as { snapshots: Array<{ targets: Array<{ id: string; name: string }>; comparable: boolean }> }).snapshots;
    expect(snaps[0].targets.map((t) => t.id)).toEqual(['aws:account:999999999999']);
    expect(snaps[0].targets[0].name).toBe(hostile);
    expect(snaps[0].comparable).toBe(true);
  });

  it('nhi snapshots cuts the TARGETS column to the width', async () => {
    const file = fresh('many.db');
    const targets = Array.from({ length: 40 }, (_, i) => ({ id: `gcp:project:project-number-${i}`, platform: 'gcp', kind: 'project', name: `project-number-${i}` }));
    seed(file, [scanOf('1', { targets })]);
    const r = await nhi(['snapshots', '--store', file], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
    expect(lines[1]).toMatch(/ 2026-11-22 10:00:00 .* project-number-0, project-n.*…$/);
  });

  it('nhi snapshots prune --keep N removes the older snapshots of each target set and says which', async () => {
    const file = fresh('prune.db');
    seed(file, [scanOf('111111111111'), scanOf('222222222222'), scanOf('111111111111'), scanOf('111111111111')]);
    const zero = await nhi(['snapshots', 'prune', '--keep', '0', '--store', file], { env });
    expect(zero.code).toBe(2);
    expectCleanError(zero.stderr);
    expect((await nhi(['snapshots', 'prune', '--store', file], { env })).code).toBe(2); // --keep is required
    const r = await nhi(['snapshots', 'prune', '--keep', '1', '--store', file], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Removed 2 snapshots, kept 2:/);
    expect(r.stdout).toMatch(/#1 .*aws:account:111111111111/);
    expect(r.stdout).toMatch(/#3 .*aws:account:111111111111/);
    const again = await nhi(['snapshots', '--store', file, 'prune', '--keep', '1'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to remove');
  });
});

describe('identity counts agree', () => {
  it('the JSON report, the stored summary, nhi snapshots and nhi inventory count the same identities for the demo', async () => {
    const file = fresh('counts.db');
    const scan = await nhi(['scan', '--demo', '-f', 'json', '--store', file], { env });
    expect(scan.code).toBe(0);
    const report = JSON.parse(scan.stdout) as { summary: { identities: number; principals: number } };
    expect(report.summary.identities).toBeLessThan(report.summary.principals); // the demo has groups and trust anchors
    const db = new Database(file, { readonly: true });
    const stored = JSON.parse((db.prepare('SELECT summary FROM snapshots').get() as { summary: string }).summary) as { identities: number };
    db.close();
    const snaps = JSON.parse((await nhi(['snapshots', '--store', file, '-f', 'json'], { env })).stdout) as { snapshots: Array<{ identities: number }> };
    const text = (await nhi(['snapshots', '--store', file], { env })).stdout.split('\n')[1].trim().split(/\s+/);
    const inv = JSON.parse((await nhi(['inventory', '--store', file, '--kind', 'principal', '-f', 'json'], { env })).stdout) as { principals: Array<{ type: string }> };
    const inventoryIdentities = inv.principals.filter((p) => !NON_IDENTITY_TYPES.has(p.type)).length;
    expect(stored.identities).toBe(report.summary.identities);
    expect(snaps.snapshots[0].identities).toBe(report.summary.identities);
    expect(Number(text[5])).toBe(report.summary.identities);
    expect(inventoryIdentities).toBe(report.summary.identities);
    expect(inv.principals.length).toBe(report.summary.principals);
  });
});

describe('report files are private', () => {
  it('-o creates the file 0600, and narrows an existing wider file before writing', async () => {
    const created = fresh('report.json');
    const r = await nhi(['scan', '--demo', '--no-store', '-f', 'json', '-o', created], { env });
    expect(r.code).toBe(0);
    expect(statSync(created).mode & 0o777).toBe(0o600);
    const existing = fresh('existing.sarif');
    writeFileSync(existing, 'old');
    chmodSync(existing, 0o644);
    expect((await nhi(['scan', '--demo', '--no-store', '-f', 'sarif', '-o', existing], { env })).code).toBe(0);
    expect(statSync(existing).mode & 0o777).toBe(0o600);
    expect(readFileSync(existing, 'utf8')).toContain('"runs"');

    const file = fresh('for-output.db');
    seed(file, [scanOf('111111111111'), scanOf('111111111111')]);
    const diffOut = fresh('diff.txt');
    const invOut = fresh('inventory.json');
    writeFileSync(invOut, '');
    chmodSync(invOut, 0o666);
    expect((await nhi(['diff', '--store', file, '-o', diffOut], { env })).code).toBe(0);
    expect((await nhi(['inventory', '--store', file, '-f', 'json', '-o', invOut], { env })).code).toBe(0);
    expect(statSync(diffOut).mode & 0o777).toBe(0o600);
    expect(statSync(invOut).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['a full disk', '/dev/full', /cannot write the report \(no space left on the device, ENOSPC\)/],
    ['a folder', os.tmpdir(), /cannot write the report \(it is a folder, EISDIR\)/],
  ].filter(([, target]) => existsSync(target as string)))('-o onto %s is one clear line, exit 2', async (_label, target, message) => {
    const r = await nhi(['scan', '--demo', '--no-store', '-q', '-f', 'json', '-o', target], { env });
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
    expect(r.stderr).toMatch(message);
  });
});
