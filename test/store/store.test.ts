import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { ScanResult } from '../../src/model/result.js';
import type { Finding, GraphRecord } from '../../src/model/types.js';
import { openStore, SCHEMA_VERSION } from '../../src/store/index.js';
import { NhiError } from '../../src/util/errors.js';
import { storedText } from '../support/secret-leaks.js';

const observedAt = '2026-11-01T06:00:00.000Z';
const prov = [{ connector: 'aws', source: 'file:authz.json', observedAt }];

function records(): GraphRecord[] {
  return [
    { type: 'node', node: { id: 'aws:iam-user:arn:aws:iam::111122223333:user/ci', kind: 'principal', platform: 'aws', type: 'iam-user', name: 'ci', accountType: 'service', scope: '111122223333', tags: { team: 'platform' }, provenance: prov } },
    { type: 'node', node: { id: 'aws:access-key:AKIAEXAMPLE1', kind: 'credential', platform: 'aws', type: 'access-key', name: 'AKIAEXAMPLE1', credentialType: 'access-key', active: true, createdAt: '2024-01-01T00:00:00.000Z', lastUsedAt: null, provenance: prov } },
    { type: 'edge', edge: { type: 'HAS_CREDENTIAL', from: 'aws:iam-user:arn:aws:iam::111122223333:user/ci', to: 'aws:access-key:AKIAEXAMPLE1', provenance: prov } },
    { type: 'usage', usage: { nodeId: 'aws:iam-user:arn:aws:iam::111122223333:user/ci', scope: { kind: 'service', name: 's3' }, lastUsedAt: null, window: { end: observedAt, days: 400 }, provenance: prov[0] } },
    { type: 'coverage', coverage: { connector: 'aws', source: 'iam:ListAccessKeys', reason: 'permission-denied', message: 'AccessDenied', impact: 'key ids missing', incomplete: true } },
  ];
}

function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'credential-unused',
    severity: 'medium',
    confidence: 'high',
    nodeId: 'aws:access-key:AKIAEXAMPLE1',
    message: 'access key AKIAEXAMPLE1 of ci was never used',
    evidence: [{ description: 'lastUsedAt is null' }],
    fingerprint: 'f'.repeat(32),
    ...over,
  };
}

