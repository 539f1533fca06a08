import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordSnapshot } from '../../src/cli/commands/common.js';
import { chooseBaseline } from '../../src/drift/baseline.js';
import { targetKey } from '../../src/drift/targets.js';
import { countIdentities } from '../../src/graph/identities.js';
import { MIGRATIONS, openStore, SCHEMA_VERSION } from '../../src/store/index.js';
import { account, awsRecords, run, scanOf } from './helpers.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-targets-'));
  file = path.join(dir, 'nhi.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('drift only compares snapshots of the same targets', () => {
  it('scanning account A then account B reports nothing of A as resolved, and says why there is no drift', async () => {
    const store = openStore(file);
    const a = scanOf('111111111111');
    expect(await recordSnapshot(store, a)).toBeUndefined();
    expect(a.driftUnavailable?.reason).toBe('first-snapshot');

    // same connector, same label ("default credentials"), another account
    const b = scanOf('222222222222');
    expect(await recordSnapshot(store, b)).toBeUndefined();
    expect(b.drift).toBeUndefined();
    expect(b.driftUnavailable).toEqual({
      reason: 'no-earlier-snapshot',
      message: `no earlier snapshot of aws:account:222222222222 (the latest, #${a.snapshotId}, scanned aws:account:111111111111)`,
    });

    // account A again: compared with A's snapshot, not with B's (the latest)
    const a2 = scanOf('111111111111', { findings: [] });
    await recordSnapshot(store, a2);
    expect(a2.drift?.base.snapshotId).toBe(a.snapshotId);
    expect(a2.drift?.base.targets).toEqual(['aws:account:111111111111']);
    expect(a2.drift?.findings.resolved.map((f) => f.fingerprint)).toEqual(['fp-111111111111']);
    expect(a2.drift?.identities.removed).toEqual([]);
    store.close();
  });

  it('a scan with a connector run that reported no target is stored but never compared, and says so', async () => {
    const store = openStore(file);
    const first = scanOf('111111111111');
    await recordSnapshot(store, first);
    const unknown = scanOf('111111111111');
    unknown.connectors.push(run('github', []));
    await recordSnapshot(store, unknown);
    expect(unknown.snapshotId).toBeDefined();
    expect(unknown.drift).toBeUndefined();
    expect(unknown.driftUnavailable?.reason).toBe('unidentified');
    expect(unknown.driftUnavailable?.message).toContain('this scan could not identify what it scanned (github reported no account');
    // and it is never the baseline of a later scan
    const again = scanOf('111111111111');
    await recordSnapshot(store, again);
    expect(again.drift?.base.snapshotId).toBe(first.snapshotId);
    const listed = store.listSnapshots();
    expect(listed.find((s) => s.id === unknown.snapshotId)?.comparable).toBe(false);
    expect(listed.find((s) => s.id === first.snapshotId)?.targets).toEqual([{ connector: 'aws', id: 'aws:account:111111111111', platform: 'aws', kind: 'account', name: '111111111111' }]);
    store.close();
  });

  it('the same targets read by other connectors are not the same scan', async () => {
    const store = openStore(file);
    const repo = { id: 'github:repo:github.com/acme/app', platform: 'github', kind: 'repository', name: 'acme/app' };
    const viaFiles = scanOf('x', { targets: [], records: [], findings: [] });
    viaFiles.connectors = [run('workflows', [repo])];
    await recordSnapshot(store, viaFiles);
    const viaApi = scanOf('x', { targets: [], records: [], findings: [] });
    viaApi.connectors = [run('github', [repo])];
    const choice = chooseBaseline(store, viaApi.connectors);
    expect(choice).toEqual({
      unavailable: { reason: 'no-earlier-snapshot', message: `no earlier snapshot of github:repo:github.com/acme/app (the latest, #1, scanned the same targets with other connectors (workflows))` },
    });
    store.close();
  });

  it('the target key ignores order and duplicates but not a missing target', () => {
    const t1 = account('1');
    const t2 = account('2');
    expect(targetKey([run('aws', [t1, t2, t1])])).toBe(targetKey([run('aws', [t2, t1])]));
    expect(targetKey([run('aws', [t1])])).not.toBe(targetKey([run('aws', [t1, t2])]));
    expect(targetKey([run('aws', [t1]), run('gcp', [])])).toBeUndefined();
    expect(targetKey([])).toBeUndefined();
  });

  it('a store read fails: the scan keeps its result, says drift could not be computed, and does not store', async () => {
    const store = openStore(file);
    await recordSnapshot(store, scanOf('111111111111'));
    const db = new Database(file);
    db.prepare("UPDATE chunks SET data = ? WHERE id IN (SELECT chunk FROM snapshot_chunks WHERE snapshot_id = 1 AND part = 'node')").run(Buffer.from('{not deflate'));
    db.close();
    const again = scanOf('111111111111');
    const failure = await recordSnapshot(store, again);
    expect(failure?.code).toBe('STORE');
    expect(failure?.message).toMatch(/is damaged/);
    expect(again.driftUnavailable?.reason).toBe('store-error');
    expect(again.snapshotId).toBeUndefined();
    expect(store.listSnapshots()).toHaveLength(1);
    store.close();
  });
});

