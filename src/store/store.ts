/**
 * The snapshot store: one SQLite file, one transaction per snapshot.
 *
 * How a snapshot is kept (schema 3). Nightly scans of an estate that did not change differ only in per-scan values,
 * so each record is kept once, not once per snapshot:
 * - `snapshots` holds one row per scan (times, status, connector runs, summary, target key) and `stamps`, the
 *   per-scan strings taken out of its records: its as-of time and the other observation times its nodes carry (a
 *   merged snapshot has one per shard). Every JSON string equal to a stamp is replaced by a placeholder character
 *   before chunking and put back on reading, so `observedAt` and usage windows no longer differ between scans.
 * - the records of each part (nodes by id, edges by type/from/to, usage and coverage in scan order, findings and
 *   suppressed findings by rule then fingerprint) are cut into chunks where a record's key hashes to a boundary, and
 *   each chunk (a JSON array) is stored once in `chunks` under the hash of its text, deflated; `snapshot_chunks`
 *   lists a snapshot's chunks in order. An unchanged re-scan therefore adds its `snapshots` row and one small row per
 *   chunk. A chunk that did change (findings that state an age in days change every day) is deflated with the
 *   previous snapshot's chunk in its place as the dictionary, so it costs its differences only. Deltas are one level
 *   deep: their base is always a full chunk, so reading a chunk inflates at most two.
 * - snapshots stay independent: a snapshot is readable from its own rows and the chunks they name. `prune` deletes
 *   snapshots and, in the same transaction, the chunks no remaining snapshot lists and no kept delta needs.
 * - readers get back exactly the JSON that was written (test/store/dedup.test.ts checks the round trip, migration
 *   3 included). src/store/chunks.ts has the chunk format, migrations.ts the tables.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { scanTargets, targetKey, type SnapshotTarget } from '../drift/targets.js';
import { IdentityGraph } from '../graph/graph.js';
import { countIdentities, NON_IDENTITY_TYPES } from '../graph/identities.js';
import type { ConnectorRun, ScanResult, ShardRecord } from '../model/result.js';
import type { CoverageNote, Finding, IdentityEdge, IdentityNode, ScanTarget, Severity, UsageFact } from '../model/types.js';
import { SEVERITIES } from '../model/types.js';
import { describeError, NhiError } from '../util/errors.js';
import { safeLine } from '../util/text.js';
import { VERSION } from '../version.js';
import { byKey, ChunkWriter, KEYS, readChunk, scanStamps, templater, type Item, type Part } from './chunks.js';
import { migrate, REQUIRED_COLUMNS, SCHEMA_VERSION, tablesAt } from './migrations.js';
import { redactSecrets, type RedactionStats } from './redact.js';

export interface SnapshotSummary {
  id: number;
  startedAt: string;
  finishedAt: string;
  asOf: string;
  status: 'complete' | 'incomplete';
  toolVersion: string;
  connectors: string[];
  /** what the scan scanned, sorted by id; empty when it could not tell (then the snapshot is never compared) */
  targets: SnapshotTarget[];
  /** false for snapshots that can never be a drift baseline (no targets, or stored by an older nhi-drift) */
  comparable: boolean;
  /** identities as every report counts them (src/graph/identities.ts) */
  identities: number;
  credentials: number;
  findings: number;
  findingsBySeverity: Partial<Record<Severity, number>>;
  coverageNotes: number;
  /** a merged snapshot (nhi merge): the shards it was made of, in merge order (absent for a scan) */
  shards?: ShardRecord[];
}

export interface StoredSnapshot {
  summary: SnapshotSummary;
  connectors: ConnectorRun[];
  graph: IdentityGraph;
  findings: Finding[];
  suppressed: Finding[];
  coverage: CoverageNote[];
  /** the key drift matches snapshots by (undefined: never compared) */
  targetKey?: string;
}

export interface PruneResult {
  removed: Array<{ id: number; startedAt: string; targets: SnapshotTarget[] }>;
  kept: number;
  /** the file was compacted afterwards (deleted rows no longer on disk) */
  vacuumed: boolean;
}

export interface OpenStoreOptions {
  readonly?: boolean;
  /** how long to wait for another writer's lock before giving up (default BUSY_TIMEOUT_MS) */
  busyTimeoutMs?: number;
}

