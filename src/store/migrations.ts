import type { Database } from 'better-sqlite3';
import { byKey, ChunkWriter, KEYS, scanStamps, templater, type Item, type Part } from './chunks.js';

/**
 * Schema migrations, applied in order inside one transaction each. `PRAGMA user_version` records the last applied one.
 * A migration is SQL, then optionally code (`run`) that moves data the SQL cannot. Never edit a released migration:
 * add a new one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; description: string; sql: string; run?: (db: Database) => void }> = [
  {
    version: 1,
    description: 'snapshots with their graph records and findings',
    sql: `
      CREATE TABLE snapshots (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at    TEXT NOT NULL,
        finished_at   TEXT NOT NULL,
        as_of         TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('complete', 'incomplete')),
        tool_version  TEXT NOT NULL,
        connectors    TEXT NOT NULL,  -- JSON: ConnectorRun[]
        summary       TEXT NOT NULL   -- JSON: counts for listing without loading the graph
      );
      CREATE TABLE nodes (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        id          TEXT NOT NULL,
        kind        TEXT NOT NULL,
        platform    TEXT NOT NULL,
        type        TEXT NOT NULL,
        data        TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, id)
      ) WITHOUT ROWID;
      CREATE TABLE edges (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        type        TEXT NOT NULL,
        from_id     TEXT NOT NULL,
        to_id       TEXT NOT NULL,
        data        TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, type, from_id, to_id)
      ) WITHOUT ROWID;
      CREATE TABLE usage (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        node_id     TEXT NOT NULL,
        data        TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE coverage (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        data        TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE findings (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        rule_id     TEXT NOT NULL,
        severity    TEXT NOT NULL,
        node_id     TEXT NOT NULL,
        suppressed  INTEGER NOT NULL DEFAULT 0,
        data        TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, fingerprint)
      ) WITHOUT ROWID;
      CREATE INDEX findings_rule ON findings (snapshot_id, rule_id);
    `,
  },
  {
    version: 2,
    description: 'what each snapshot scanned: its targets, and the key drift matches snapshots by',
    sql: `
      -- JSON array of [connector, target id] pairs, sorted; NULL when the scan could not identify what it scanned
      -- (and for every snapshot stored before this migration): such a snapshot is never a drift baseline
      ALTER TABLE snapshots ADD COLUMN target_key TEXT;
      CREATE INDEX snapshots_target_key ON snapshots (target_key, id);
      CREATE TABLE snapshot_targets (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        connector   TEXT NOT NULL,
        target_id   TEXT NOT NULL,
        platform    TEXT NOT NULL,
        kind        TEXT NOT NULL,
        name        TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, target_id, connector)
      ) WITHOUT ROWID;
      CREATE INDEX snapshot_targets_target ON snapshot_targets (target_id, snapshot_id);
    `,
  },
  {
    version: 3,
    description: 'records kept once: snapshots list content-addressed chunks of their records (src/store/chunks.ts)',
    sql: `
      -- JSON array of the strings (as-of and observation times) taken out of this snapshot's chunks
      ALTER TABLE snapshots ADD COLUMN stamps TEXT NOT NULL DEFAULT '[]';
      -- a rowid table: a chunk of a few KiB is stored in its row's page, not spilled to an overflow page
      CREATE TABLE chunks (
        id    INTEGER PRIMARY KEY,
        hash  BLOB NOT NULL UNIQUE,           -- first 16 bytes of the SHA-256 of the part name and the chunk's text
        base  INTEGER REFERENCES chunks(id),  -- NULL, or the full chunk whose text is the deflate dictionary of this one
        data  BLOB NOT NULL                   -- the chunk's text (a JSON array of records, stamps taken out), raw deflate
      );
      CREATE INDEX chunks_base ON chunks (base) WHERE base IS NOT NULL;
      CREATE TABLE snapshot_chunks (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        part        TEXT NOT NULL CHECK (part IN ('node', 'edge', 'usage', 'coverage', 'finding', 'suppressed')),
        seq         INTEGER NOT NULL,
        anchor      INTEGER NOT NULL,  -- 32-bit hash of the chunk's first record key: its place in the next snapshot
        chunk       INTEGER NOT NULL REFERENCES chunks(id),
        PRIMARY KEY (snapshot_id, part, seq)
      ) WITHOUT ROWID;
      CREATE INDEX snapshot_chunks_chunk ON snapshot_chunks (chunk);
    `,
    run: chunkV2Snapshots,
  },
];

/** Migration 3: every snapshot's rows become chunks (read back exactly as before), then the row tables go. */
function chunkV2Snapshots(db: Database): void {
  const writer = new ChunkWriter(db);
  const setStamps = db.prepare('UPDATE snapshots SET stamps = ? WHERE id = ?');
  const rows = (sql: string, id: number) => db.prepare(sql).all(id) as Array<Record<string, string>>;
  // the snapshot before each one of the same targets: its chunks are what changed chunks are stored as deltas of
  const lastOfKey = new Map<string | null, number>();
  for (const { id, as_of: asOf, target_key: key } of db.prepare('SELECT id, as_of, target_key FROM snapshots ORDER BY id').all() as Array<{ id: number; as_of: string; target_key: string | null }>) {
    const prev = lastOfKey.get(key);
    lastOfKey.set(key, id);
    const nodes: Item[] = rows('SELECT id, data FROM nodes WHERE snapshot_id = ?', id)
      .map((r) => ({ key: r.id, text: r.data }))
      .sort((a, b) => byKey(a.key, b.key));
    const edges: Item[] = rows('SELECT type, from_id, to_id, data FROM edges WHERE snapshot_id = ?', id)
      .map((r) => ({ key: KEYS.edge({ type: r.type, from: r.from_id, to: r.to_id }), text: r.data }))
      .sort((a, b) => byKey(a.key, b.key));
    // usage and coverage keep their order; their keys come from the records (a row that does not parse keeps its text)
    const parsedKey = (text: string, key: (v: never) => string) => {
      try {
        return key(JSON.parse(text) as never);
      } catch {
        return text;
      }
    };
    const usage: Item[] = rows('SELECT data FROM usage WHERE snapshot_id = ? ORDER BY seq', id).map((r) => ({ key: parsedKey(r.data, KEYS.usage), text: r.data }));
    const coverage: Item[] = rows('SELECT data FROM coverage WHERE snapshot_id = ? ORDER BY seq', id).map((r) => ({ key: parsedKey(r.data, KEYS.coverage), text: r.data }));
    const findings = (suppressed: number): Item[] =>
      (db.prepare('SELECT fingerprint, data FROM findings WHERE snapshot_id = ? AND suppressed = ? ORDER BY rule_id, fingerprint').all(id, suppressed) as Array<{ fingerprint: string; data: string }>).map(
        (r) => ({ key: r.fingerprint, text: r.data }),
      );
    const stamps = scanStamps(asOf, nodes.map((n) => n.text));
    const template = templater(stamps);
    setStamps.run(JSON.stringify(stamps), id);
    const write = (part: Part, items: Item[]) => writer.write(id, part, items, template, writer.previous(prev, part));
    write('node', nodes);
    write('edge', edges);
    write('usage', usage);
    write('coverage', coverage);
    write('finding', findings(0));
    write('suppressed', findings(1));
  }
  db.exec('DROP TABLE nodes; DROP TABLE edges; DROP TABLE usage; DROP TABLE coverage; DROP TABLE findings;');
}

