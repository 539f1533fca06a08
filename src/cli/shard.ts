/**
 * A shard: the newest snapshot of another store (`nhi scan ... --no-report --store shard.db`, one account or
 * organisation per CI matrix job or CronJob), read back as a source so `nhi merge` runs the whole pipeline on the union
 * of the shards: the graph, the paths across them, the rules, drift and the report, as one scan would.
 *
 * The source's id is `shard`, so a merged snapshot's targets are keyed `shard:<target>`: drift compares a merged
 * snapshot only with a merged snapshot of the same targets, never with a single-source scan of one of them.
 */
import path from 'node:path';
import { z } from 'zod';
import type { SnapshotTarget } from '../drift/targets.js';
import type { Connector } from '../engine/types.js';
import type { ShardRecord } from '../model/result.js';
import type { GraphRecord } from '../model/types.js';
import { NhiError } from '../util/errors.js';
import { openStore } from '../store/index.js';

export const SHARD_CONNECTOR_ID = 'shard';

const options = z.object({ file: z.string().min(1) }).strict();

/** The newest snapshot of a shard store: its id, as-of time, status and targets; a clear error when there is none. */
export function shardHead(file: string): { id: number; asOf: string; status: string; targets: SnapshotTarget[] } {
  const store = openStore(file, { readonly: true });
  try {
    const id = store.latestSnapshotId();
    if (id === undefined) throw new NhiError('INPUT', `${path.basename(file)}: the store holds no snapshot`, { suggestion: 'run nhi scan --store SHARD.db first (--no-report keeps its output quiet)' });
    const s = store.listSnapshots().find((x) => x.id === id)!;
    return { id, asOf: s.asOf, status: s.status, targets: s.targets };
  } finally {
    store.close();
  }
}

/** What a merged snapshot records of a shard: the store's file name (never its folder), snapshot, as-of time, targets. */
export function shardRecord(file: string, head: ReturnType<typeof shardHead>): ShardRecord {
  return {
    file: path.basename(file),
    snapshotId: head.id,
    asOf: head.asOf,
    targets: head.targets.map((t) => ({ connector: t.connector, id: t.id, platform: t.platform, kind: t.kind, name: t.name })),
  };
}

export const shardConnector: Connector = {
  id: SHARD_CONNECTOR_ID,
  describe() {
    return { title: 'Shard (the newest snapshot of another store)', requiredPermissions: ['read access to the shard store file'], options };
  },
  // nothing to check ahead: a shard that cannot be read fails in scan(), as a source (a coverage note, exit 3), and
  // the other shards are still merged
  async validate() {},
  async *scan(ctx): AsyncIterable<GraphRecord> {
    const { file } = options.parse(ctx.options);
    let store: ReturnType<typeof openStore>;
    try {
      store = openStore(file, { readonly: true });
    } catch (err) {
      throw new NhiError('INPUT', `shard ${path.basename(file)}: ${err instanceof NhiError ? err.message.replace(/^.*?: /, '') : String(err)}`, { suggestion: 'a shard is a store written by nhi scan ... --store SHARD.db' });
    }
    try {
      const id = store.latestSnapshotId();
      if (id === undefined) throw new NhiError('INPUT', `${path.basename(file)}: the store holds no snapshot`);
      const { targets } = store.targetsOf(id);
      for (const t of targets) yield { type: 'target', target: { id: t.id, platform: t.platform, kind: t.kind, name: t.name } };
      const g = store.loadGraph(id);
      ctx.progress(`${path.basename(file)}: snapshot ${id}, ${g.nodes.size} nodes`);
      for (const node of g.nodes.values()) yield { type: 'node', node };
      for (const edge of g.edges) yield { type: 'edge', edge };
      for (const usage of g.usage) yield { type: 'usage', usage };
      for (const coverage of g.coverage) yield { type: 'coverage', coverage };
    } finally {
      store.close();
    }
  },
};