/** How long a command waits for another process's lock on the store. */
export const BUSY_TIMEOUT_MS = 5000;

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** What the first bytes of an existing file say it is. */
function fileKind(file: string): 'empty' | 'sqlite' | 'other' {
  const header = Buffer.alloc(16);
  let n: number;
  try {
    const fd = openSync(file, 'r');
    try {
      n = readSync(fd, header, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new NhiError('STORE', `${safeLine(file)}: cannot read the snapshot store (${(err as NodeJS.ErrnoException).code ?? describeError(err)})`, {
      suggestion: 'check the path and its permissions, or use another --store',
    });
  }
  if (n === 0) return 'empty';
  return header.toString('latin1') === SQLITE_MAGIC ? 'sqlite' : 'other';
}

function notAStore(file: string, why: string): NhiError {
  return new NhiError('STORE', `${safeLine(file)} is not an nhi-drift snapshot store (${why})`, {
    suggestion: 'point --store at another path; the file was left untouched',
  });
}

/**
 * Every failure of the store as one clear line with a hint (exit 2): locked longer than the busy timeout, damaged,
 * read-only, disk full, a journal only a writer can roll back. `doing` completes "cannot ...".
 */
export function storeFailure(file: string, err: unknown, doing: string, timeoutMs = BUSY_TIMEOUT_MS): NhiError {
  if (err instanceof NhiError) return err;
  const code = String((err as { code?: unknown })?.code ?? '');
  const reason = safeLine(describeError(err));
  const f = safeLine(file);
  const cause = { cause: err };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new NhiError('STORE', `${f} is locked by another process (another nhi scan still saving?) and stayed locked for more than ${Math.round(timeoutMs / 100) / 10} s: cannot ${doing}`, {
      suggestion: 'wait for the other nhi to finish and run again, or use another --store',
      ...cause,
    });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new NhiError('STORE', `${f} is damaged (${reason}): cannot ${doing}`, {
      suggestion: `move it aside (mv ${f} ${f}.damaged) and scan again; sqlite3 ${f} .recover may rescue its older snapshots`,
      ...cause,
    });
  }
  if (code === 'SQLITE_READONLY_ROLLBACK') {
    return new NhiError('STORE', `${f}: an interrupted scan left ${f}-journal, and rolling it back needs write access: cannot ${doing}`, {
      suggestion: 'run nhi snapshots once as a user who can write the store and its folder (it rolls the journal back), or restore write access',
      ...cause,
    });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return new NhiError('STORE', `${f} is read-only: cannot ${doing}`, {
      suggestion: 'check the permissions of the file and its folder, or use another --store',
      ...cause,
    });
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new NhiError('STORE', `the disk holding ${f} is full: cannot ${doing}`, {
      suggestion: 'free some space, or remove old snapshots with nhi snapshots prune --keep N',
      ...cause,
    });
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new NhiError('STORE', `${f}: cannot ${doing} (${reason}: the file and its folder must be readable and writable)`, {
      suggestion: 'check the path and its permissions, or use another --store',
      ...cause,
    });
  }
  return new NhiError('STORE', `${f}: cannot ${doing} (${reason})`, { suggestion: 'check the path and its permissions, or use another --store', ...cause });
}

/**
 * Make sure an open database is an nhi-drift store (or an empty database) and return its schema version. A database
 * of another application, or of a newer nhi-drift, is refused before anything is written to it.
 */
function inspect(db: Database.Database, file: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new NhiError('STORE', `${safeLine(file)} was written by a newer nhi-drift (store schema ${version}, this version knows ${SCHEMA_VERSION})`, {
      suggestion: 'upgrade nhi-drift, or use another --store',
    });
  }
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((r) => r.name));
  if (version === 0) {
    if (tables.size > 0) {
      const some = [...tables].slice(0, 3).map((t) => safeLine(t)).join(', ');
      throw notAStore(file, `an SQLite database of another application, with tables ${some}${tables.size > 3 ? ', ...' : ''}`);
    }
    return 0;
  }
  const missing = tablesAt(version).find((t) => !tables.has(t));
  if (missing) throw notAStore(file, `an SQLite database without the ${missing} table`);
  return version;
}

/** Every table and column this version reads and writes is there. */
function verifySchema(db: Database.Database, file: string): void {
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    const have = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name));
    const missing = columns.find((c) => !have.has(c));
    if (have.size === 0 || missing) {
      throw new NhiError('STORE', `${safeLine(file)} is damaged or not an nhi-drift store (${have.size === 0 ? `table ${table} is missing` : `column ${table}.${missing} is missing`})`, {
        suggestion: `move it aside (mv ${safeLine(file)} ${safeLine(file)}.damaged) and scan again, or use another --store`,
      });
    }
  }
}