/** Tables and columns a store at SCHEMA_VERSION must have (checked on every open: a damaged or foreign database is
 * refused with a clear message instead of failing later). */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  snapshots: ['id', 'started_at', 'finished_at', 'as_of', 'status', 'tool_version', 'connectors', 'summary', 'target_key', 'stamps'],
  snapshot_targets: ['snapshot_id', 'connector', 'target_id', 'platform', 'kind', 'name'],
  chunks: ['id', 'hash', 'base', 'data'],
  snapshot_chunks: ['snapshot_id', 'part', 'seq', 'anchor', 'chunk'],
};

/** Tables without which a database at this user_version is not an nhi-drift store at all (the rest is checked as
 * REQUIRED_COLUMNS once migrated). */
export function tablesAt(version: number): readonly string[] {
  return version >= 3 ? ['snapshots', 'chunks', 'snapshot_chunks'] : V1_TABLES;
}

/** Tables of version 1 (a database at user_version 1 must have these before migration 2 runs). */
export const V1_TABLES = ['snapshots', 'nodes', 'edges', 'usage', 'coverage', 'findings'] as const;

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Bring a database up to SCHEMA_VERSION. Returns the version found before migrating. */
export function migrate(db: Database): number {
  const found = db.pragma('user_version', { simple: true }) as number;
  for (const m of MIGRATIONS) {
    if (m.version <= found) continue;
    // IMMEDIATE: wait for the write lock up front (busy timeout) rather than fail half-way
    db.transaction(() => {
      db.exec(m.sql);
      m.run?.(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return found;
}
