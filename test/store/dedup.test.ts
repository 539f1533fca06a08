/**
 * Schema 3 keeps what did not change once: a snapshot's records live in content-addressed chunks with the scan's
 * stamps taken out. Every test here checks that readers get back exactly what was written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsConnector } from '../../connectors/aws/index.js';
import { runScan } from '../../src/engine/engine.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { ScanResult } from '../../src/model/result.js';
import type { Finding, GraphRecord } from '../../src/model/types.js';
import { RULES } from '../../src/rules/index.js';
import { templater, untemplate } from '../../src/store/chunks.js';
import { MIGRATIONS, openStore, SCHEMA_VERSION, type SnapshotStore, type StoredSnapshot } from '../../src/store/index.js';
import { redactSecrets } from '../../src/store/redact.js';
import { demoDir } from '../../src/util/paths.js';
import { account, run } from './helpers.js';

type Scan = ScanResult & { suppressed?: Finding[] };

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-dedup-'));
  file = path.join(dir, 'nhi.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const silent = { debug: () => {}, info: () => {}, warn: () => {} };

/** The demo AWS account scanned offline as of `day`, with its real rules (some findings suppressed). */
async function demoScan(day: string): Promise<Scan> {
  const d = demoDir();
  const result: Scan = await runScan({
    jobs: [{ connector: awsConnector, target: 'demo', options: { fromFile: path.join(d, 'authz.json'), credentialReport: path.join(d, 'credential-report.csv'), lastAccessed: path.join(d, 'last-accessed.json') } }],
    now: new Date(`${day}T06:00:00Z`),
    rules: RULES,
    log: silent,
  });
  result.suppressed = result.findings.filter((_, i) => i % 7 === 3);
  result.findings = result.findings.filter((_, i) => i % 7 !== 3);
  return result;
}

/** What a reader must get back for a scan: its records as JSON, nodes and edges in key order as the store always gave. */
function expected(scan: Scan) {
  const plain = <T>(v: T): T => JSON.parse(JSON.stringify(redactSecrets(v))) as T;
  const key = (e: { type: string; from: string; to: string }) => `${e.type}\u0000${e.from}\u0000${e.to}`;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    nodes: plain([...scan.graph.nodes.values()].sort((a, b) => cmp(a.id, b.id))),
    edges: plain([...new Map(scan.graph.edges.map((e) => [key(e), e])).values()].sort((a, b) => cmp(key(a), key(b)))),
    usage: plain(scan.graph.usage),
    coverage: plain(scan.graph.coverage),
    findings: plain(scan.findings).sort((a, b) => cmp(a.fingerprint, b.fingerprint)),
    suppressed: plain(scan.suppressed ?? []).sort((a, b) => cmp(a.fingerprint, b.fingerprint)),
  };
}

function readBack(snap: StoredSnapshot) {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    nodes: [...snap.graph.nodes.values()],
    edges: snap.graph.edges,
    usage: snap.graph.usage,
    coverage: snap.graph.coverage,
    findings: [...snap.findings].sort((a, b) => cmp(a.fingerprint, b.fingerprint)),
    suppressed: [...snap.suppressed].sort((a, b) => cmp(a.fingerprint, b.fingerprint)),
  };
}

function chunksOf(store: string, id: number, part: string): string[] {
  const db = new Database(store, { readonly: true });
  try {
    return (db.prepare('SELECT hex(c.hash) AS h FROM snapshot_chunks s JOIN chunks c ON c.id = s.chunk WHERE s.snapshot_id = ? AND s.part = ? ORDER BY s.seq').all(id, part) as Array<{ h: string }>).map((r) => r.h);
  } finally {
    db.close();
  }
}