/** Stored JSON, parsed; a row that does not parse is a damaged store (exit 2), not a crash. */
function parse<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw Object.assign(new Error(`${what} is not valid JSON`), { code: 'SQLITE_CORRUPT' });
  }
}

/** After migration 3 moved a store's rows into chunks, give the space of the dropped tables back (best effort). */
function compactAfterChunking(db: Database.Database, foundVersion: number): void {
  if (foundVersion === 0 || foundVersion >= 3) return;
  try {
    db.exec('VACUUM');
  } catch {
    // the store is migrated either way; the free pages are reused by the next scans
  }
}

export class SnapshotStore {
  private db!: Database.Database;
  readonly file: string;
  readonly readonly: boolean;
  private readonly timeoutMs: number;
  /** what the secret guard removed while saving (should stay zero: connectors drop values first) */
  readonly redactions: RedactionStats = { removedKeys: 0, replacedValues: 0 };

  constructor(file: string, opts: OpenStoreOptions = {}) {
    this.file = file;
    this.readonly = Boolean(opts.readonly);
    this.timeoutMs = opts.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
    try {
      if (this.readonly) this.openForReading();
      else this.openForWriting();
      this.db.pragma('foreign_keys = ON');
    } catch (err) {
      if (this.db?.open) this.db.close();
      throw storeFailure(file, err, 'open the snapshot store', this.timeoutMs);
    }
  }

