import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { IdentityGraph } from '../graph/graph.js';
import type { ConnectorRun, ScanResult } from '../model/result.js';
import type { CoverageNote, Finding, IdentityEdge, IdentityNode, Severity, UsageFact } from '../model/types.js';
import { SEVERITIES } from '../model/types.js';
import { NhiError } from '../util/errors.js';
import { VERSION } from '../version.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { redactSecrets, type RedactionStats } from './redact.js';

export interface SnapshotSummary {
  id: number;
  startedAt: string;
  finishedAt: string;
  asOf: string;
  status: 'complete' | 'incomplete';
  toolVersion: string;
  connectors: string[];
  identities: number;
  credentials: number;
  findings: number;
  findingsBySeverity: Partial<Record<Severity, number>>;
  coverageNotes: number;
}

export interface StoredSnapshot {
  summary: SnapshotSummary;
  connectors: ConnectorRun[];
  graph: IdentityGraph;
  findings: Finding[];
  suppressed: Finding[];
  coverage: CoverageNote[];
}

export interface OpenStoreOptions {
  readonly?: boolean;
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** Reject a path that exists but is not an SQLite file before better-sqlite3 touches it (no half-written headers). */
function checkExistingFile(file: string): void {
  const header = Buffer.alloc(16);
  try {
    const fd = openSync(file, 'r');
    try {
      const n = readSync(fd, header, 0, 16, 0);
      if (n === 0) return; // empty file: becomes a new store
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new NhiError('STORE', `${file}: cannot read the snapshot store (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (header.toString('latin1') !== SQLITE_MAGIC) {
    throw new NhiError('STORE', `${file} is not an nhi-drift snapshot store (not an SQLite database)`, {
      suggestion: 'point --store at another path; the file was left untouched',
    });
  }
}

export class SnapshotStore {
  private readonly db: Database.Database;
  readonly file: string;
  /** what the secret guard removed while saving (should stay zero: connectors drop values first) */
  readonly redactions: RedactionStats = { removedKeys: 0, replacedValues: 0 };

  constructor(file: string, opts: OpenStoreOptions = {}) {
    this.file = file;
    const exists = existsSync(file);
    if (exists) checkExistingFile(file);
    if (!exists) {
      if (opts.readonly) throw new NhiError('NOT_FOUND', `no snapshot store at ${file}`, { suggestion: 'run nhi scan first' });
      try {
        mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
        // create the file ourselves so it is private from its first byte
        closeSync(openSync(file, 'a', 0o600));
      } catch (err) {
        throw new NhiError('STORE', `${file}: cannot create the snapshot store (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
          suggestion: 'choose a writable path with --store, or --no-store',
        });
      }
    }
    try {
      chmodSync(file, 0o600);
    } catch {
      // read-only media or someone else's file: opening will tell
    }
    try {
      this.db = new Database(file, { readonly: Boolean(opts.readonly), fileMustExist: Boolean(opts.readonly) });
      this.db.pragma('foreign_keys = ON');
      if (!opts.readonly) this.db.pragma('journal_mode = DELETE');
      const found = this.db.pragma('user_version', { simple: true }) as number;
      if (found > SCHEMA_VERSION) {
        this.db.close();
        throw new NhiError('STORE', `${file} was written by a newer nhi-drift (store schema ${found}, this version knows ${SCHEMA_VERSION})`, {
          suggestion: 'upgrade nhi-drift, or use another --store',
        });
      }
      if (opts.readonly) {
        if (found < SCHEMA_VERSION) {
          this.db.close();
          throw new NhiError('STORE', `${file} uses an older store schema (${found}); run nhi scan once to upgrade it`);
        }
      } else {
        migrate(this.db);
      }
    } catch (err) {
      if (err instanceof NhiError) throw err;
      throw new NhiError('STORE', `${file}: cannot open the snapshot store (${(err as Error).message.split('\n')[0]})`, {
        suggestion: 'check the path and its permissions, or use another --store',
      });
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Store a whole scan in ONE transaction: either the snapshot is there with all its records, or nothing changed.
   * Earlier snapshots are never touched.
   */
  saveSnapshot(result: ScanResult & { suppressed?: Finding[] }): number {
    const graph = result.graph;
    const identities = [...graph.principals()].length;
    const credentials = [...graph.credentials()].length;
    const bySeverity: Partial<Record<Severity, number>> = {};
    for (const f of result.findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    const summary = {
      identities,
      credentials,
      findings: result.findings.length,
      findingsBySeverity: bySeverity,
      coverageNotes: result.coverage.length,
      stats: graph.stats(),
    };
    const json = (v: unknown) => JSON.stringify(redactSecrets(v, this.redactions));

    const insertSnapshot = this.db.prepare(
      `INSERT INTO snapshots (started_at, finished_at, as_of, status, tool_version, connectors, summary)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertNode = this.db.prepare('INSERT INTO nodes (snapshot_id, id, kind, platform, type, data) VALUES (?, ?, ?, ?, ?, ?)');
    const insertEdge = this.db.prepare('INSERT OR REPLACE INTO edges (snapshot_id, type, from_id, to_id, data) VALUES (?, ?, ?, ?, ?)');
    const insertUsage = this.db.prepare('INSERT INTO usage (snapshot_id, seq, node_id, data) VALUES (?, ?, ?, ?)');
    const insertCoverage = this.db.prepare('INSERT INTO coverage (snapshot_id, seq, data) VALUES (?, ?, ?)');
    const insertFinding = this.db.prepare(
      'INSERT OR REPLACE INTO findings (snapshot_id, fingerprint, rule_id, severity, node_id, suppressed, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );

    const tx = this.db.transaction((): number => {
      const info = insertSnapshot.run(
        result.startedAt,
        result.finishedAt,
        result.asOf,
        result.incomplete ? 'incomplete' : 'complete',
        result.tool?.version ?? VERSION,
        json(result.connectors),
        JSON.stringify(summary),
      );
      const id = Number(info.lastInsertRowid);
      for (const n of graph.nodes.values()) insertNode.run(id, n.id, n.kind, n.platform, n.type, json(n));
      for (const e of graph.edges) insertEdge.run(id, e.type, e.from, e.to, json(e));
      graph.usage.forEach((u, i) => insertUsage.run(id, i, u.nodeId, json(u)));
      graph.coverage.forEach((c, i) => insertCoverage.run(id, i, json(c)));
      for (const f of result.findings) insertFinding.run(id, f.fingerprint, f.ruleId, f.severity, f.nodeId, 0, json(f));
      for (const f of result.suppressed ?? []) insertFinding.run(id, f.fingerprint, f.ruleId, f.severity, f.nodeId, 1, json(f));
      return id;
    });
    try {
      return tx();
    } catch (err) {
      throw new NhiError('STORE', `${this.file}: could not store the snapshot (${(err as Error).message.split('\n')[0]}); earlier snapshots are intact`, {
        suggestion: 'check free disk space and permissions, or run with --no-store',
      });
    }
  }

  private summaryFrom(row: SnapshotRow): SnapshotSummary {
    const s = JSON.parse(row.summary) as Omit<SnapshotSummary, 'id'>;
    const runs = JSON.parse(row.connectors) as ConnectorRun[];
    return {
      id: row.id,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      asOf: row.as_of,
      status: row.status,
      toolVersion: row.tool_version,
      connectors: runs.map((r) => r.id),
      identities: s.identities ?? 0,
      credentials: s.credentials ?? 0,
      findings: s.findings ?? 0,
      findingsBySeverity: s.findingsBySeverity ?? {},
      coverageNotes: s.coverageNotes ?? 0,
    };
  }

  /** Newest first. */
  listSnapshots(): SnapshotSummary[] {
    const rows = this.db.prepare('SELECT * FROM snapshots ORDER BY id DESC').all() as SnapshotRow[];
    return rows.map((r) => this.summaryFrom(r));
  }

  latestSnapshotId(): number | undefined {
    const row = this.db.prepare('SELECT MAX(id) AS id FROM snapshots').get() as { id: number | null };
    return row.id ?? undefined;
  }

  /** The snapshot before `id` (for drift), if any. */
  previousSnapshotId(id: number): number | undefined {
    const row = this.db.prepare('SELECT MAX(id) AS id FROM snapshots WHERE id < ?').get(id) as { id: number | null };
    return row.id ?? undefined;
  }

  /** The newest snapshot whose connector runs scanned the same targets (same connector ids and targets), if any. */
  latestSnapshotOf(runs: Array<Pick<ConnectorRun, 'id' | 'target'>>): number | undefined {
    const key = (rs: Array<Pick<ConnectorRun, 'id' | 'target'>>) =>
      rs
        .map((r) => `${r.id}\u0000${r.target ?? ''}`)
        .sort()
        .join('\u0001');
    const wanted = key(runs);
    for (const row of this.db.prepare('SELECT id, connectors FROM snapshots ORDER BY id DESC').iterate() as Iterable<{ id: number; connectors: string }>) {
      if (key(JSON.parse(row.connectors) as ConnectorRun[]) === wanted) return row.id;
    }
    return undefined;
  }

  private requireSnapshot(id: number): SnapshotRow {
    const row = this.db.prepare('SELECT * FROM snapshots WHERE id = ?').get(id) as SnapshotRow | undefined;
    if (!row) throw new NhiError('NOT_FOUND', `no snapshot ${id} in ${this.file}`, { suggestion: 'list them with nhi snapshots' });
    return row;
  }

  loadGraph(id: number): IdentityGraph {
    this.requireSnapshot(id);
    const g = new IdentityGraph();
    for (const r of this.db.prepare('SELECT data FROM nodes WHERE snapshot_id = ?').iterate(id) as Iterable<{ data: string }>) {
      g.addNode(JSON.parse(r.data) as IdentityNode);
    }
    for (const r of this.db.prepare('SELECT data FROM edges WHERE snapshot_id = ?').iterate(id) as Iterable<{ data: string }>) {
      g.addEdge(JSON.parse(r.data) as IdentityEdge);
    }
    for (const r of this.db.prepare('SELECT data FROM usage WHERE snapshot_id = ? ORDER BY seq').iterate(id) as Iterable<{ data: string }>) {
      g.addUsage(JSON.parse(r.data) as UsageFact);
    }
    for (const r of this.db.prepare('SELECT data FROM coverage WHERE snapshot_id = ? ORDER BY seq').iterate(id) as Iterable<{ data: string }>) {
      g.add({ type: 'coverage', coverage: JSON.parse(r.data) as CoverageNote });
    }
    return g;
  }

  loadFindings(id: number, opts: { suppressed?: boolean } = {}): Finding[] {
    this.requireSnapshot(id);
    const rows = this.db
      .prepare('SELECT data FROM findings WHERE snapshot_id = ? AND suppressed = ?')
      .all(id, opts.suppressed ? 1 : 0) as Array<{ data: string }>;
    const rank = (s: Severity) => SEVERITIES.indexOf(s);
    return rows
      .map((r) => JSON.parse(r.data) as Finding)
      .sort((a, b) => rank(a.severity) - rank(b.severity) || a.ruleId.localeCompare(b.ruleId) || a.nodeId.localeCompare(b.nodeId) || a.fingerprint.localeCompare(b.fingerprint));
  }

  loadSnapshot(id: number): StoredSnapshot {
    const row = this.requireSnapshot(id);
    const graph = this.loadGraph(id);
    return {
      summary: this.summaryFrom(row),
      connectors: JSON.parse(row.connectors) as ConnectorRun[],
      graph,
      findings: this.loadFindings(id),
      suppressed: this.loadFindings(id, { suppressed: true }),
      coverage: graph.coverage,
    };
  }
}

interface SnapshotRow {
  id: number;
  started_at: string;
  finished_at: string;
  as_of: string;
  status: 'complete' | 'incomplete';
  tool_version: string;
  connectors: string;
  summary: string;
}

export function openStore(file: string, opts: OpenStoreOptions = {}): SnapshotStore {
  return new SnapshotStore(file, opts);
}