function count(store: string, sql: string): number {
  const db = new Database(store, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('snapshots keep what did not change once', () => {
  it('a real scan reads back exactly as written', async () => {
    const scan = await demoScan('2026-11-01');
    expect(scan.graph.usage.length).toBeGreaterThan(0);
    expect(scan.findings.length).toBeGreaterThan(0);
    const store = openStore(file);
    const id = store.saveSnapshot(scan);
    expect(store.redactions).toEqual({ removedKeys: 0, replacedValues: 0 });
    store.close();
    const ro = openStore(file, { readonly: true });
    const snap = ro.loadSnapshot(id);
    expect(readBack(snap)).toStrictEqual(expected(scan));
    expect(snap.summary.identities).toBeGreaterThan(0);
    ro.close();
  });

  it('an unchanged re-scan a day later reuses every node, edge and usage chunk and reads back with its own times', async () => {
    const day1 = await demoScan('2026-11-01');
    const day2 = await demoScan('2026-11-02');
    const store = openStore(file);
    const a = store.saveSnapshot(day1);
    const chunksAfterFirst = count(file, 'SELECT COUNT(*) AS n FROM chunks');
    const b = store.saveSnapshot(day2);
    for (const part of ['node', 'edge', 'usage']) {
      expect(chunksOf(file, b, part).length).toBeGreaterThan(0);
      expect(chunksOf(file, b, part)).toEqual(chunksOf(file, a, part));
    }
    // only findings whose text depends on the day (ages) are new, each stored as a delta of yesterday's chunk
    const added = count(file, 'SELECT COUNT(*) AS n FROM chunks') - chunksAfterFirst;
    const findingChunks = new Set([...chunksOf(file, b, 'finding'), ...chunksOf(file, b, 'suppressed')]).size;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(findingChunks);
    expect(count(file, `SELECT COUNT(*) AS n FROM chunks WHERE base IS NOT NULL AND id IN (SELECT chunk FROM snapshot_chunks WHERE snapshot_id = ${b})`)).toBe(added);
    expect(readBack(store.loadSnapshot(a))).toStrictEqual(expected(day1));
    expect(readBack(store.loadSnapshot(b))).toStrictEqual(expected(day2));
    expect([...store.loadSnapshot(b).graph.nodes.values()][0].provenance[0].observedAt).toBe('2026-11-02T06:00:00.000Z');
    store.close();
  });

  it('a changed record adds its own chunk only, and both snapshots read back as written', async () => {
    const day1 = await demoScan('2026-11-01');
    const day2 = await demoScan('2026-11-01');
    const changed = [...day2.graph.nodes.values()][5];
    changed.attributes = { ...changed.attributes, note: 'changed' };
    const store = openStore(file);
    const a = store.saveSnapshot(day1);
    const b = store.saveSnapshot(day2);
    const before = chunksOf(file, a, 'node');
    const after = chunksOf(file, b, 'node');
    expect(after.filter((h) => !before.includes(h))).toHaveLength(1);
    expect(readBack(store.loadSnapshot(a))).toStrictEqual(expected(day1));
    expect(readBack(store.loadSnapshot(b))).toStrictEqual(expected(day2));
    store.close();
  });

  it('strings that only look like a stamp, or hold placeholder characters, come back unchanged', () => {
    const stamp = '2026-11-01T06:00:00.000Z';
    const other = '2026-10-30T01:00:00.000Z'; // a merged shard observed earlier
    const tricky = [stamp, ` ${stamp}`, `"${stamp}`, `\\"${stamp}"`, `${stamp}"`, '\u0001', '\u0002\u0003', `x\u0001${stamp}`, '\t\n\r', 'é🦊'];
    const records: GraphRecord[] = [
      { type: 'node', node: { id: 'aws:iam-user:a', kind: 'principal', platform: 'aws', type: 'iam-user', name: stamp, tags: Object.fromEntries(tricky.map((t, i) => [`t${i}`, t])), attributes: { [stamp]: stamp, list: [stamp, other, tricky] }, provenance: [{ connector: 'aws', source: 'x', observedAt: stamp }] } },
      { type: 'node', node: { id: 'gcp:service-account:b', kind: 'principal', platform: 'gcp', type: 'service-account', name: other, provenance: [{ connector: 'gcp', source: 'y', observedAt: other }] } },
      { type: 'edge', edge: { type: 'MEMBER_OF', from: 'aws:iam-user:a', to: 'gcp:service-account:b', attributes: { at: other, s: `"${other}"` }, provenance: [{ connector: 'aws', source: 'x', observedAt: other }] } },
    ];
    const scan: Scan = {
      tool: { name: 'nhi-drift', version: '0.0.0-test' },
      startedAt: stamp,
      finishedAt: stamp,
      asOf: stamp,
      connectors: [run('aws', [account('111111111111')])],
      incomplete: false,
      graph: IdentityGraph.from(records),
      findings: [],
      coverage: [],
      rules: [],
    };
    const store = openStore(file);
    const id = store.saveSnapshot(scan);
    expect(readBack(store.loadSnapshot(id))).toStrictEqual(expected(scan));
    store.close();
    // and the templating alone, on a text with every case
    const text = JSON.stringify({ a: stamp, b: [stamp, other], c: tricky, [stamp]: `\\${stamp}` });
    const t = templater([stamp, other]);
    expect(t(text).length).toBeLessThan(text.length);
    expect(untemplate(t(text), [stamp, other])).toBe(text);
  });

  it('removing snapshots never breaks another that shares their chunks', async () => {
    const scans = [await demoScan('2026-11-01'), await demoScan('2026-11-02'), await demoScan('2026-11-03')];
    const unidentified = await demoScan('2026-11-02');
    unidentified.connectors = unidentified.connectors.map((c) => ({ ...c, targets: [] }));
    const store = openStore(file);
    const ids = scans.map((s) => store.saveSnapshot(s));
    const other = store.saveSnapshot(unidentified);
    const result = store.prune(1);
    expect(result.removed.map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(readBack(store.loadSnapshot(ids[2]))).toStrictEqual(expected(scans[2]));
    expect(readBack(store.loadSnapshot(other))).toStrictEqual(expected(unidentified));
    expect(count(file, 'SELECT COUNT(*) AS n FROM chunks WHERE id NOT IN (SELECT chunk FROM snapshot_chunks) AND id NOT IN (SELECT d.base FROM chunks d JOIN snapshot_chunks s ON s.chunk = d.id WHERE d.base IS NOT NULL)')).toBe(0);
    store.close();
  });
});

describe('migration 3', () => {
  /** A store as schema 2 wrote it: the released SQL, rows inserted as that version's saveSnapshot did. */
  function v2Store(target: string, scans: Scan[]): void {
    const db = new Database(target);
    db.exec(MIGRATIONS[0].sql);
    db.exec(MIGRATIONS[1].sql);
    db.pragma('user_version = 2');
    const json = (v: unknown) => JSON.stringify(redactSecrets(v));
    const write = db.transaction((result: Scan) => {
      const info = db
        .prepare('INSERT INTO snapshots (started_at, finished_at, as_of, status, tool_version, connectors, summary, target_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(result.startedAt, result.finishedAt, result.asOf, 'complete', '0.1.0', json(result.connectors), JSON.stringify({ countVersion: 2, identities: 1, credentials: 0, findings: result.findings.length, findingsBySeverity: {}, coverageNotes: 0 }), 'key');
      const id = Number(info.lastInsertRowid);
      const g = result.graph;
      for (const n of g.nodes.values()) db.prepare('INSERT INTO nodes (snapshot_id, id, kind, platform, type, data) VALUES (?, ?, ?, ?, ?, ?)').run(id, n.id, n.kind, n.platform, n.type, json(n));
      for (const e of g.edges) db.prepare('INSERT OR REPLACE INTO edges (snapshot_id, type, from_id, to_id, data) VALUES (?, ?, ?, ?, ?)').run(id, e.type, e.from, e.to, json(e));
      g.usage.forEach((u, i) => db.prepare('INSERT INTO usage (snapshot_id, seq, node_id, data) VALUES (?, ?, ?, ?)').run(id, i, u.nodeId, json(u)));
      g.coverage.forEach((c, i) => db.prepare('INSERT INTO coverage (snapshot_id, seq, data) VALUES (?, ?, ?)').run(id, i, json(c)));
      const insertFinding = db.prepare('INSERT OR REPLACE INTO findings (snapshot_id, fingerprint, rule_id, severity, node_id, suppressed, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const f of result.findings) insertFinding.run(id, f.fingerprint, f.ruleId, f.severity, f.nodeId, 0, json(f));
      for (const f of result.suppressed ?? []) insertFinding.run(id, f.fingerprint, f.ruleId, f.severity, f.nodeId, 1, json(f));
    });
    for (const result of scans) write(result);
    db.close();
  }

  it('converts a schema 2 store in place; every snapshot reads back identically, as a new store would give it', async () => {
    const scans = [await demoScan('2026-11-01'), await demoScan('2026-11-02')];
    v2Store(file, scans);
    const before = new Database(file, { readonly: true });
    const v2Listing = before.prepare('SELECT id, started_at, as_of, summary, target_key FROM snapshots ORDER BY id').all();
    before.close();

    // a read-only command migrates it too (briefly read-write), then reads
    const ro = openStore(file, { readonly: true });
    const migrated = ro.listSnapshots().map((s) => s.id).sort();
    expect(migrated).toEqual([1, 2]);
    const fresh = openStore(path.join(dir, 'fresh.db'));
    for (const [i, scan] of scans.entries()) {
      const fid = fresh.saveSnapshot(scan);
      const got = ro.loadSnapshot(i + 1);
      expect(readBack(got)).toStrictEqual(expected(scan));
      expect(readBack(got)).toStrictEqual(readBack(fresh.loadSnapshot(fid)));
      expect(got.connectors).toStrictEqual(JSON.parse(JSON.stringify(scan.connectors)));
    }
    fresh.close();
    ro.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT id, started_at, as_of, summary, target_key FROM snapshots ORDER BY id').all()).toEqual(v2Listing);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).not.toContain('nodes');
    expect(tables).not.toContain('findings');
    // the second snapshot of the unchanged estate shares the first one's node chunks
    expect(chunksOf(file, 2, 'node')).toEqual(chunksOf(file, 1, 'node'));
    db.close();
  });

  it('a schema 2 store opened for writing is migrated and takes new snapshots', async () => {
    const scan = await demoScan('2026-11-01');
    v2Store(file, [scan]);
    const store: SnapshotStore = openStore(file);
    const id = store.saveSnapshot(await demoScan('2026-11-02'));
    expect(id).toBe(2);
    expect(readBack(store.loadSnapshot(1))).toStrictEqual(expected(scan));
    expect(chunksOf(file, 2, 'node')).toEqual(chunksOf(file, 1, 'node'));
    store.close();
  });
});