describe('store schema 2: targets of each snapshot', () => {
  function v1Store(): void {
    const db = new Database(file);
    db.exec(MIGRATIONS[0].sql);
    db.pragma('user_version = 1');
    const summary = JSON.stringify({ identities: 2, credentials: 1, findings: 0, findingsBySeverity: {}, coverageNotes: 0 }); // v1 counted every principal
    db.prepare("INSERT INTO snapshots (started_at, finished_at, as_of, status, tool_version, connectors, summary) VALUES ('2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '2026-01-01T00:00:00Z', 'complete', '0.1.0', ?, ?)").run(
      JSON.stringify([{ id: 'aws', title: 'AWS IAM', status: 'complete', target: 'default credentials' }]),
      summary,
    );
    for (const r of awsRecords('111111111111')) {
      if (r.type === 'node') db.prepare('INSERT INTO nodes (snapshot_id, id, kind, platform, type, data) VALUES (1, ?, ?, ?, ?, ?)').run(r.node.id, r.node.kind, r.node.platform, r.node.type, JSON.stringify(r.node));
    }
    db.close();
  }

  it('an older store is migrated on open; its snapshots have no targets and are never a baseline', async () => {
    v1Store();
    const store = openStore(file);
    const [old] = store.listSnapshots();
    expect(old).toMatchObject({ id: 1, targets: [], comparable: false, identities: 1 }); // the group is not an identity
    const scan = scanOf('111111111111');
    await recordSnapshot(store, scan);
    expect(scan.drift).toBeUndefined();
    expect(scan.driftUnavailable?.message).toBe('no earlier snapshot of aws:account:111111111111 (the latest, #1, does not record what it scanned)');
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'snapshots_target_key'").get()).toBeDefined();
    db.close();
  });

  it('read-only commands read an older store too (upgraded on open)', () => {
    v1Store();
    const ro = openStore(file, { readonly: true });
    expect(ro.listSnapshots().map((s) => s.id)).toEqual([1]);
    ro.close();
  });
});

describe('identity counts', () => {
  it('the stored summary counts identities as the reports do (groups and trust anchors excluded)', () => {
    const store = openStore(file);
    const scan = scanOf('111111111111', { records: awsRecords('111111111111', ['deploy']) });
    const id = store.saveSnapshot(scan);
    const counts = countIdentities(scan.graph);
    expect(counts).toEqual({ identities: 2, principals: 3, credentials: 1 });
    expect(store.listSnapshots()[0]).toMatchObject({ id, identities: 2, credentials: 1 });
    store.close();
  });
});

