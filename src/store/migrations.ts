import type { Database } from 'better-sqlite3';

/**
 * Schema migrations, applied in order inside one transaction each. `PRAGMA user_version` records the last applied one.
 * Never edit a released migration: add a new one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; description: string; sql: string }> = [
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
];

/** Tables and columns a store at SCHEMA_VERSION must have (checked on every open: a damaged or foreign database is
 * refused with a clear message instead of failing later). */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  snapshots: ['id', 'started_at', 'finished_at', 'as_of', 'status', 'tool_version', 'connectors', 'summary', 'target_key'],
  nodes: ['snapshot_id', 'id', 'kind', 'platform', 'type', 'data'],
  edges: ['snapshot_id', 'type', 'from_id', 'to_id', 'data'],
  usage: ['snapshot_id', 'seq', 'node_id', 'data'],
  coverage: ['snapshot_id', 'seq', 'data'],
  findings: ['snapshot_id', 'fingerprint', 'rule_id', 'severity', 'node_id', 'suppressed', 'data'],
  snapshot_targets: ['snapshot_id', 'connector', 'target_id', 'platform', 'kind', 'name'],
};

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
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return found;
}