  private openForWriting(): void {
    const file = this.file;
    if (existsSync(file)) {
      if (fileKind(file) === 'other') throw notAStore(file, 'not an SQLite database');
    } else {
      try {
        mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
        // create the file ourselves so it is private from its first byte
        closeSync(openSync(file, 'a', 0o600));
      } catch (err) {
        throw new NhiError('STORE', `${safeLine(file)}: cannot create the snapshot store (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
          suggestion: 'choose a writable path with --store, or --no-store',
        });
      }
    }
    try {
      chmodSync(file, 0o600);
    } catch {
      // read-only media or someone else's file: opening will tell
    }
    this.db = new Database(file, { timeout: this.timeoutMs });
    inspect(this.db, file);
    this.db.pragma('journal_mode = DELETE');
    compactAfterChunking(this.db, migrate(this.db));
    verifySchema(this.db, file);
  }

  /**
   * Read-only commands open the store read-only. Two things need a writer first, so the store is opened read-write
   * for a moment: a journal left by a scan that was killed mid-write (SQLite rolls it back on the first read, which a
   * read-only connection cannot do), and a store of an older schema (brought up to date in place).
   */
  private openForReading(): void {
    const file = this.file;
    if (!existsSync(file)) throw new NhiError('NOT_FOUND', `no snapshot store at ${safeLine(file)}`, { suggestion: 'run nhi scan first' });
    const kind = fileKind(file);
    if (kind === 'other') throw notAStore(file, 'not an SQLite database');
    if (kind === 'empty') throw new NhiError('NOT_FOUND', `${safeLine(file)} holds no snapshot yet (an empty file)`, { suggestion: `run nhi scan --store ${safeLine(file)} first` });
    if (existsSync(`${file}-journal`)) this.recover();
    const open = () => new Database(file, { readonly: true, fileMustExist: true, timeout: this.timeoutMs });
    this.db = open();
    let version: number;
    try {
      version = inspect(this.db, file);
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_READONLY_ROLLBACK') throw err;
      this.db.close();
      this.recover();
      this.db = open();
      version = inspect(this.db, file);
    }
    if (version === 0) {
      throw new NhiError('NOT_FOUND', `${safeLine(file)} holds no snapshot yet`, { suggestion: `run nhi scan --store ${safeLine(file)} first` });
    }
    if (version < SCHEMA_VERSION) {
      this.db.close();
      this.recover();
      this.db = open();
      inspect(this.db, file);
    }
    verifySchema(this.db, file);
  }

  /** Open read-write briefly: roll back a hot journal (the first read does it) and bring an older schema up to date. */
  private recover(): void {
    const rw = new Database(this.file, { fileMustExist: true, timeout: this.timeoutMs });
    try {
      const version = inspect(rw, this.file);
      if (version > 0 && version < SCHEMA_VERSION) {
        try {
          compactAfterChunking(rw, migrate(rw));
        } catch (err) {
          const code = String((err as { code?: unknown }).code ?? '');
          if (!code.startsWith('SQLITE_READONLY')) throw err;
          throw new NhiError('STORE', `${safeLine(this.file)} uses an older store schema (${version}); upgrading it to ${SCHEMA_VERSION} needs write access`, {
            suggestion: 'run nhi once as a user who can write the store and its folder, or copy it somewhere writable',
          });
        }
      }
    } finally {
      rw.close();
    }
  }

  close(): void {
    if (this.db?.open) this.db.close();
  }

  /** Run a store operation; any failure becomes one clear NhiError (exit 2). */
  private guard<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw storeFailure(this.file, err, doing, this.timeoutMs);
    }
  }

  /**
   * Store a whole scan in ONE transaction: either the snapshot is there with all its records, or nothing changed.
   * Earlier snapshots are never touched. The scan's targets are stored with it (see src/drift/targets.ts).
   */
  saveSnapshot(result: ScanResult & { suppressed?: Finding[] }): number {
    try {
      return this.save(result);
    } catch (err) {
      const e = storeFailure(this.file, err, 'store the snapshot', this.timeoutMs);
      throw new NhiError('STORE', `${e.message}; earlier snapshots are intact`, {
        suggestion: e.suggestion ?? 'check free disk space and permissions, or run with --no-store',
        cause: err,
      });
    }
  }

  private save(result: ScanResult & { suppressed?: Finding[] }): number {
    const graph = result.graph;
    const counts = countIdentities(graph);
    const bySeverity: Partial<Record<Severity, number>> = {};
    for (const f of result.findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    const summary = {
      /** 2: identities counted with src/graph/identities.ts (1, unmarked: every principal) */
      countVersion: 2,
      identities: counts.identities,
      principals: counts.principals,
      credentials: counts.credentials,
      findings: result.findings.length,
      findingsBySeverity: bySeverity,
      coverageNotes: result.coverage.length,
      stats: graph.stats(),
    };
    const json = (v: unknown) => JSON.stringify(redactSecrets(v, this.redactions));
    const key = targetKey(result.connectors);
    const targets = scanTargets(result.connectors);

    const insertSnapshot = this.db.prepare(
      `INSERT INTO snapshots (started_at, finished_at, as_of, status, tool_version, connectors, summary, target_key, stamps)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertTarget = this.db.prepare('INSERT OR IGNORE INTO snapshot_targets (snapshot_id, connector, target_id, platform, kind, name) VALUES (?, ?, ?, ?, ?, ?)');
    const setStamps = this.db.prepare('UPDATE snapshots SET stamps = ? WHERE id = ?');
    const writer = new ChunkWriter(this.db);
    const latestOfKey = this.db.prepare('SELECT MAX(id) FROM snapshots WHERE target_key = ? AND id < ?').pluck();
    const latest = this.db.prepare('SELECT MAX(id) FROM snapshots WHERE id < ?').pluck();
    /** records in the order readers get them back; one record per key where the store kept one (edges, findings) */
    const items = <T>(records: Iterable<T>, keyOf: (r: T) => string, sorted: boolean): Item[] => {
      const out = new Map<string, Item>();
      const list: Item[] = [];
      for (const r of records) {
        const item = { key: keyOf(r), text: json(r) };
        if (sorted) out.set(item.key, item);
        else list.push(item);
      }
      return sorted ? [...out.values()].sort((x, y) => byKey(x.key, y.key)) : list;
    };

    const tx = this.db.transaction((): number => {
      const info = insertSnapshot.run(
        result.startedAt,
        result.finishedAt,
        result.asOf,
        result.incomplete ? 'incomplete' : 'complete',
        result.tool?.version ?? VERSION,
        json(result.connectors),
        JSON.stringify(summary),
        key ?? null,
        '[]',
      );
      const id = Number(info.lastInsertRowid);
      for (const t of targets) insertTarget.run(id, t.connector, t.id, t.platform, t.kind, t.name);
      const nodes = items(graph.nodes.values(), KEYS.node, true);
      const stamps = scanStamps(result.asOf, nodes.map((n) => n.text));
      setStamps.run(JSON.stringify(stamps), id);
      const template = templater(stamps);
      // changed chunks are stored as deltas of the previous snapshot of the same targets (else of the newest one)
      const prev = (key === undefined ? undefined : (latestOfKey.get(key, id) as number | null)) ?? (latest.get(id) as number | null) ?? undefined;
      const write = (part: Part, list: Item[]) => writer.write(id, part, list, template, writer.previous(prev, part));
      write('node', nodes);
      write('edge', items(graph.edges, KEYS.edge, true));
      write('usage', items(graph.usage, KEYS.usage, false));
      write('coverage', items(graph.coverage, KEYS.coverage, false));
      // one finding per fingerprint, as before: a suppressed one replaces an open one with the same fingerprint
      const findings = new Map<string, { finding: Finding; suppressed: boolean }>();
      for (const f of result.findings) findings.set(f.fingerprint, { finding: f, suppressed: false });
      for (const f of result.suppressed ?? []) findings.set(f.fingerprint, { finding: f, suppressed: true });
      const byRule = (suppressed: boolean) =>
        [...findings.values()]
          .filter((f) => f.suppressed === suppressed)
          .map((f) => f.finding)
          .sort((x, y) => byKey(x.ruleId, y.ruleId) || byKey(x.fingerprint, y.fingerprint));
      // grouped by rule, so findings whose text changes every day (ages) share chunks with each other only
      write('finding', items(byRule(false), KEYS.finding, false));
      write('suppressed', items(byRule(true), KEYS.finding, false));
      return id;
    });
    // IMMEDIATE: take the write lock first (waiting up to the busy timeout), never half-way through the inserts
    return tx.immediate();
  }

  private targetsBySnapshot(ids?: number[]): Map<number, SnapshotTarget[]> {
    const out = new Map<number, SnapshotTarget[]>();
    const rows = (
      ids && ids.length === 1
        ? this.db.prepare('SELECT * FROM snapshot_targets WHERE snapshot_id = ? ORDER BY target_id, connector').all(ids[0])
        : this.db.prepare('SELECT * FROM snapshot_targets ORDER BY snapshot_id, target_id, connector').all()
    ) as TargetRow[];
    for (const r of rows) {
      const list = out.get(r.snapshot_id) ?? [];
      list.push({ connector: r.connector, id: r.target_id, platform: r.platform, kind: r.kind, name: r.name });
      out.set(r.snapshot_id, list);
    }
    return out;
  }

  private summaryFrom(row: SnapshotRow, targets: SnapshotTarget[]): SnapshotSummary {
    const s = parse<Omit<SnapshotSummary, 'id'> & { countVersion?: number }>(row.summary, `snapshot ${row.id} summary`);
    const runs = parse<ConnectorRun[]>(row.connectors, `snapshot ${row.id} connectors`);
    // snapshots stored before identities were counted like the reports: count them again from the stored nodes
    const identities = s.countVersion === 2 ? (s.identities ?? 0) : this.countStoredIdentities(row);
    const shards = Array.isArray(runs) ? runs.flatMap((r) => shardOf(r)) : [];
    return {
      id: row.id,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      asOf: row.as_of,
      status: row.status,
      toolVersion: row.tool_version,
      connectors: Array.isArray(runs) ? runs.map((r) => String(r?.id)) : [],
      targets,
      comparable: row.target_key !== null && row.target_key !== undefined,
      identities,
      credentials: s.credentials ?? 0,
      findings: s.findings ?? 0,
      findingsBySeverity: s.findingsBySeverity ?? {},
      coverageNotes: s.coverageNotes ?? 0,
      ...(shards.length ? { shards } : {}),
    };
  }

  private countStoredIdentities(row: SnapshotRow): number {
    let n = 0;
    for (const node of this.records<IdentityNode>(row.id, row.stamps, 'node', 'nodes')) if (node.kind === 'principal' && !NON_IDENTITY_TYPES.has(node.type)) n++;
    return n;
  }

  /** Newest first. */
  listSnapshots(): SnapshotSummary[] {
    return this.guard('list the snapshots', () => {
      const rows = this.db.prepare('SELECT * FROM snapshots ORDER BY id DESC').all() as SnapshotRow[];
      const targets = this.targetsBySnapshot();
      return rows.map((r) => this.summaryFrom(r, targets.get(r.id) ?? []));
    });
  }

  latestSnapshotId(): number | undefined {
    return this.guard('read the snapshots', () => {
      const row = this.db.prepare('SELECT MAX(id) AS id FROM snapshots').get() as { id: number | null };
      return row.id ?? undefined;
    });
  }

  /** The snapshot stored just before `id`, whatever it scanned. */
  previousSnapshotId(id: number): number | undefined {
    return this.guard('read the snapshots', () => {
      const row = this.db.prepare('SELECT MAX(id) AS id FROM snapshots WHERE id < ?').get(id) as { id: number | null };
      return row.id ?? undefined;
    });
  }

  /** The newest snapshot with this target key (before `beforeId` when given): the drift baseline. */
  latestWithKey(key: string, beforeId?: number): number | undefined {
    return this.guard('read the snapshots', () => {
      const row = this.db
        .prepare('SELECT MAX(id) AS id FROM snapshots WHERE target_key = ? AND id < ?')
        .get(key, beforeId ?? Number.MAX_SAFE_INTEGER) as { id: number | null };
      return row.id ?? undefined;
    });
  }

  /** The newest earlier snapshot of the same targets as these connector runs, if any. */
  latestSnapshotOf(runs: ReadonlyArray<Pick<ConnectorRun, 'id' | 'targets'>>): number | undefined {
    const key = targetKey(runs);
    return key === undefined ? undefined : this.latestWithKey(key);
  }

  /** What a snapshot scanned: its targets and target key (undefined key: never compared). */
  targetsOf(id: number): { targets: SnapshotTarget[]; key?: string } {
    return this.guard('read the snapshots', () => {
      const row = this.requireSnapshot(id);
      return { targets: this.targetsBySnapshot([id]).get(id) ?? [], key: row.target_key ?? undefined };
    });
  }

  private requireSnapshot(id: number): SnapshotRow {
    const row = this.db.prepare('SELECT * FROM snapshots WHERE id = ?').get(id) as SnapshotRow | undefined;
    if (!row) throw new NhiError('NOT_FOUND', `no snapshot ${id} in ${safeLine(this.file)}`, { suggestion: 'list them with nhi snapshots' });
    return row;
  }

  /** The records of one part of a snapshot, in the order they were stored. */
  private *records<T>(id: number, stampsJson: string, part: Part, what: string): Generator<T> {
    const stamps = parse<string[]>(stampsJson, `snapshot ${id} stamps`);
    const rows = this.db
      .prepare(
        `SELECT c.data AS data, c.base AS base, b.data AS baseData FROM snapshot_chunks s
           LEFT JOIN chunks c ON c.id = s.chunk LEFT JOIN chunks b ON b.id = c.base
         WHERE s.snapshot_id = ? AND s.part = ? ORDER BY s.seq`,
      )
      .iterate(id, part) as Iterable<{ data: Buffer | null; base: number | null; baseData: Buffer | null }>;
    for (const r of rows) yield* readChunk<T>(r, stamps, what);
  }

  loadGraph(id: number): IdentityGraph {
    return this.guard(`read snapshot ${id}`, () => {
      const { stamps } = this.requireSnapshot(id);
      const g = new IdentityGraph();
      for (const n of this.records<IdentityNode>(id, stamps, 'node', 'nodes')) g.addNode(n);
      for (const e of this.records<IdentityEdge>(id, stamps, 'edge', 'edges')) g.addEdge(e);
      for (const u of this.records<UsageFact>(id, stamps, 'usage', 'usage facts')) g.addUsage(u);
      for (const c of this.records<CoverageNote>(id, stamps, 'coverage', 'coverage notes')) g.add({ type: 'coverage', coverage: c });
      return g;
    });
  }

  loadFindings(id: number, opts: { suppressed?: boolean } = {}): Finding[] {
    return this.guard(`read snapshot ${id}`, () => {
      const { stamps } = this.requireSnapshot(id);
      const rank = (s: Severity) => SEVERITIES.indexOf(s);
      return [...this.records<Finding>(id, stamps, opts.suppressed ? 'suppressed' : 'finding', 'findings')].sort(
        (a, b) => rank(a.severity) - rank(b.severity) || a.ruleId.localeCompare(b.ruleId) || a.nodeId.localeCompare(b.nodeId) || a.fingerprint.localeCompare(b.fingerprint),
      );
    });
  }

  loadSnapshot(id: number): StoredSnapshot {
    return this.guard(`read snapshot ${id}`, () => {
      const row = this.requireSnapshot(id);
      const graph = this.loadGraph(id);
      const targets = this.targetsBySnapshot([id]).get(id) ?? [];
      return {
        summary: this.summaryFrom(row, targets),
        connectors: parse<ConnectorRun[]>(row.connectors, `snapshot ${id} connectors`),
        graph,
        findings: this.loadFindings(id),
        suppressed: this.loadFindings(id, { suppressed: true }),
        coverage: graph.coverage,
        targetKey: row.target_key ?? undefined,
      };
    });
  }

  /**
   * Keep the newest `keep` snapshots of every target set (snapshots that recorded no targets count as one set) and
   * delete the rest in one transaction, then compact the file so deleted identities are no longer on disk.
   */
  prune(keep: number): PruneResult {
    if (!Number.isInteger(keep) || keep < 1) throw new NhiError('USAGE', `--keep: expected a whole number of at least 1, got '${keep}'`);
    if (this.readonly) throw new NhiError('INTERNAL', 'prune needs a store opened for writing');
    const removed = this.guard('remove old snapshots', () => {
      const rows = this.db.prepare('SELECT id, started_at, target_key FROM snapshots ORDER BY id DESC').all() as Array<Pick<SnapshotRow, 'id' | 'started_at' | 'target_key'>>;
      const seen = new Map<string, number>();
      const doomed: Array<{ id: number; startedAt: string }> = [];
      for (const r of rows) {
        const set = r.target_key ?? '\u0000unidentified';
        const n = (seen.get(set) ?? 0) + 1;
        seen.set(set, n);
        if (n > keep) doomed.push({ id: r.id, startedAt: r.started_at });
      }
      if (doomed.length === 0) return [];
      const targets = this.targetsBySnapshot();
      const del = this.db.prepare('DELETE FROM snapshots WHERE id = ?');
      // chunks no remaining snapshot lists go in the same transaction: every kept snapshot still has all of its own
      // (a full chunk stays while a kept chunk is a delta of it)
      const orphans = this.db.prepare(
        `DELETE FROM chunks WHERE NOT EXISTS (SELECT 1 FROM snapshot_chunks s WHERE s.chunk = chunks.id)
           AND NOT EXISTS (SELECT 1 FROM chunks d JOIN snapshot_chunks s ON s.chunk = d.id WHERE d.base = chunks.id)`,
      );
      this.db.transaction(() => {
        for (const d of doomed) del.run(d.id);
        orphans.run();
      }).immediate();
      return doomed.map((d) => ({ ...d, targets: targets.get(d.id) ?? [] })).sort((a, b) => a.id - b.id);
    });
    let vacuumed = false;
    if (removed.length > 0) {
      try {
        this.db.exec('VACUUM');
        vacuumed = true;
      } catch {
        // the snapshots are gone either way; the space is reused by the next scans
      }
    }
    const kept = this.guard('count the snapshots', () => (this.db.prepare('SELECT COUNT(*) AS n FROM snapshots').get() as { n: number }).n);
    return { removed, kept, vacuumed };
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
  target_key: string | null;
  /** JSON array of the stamps taken out of this snapshot's chunks */
  stamps: string;
}

interface TargetRow {
  snapshot_id: number;
  connector: string;
  target_id: string;
  platform: string;
  kind: string;
  name: string;
}

export function openStore(file: string, opts: OpenStoreOptions = {}): SnapshotStore {
  return new SnapshotStore(file, opts);
}

/** The shard record of a stored connector run (kept in the snapshot's connectors column), well-typed or none. */
function shardOf(run: unknown): ShardRecord[] {
  const sh = (run as { shard?: unknown } | null)?.shard as Partial<ShardRecord> | undefined;
  if (!sh || typeof sh !== 'object' || typeof sh.file !== 'string' || !Number.isSafeInteger(sh.snapshotId)) return [];
  const targets = Array.isArray(sh.targets) ? sh.targets.filter((t) => t && typeof t === 'object' && typeof t.id === 'string') : [];
  return [
    {
      file: sh.file,
      snapshotId: sh.snapshotId!,
      asOf: typeof sh.asOf === 'string' ? sh.asOf : '',
      targets: targets.map((t) => ({ connector: String(t.connector ?? ''), id: t.id, platform: String(t.platform ?? '') as ScanTarget['platform'], kind: String(t.kind ?? ''), name: String(t.name ?? '') })),
    },
  ];
}