describe('prune', () => {
  it('keeps the newest N of every target set in one transaction and removes the rest with their records', () => {
    const store = openStore(file);
    const ids: Record<string, number[]> = { a: [], b: [], none: [] };
    for (let i = 0; i < 3; i++) ids.a.push(store.saveSnapshot(scanOf('111111111111')));
    for (let i = 0; i < 2; i++) ids.b.push(store.saveSnapshot(scanOf('222222222222')));
    ids.none.push(store.saveSnapshot(scanOf('333333333333', { targets: [] })));
    ids.a.push(store.saveSnapshot(scanOf('111111111111')));
    const result = store.prune(2);
    expect(result.removed.map((r) => r.id)).toEqual([ids.a[0], ids.a[1]]);
    expect(result.removed[0].targets.map((t) => t.id)).toEqual(['aws:account:111111111111']);
    expect(result.kept).toBe(5);
    expect(result.vacuumed).toBe(true);
    const again = store.prune(1);
    expect(again.removed.map((r) => r.id)).toEqual([ids.a[2], ids.b[0]]);
    expect(store.listSnapshots().map((s) => s.id).sort((x, y) => x - y)).toEqual([ids.b[1], ids.none[0], ids.a[3]]);
    store.close();
    const db = new Database(file, { readonly: true });
    const left = (table: string) => (db.prepare(`SELECT DISTINCT snapshot_id AS id FROM ${table} ORDER BY id`).all() as Array<{ id: number }>).map((r) => r.id);
    expect(left('snapshot_chunks')).toEqual([ids.b[1], ids.none[0], ids.a[3]]);
    expect(left('snapshot_targets')).toEqual([ids.b[1], ids.a[3]]);
    // records only the removed snapshots listed are gone; every chunk left belongs to a kept snapshot
    const orphans = db.prepare('SELECT COUNT(*) AS n FROM chunks WHERE id NOT IN (SELECT chunk FROM snapshot_chunks) AND id NOT IN (SELECT d.base FROM chunks d JOIN snapshot_chunks s ON s.chunk = d.id WHERE d.base IS NOT NULL)').get() as { n: number };
    expect(orphans.n).toBe(0);
    db.close();
  });

  it('refuses to keep fewer than one', () => {
    const store = openStore(file);
    store.saveSnapshot(scanOf('1'));
    expect(() => store.prune(0)).toThrowError(/at least 1/);
    expect(store.listSnapshots()).toHaveLength(1);
    store.close();
  });

  it('the newest earlier snapshot of a key is found among others', () => {
    const store = openStore(file);
    const a1 = store.saveSnapshot(scanOf('1'));
    store.saveSnapshot(scanOf('2'));
    const a2 = store.saveSnapshot(scanOf('1'));
    const key = targetKey([run('aws', [account('1')])])!;
    expect(store.latestWithKey(key)).toBe(a2);
    expect(store.latestWithKey(key, a2)).toBe(a1);
    expect(store.latestWithKey(key, a1)).toBeUndefined();
    store.close();
  });
});

describe('findings not re-checked', () => {
  it('a finding whose account could not be read this time is not resolved', async () => {
    const store = openStore(file);
    await recordSnapshot(store, scanOf('111111111111'));
    // the key listing failed for this account: the key and its finding are missing, but nothing was fixed
    const partial = scanOf('111111111111', {
      records: awsRecords('111111111111').filter((r) => !(r.type === 'node' && r.node.kind === 'credential') && r.type !== 'edge'),
      findings: [],
      coverage: [{ connector: 'aws', source: 'iam:ListAccessKeys', scope: '111111111111', reason: 'permission-denied', message: 'AccessDenied', impact: 'keys missing', incomplete: true }],
    });
    await recordSnapshot(store, partial);
    expect(partial.drift?.findings.resolved).toEqual([]);
    expect(partial.drift?.findings.notRechecked.map((f) => f.fingerprint)).toEqual(['fp-111111111111']);
    expect(partial.drift?.credentials.removed).toEqual([]);
    expect(partial.drift?.credentials.notRechecked.map((n) => n.name)).toEqual(['AKIA111111111111']);
    store.close();
  });
});