function result(over: Partial<ScanResult> = {}): ScanResult & { suppressed: Finding[] } {
  return {
    tool: { name: 'nhi-drift', version: '0.0.0-test' },
    startedAt: '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:00:05.000Z',
    asOf: observedAt,
    connectors: [{ id: 'aws', title: 'AWS IAM', status: 'partial', apiCalls: 0, callsByOperation: {}, records: 5, durationMs: 12 }],
    incomplete: true,
    graph: IdentityGraph.from(records()),
    findings: [finding()],
    coverage: records().flatMap((r) => (r.type === 'coverage' ? [r.coverage] : [])),
    rules: [],
    suppressed: [finding({ ruleId: 'identity-unowned', severity: 'low', fingerprint: 'a'.repeat(32) })],
    ...over,
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshot store', () => {
  it('creates a private file (0600) under a new folder and records the schema version', () => {
    const file = path.join(dir, '.nhi', 'nhi.db');
    const store = openStore(file);
    store.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('round-trips a scan: graph, findings, suppressed findings, coverage and the listing summary', () => {
    const file = path.join(dir, 'nhi.db');
    const store = openStore(file);
    const id = store.saveSnapshot(result());
    store.close();

    const ro = openStore(file, { readonly: true });
    expect(ro.latestSnapshotId()).toBe(id);
    const snap = ro.loadSnapshot(id);
    const original = result();
    expect([...snap.graph.nodes.keys()].sort()).toEqual([...original.graph.nodes.keys()].sort());
    expect(snap.graph.edges).toEqual(original.graph.edges);
    expect(snap.graph.usage).toEqual(original.graph.usage);
    expect(snap.coverage).toEqual(original.coverage);
    expect(snap.graph.credentialsOf('aws:iam-user:arn:aws:iam::111122223333:user/ci').map((c) => c.id)).toEqual(['aws:access-key:AKIAEXAMPLE1']);
    expect(snap.findings).toEqual(original.findings);
    expect(snap.suppressed.map((f) => f.ruleId)).toEqual(['identity-unowned']);
    const [listed] = ro.listSnapshots();
    expect(listed).toMatchObject({ id, status: 'incomplete', identities: 1, credentials: 1, findings: 1, connectors: ['aws'], findingsBySeverity: { medium: 1 } });
    ro.close();
  });

  it('lists snapshots newest first and finds the previous one', () => {
    const file = path.join(dir, 'nhi.db');
    const store = openStore(file);
    const a = store.saveSnapshot(result());
    const b = store.saveSnapshot(result({ incomplete: false }));
    expect(store.listSnapshots().map((s) => s.id)).toEqual([b, a]);
    expect(store.previousSnapshotId(b)).toBe(a);
    expect(store.previousSnapshotId(a)).toBeUndefined();
    store.close();
  });

  it('a snapshot that fails half-way is rolled back and earlier snapshots stay intact', () => {
    const file = path.join(dir, 'nhi.db');
    const store = openStore(file);
    const first = store.saveSnapshot(result());
    const broken = finding({ fingerprint: 'b'.repeat(32) }) as Finding & { evidence: unknown[] };
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle; // JSON.stringify throws on the last finding, after nodes and edges were inserted
    broken.evidence = [{ description: 'x', data: cycle }];
    expect(() => store.saveSnapshot(result({ findings: [finding(), broken] }))).toThrowError(/earlier snapshots are intact/);
    expect(store.listSnapshots().map((s) => s.id)).toEqual([first]);
    const db = new Database(file, { readonly: true });
    const listed = db.prepare('SELECT DISTINCT snapshot_id FROM snapshot_chunks').all();
    const orphans = db.prepare('SELECT COUNT(*) AS n FROM chunks WHERE id NOT IN (SELECT chunk FROM snapshot_chunks) AND id NOT IN (SELECT d.base FROM chunks d JOIN snapshot_chunks s ON s.chunk = d.id WHERE d.base IS NOT NULL)').get();
    db.close();
    expect(listed).toEqual([{ snapshot_id: first }]);
    expect(orphans).toEqual({ n: 0 });
    store.close();
  });

  it('never writes secret-looking values: secret-named attributes are dropped, token formats replaced', () => {
    const file = path.join(dir, 'nhi.db');
    const store = openStore(file);
    const token = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
    const r = result();
    r.graph.addNode({ id: 'github:secret:acme/DEPLOY', kind: 'credential', platform: 'github', type: 'actions-secret', name: 'DEPLOY', credentialType: 'secret', active: true, attributes: { value: 'hunter2-plain', note: `leaked ${token}`, visibility: 'private' }, provenance: prov });
    store.saveSnapshot(r);
    expect(store.redactions).toEqual({ removedKeys: 1, replacedValues: 1 });
    store.close();
    const bytes = storedText(file);
    expect(bytes).toContain('DEPLOY');
    expect(bytes).not.toContain('hunter2-plain');
    expect(bytes).not.toContain(token);
    const ro = openStore(file, { readonly: true });
    const node = ro.loadGraph(ro.latestSnapshotId()!).node('github:secret:acme/DEPLOY');
    expect(node?.attributes).toEqual({ note: '[redacted]', visibility: 'private' });
    ro.close();
  });

  it.each([
    ['a text file', 'this is not a database\n', /not an nhi-drift snapshot store/],
    ['a JSON file', '{"snapshots": []}', /not an nhi-drift snapshot store/],
  ])('refuses %s without touching it', (_label, content, message) => {
    const file = path.join(dir, 'nhi.db');
    writeFileSync(file, content);
    let err: unknown;
    try {
      openStore(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NhiError);
    expect((err as NhiError).code).toBe('STORE');
    expect((err as NhiError).message).toMatch(message);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('refuses a store written by a newer schema', () => {
    const file = path.join(dir, 'nhi.db');
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openStore(file)).toThrowError(/newer nhi-drift/);
  });

  it('read-only open of a missing store is NOT_FOUND and creates nothing', () => {
    const file = path.join(dir, 'missing.db');
    expect(() => openStore(file, { readonly: true })).toThrowError(/no snapshot store/);
    expect(() => statSync(file)).toThrow();
  });

  it('asking for an unknown snapshot id is a clear NOT_FOUND', () => {
    const store = openStore(path.join(dir, 'nhi.db'));
    expect(() => store.loadGraph(42)).toThrowError(/no snapshot 42/);
    store.close();
  });
});
