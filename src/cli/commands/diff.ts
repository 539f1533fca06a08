import { Command, Option } from 'commander';
import { diffScans, renderDriftText, type Drift } from '../../drift/diff.js';
import type { SnapshotStore, StoredSnapshot } from '../../store/store.js';
import { describeTargets, type SnapshotTarget } from '../../drift/targets.js';
import { NhiError } from '../../util/errors.js';
import { safeLabel, safeLine } from '../../util/text.js';
import { writeOutput } from '../io.js';
import { openExistingStore, parseSnapshotId, storeHelp } from './common.js';

interface DiffFlags {
  format: 'text' | 'json';
  output?: string;
  store?: string;
  config?: string;
  max?: string;
  force?: boolean;
}

const ids = (targets: SnapshotTarget[]) => [...new Set(targets.map((t) => t.id))];

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('what changed between two snapshots of the same targets: findings, identities, credentials, grants, owners')
    .argument('[from]', 'older snapshot id (default: the newest earlier snapshot of the same targets as <to>)')
    .argument('[to]', 'newer snapshot id (default: the latest)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--max <n>', 'text: items shown per section', '20')
    .option('--force', 'compare two snapshots even when they scanned different targets (or did not record them)')
    .option('--store <path>', storeHelp())
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (fromArg: string | undefined, toArg: string | undefined, flags: DiffFlags) => {
      const max = Number(flags.max ?? 20);
      if (!Number.isInteger(max) || max < 1) throw new NhiError('USAGE', `--max: expected a positive whole number, got '${safeLine(flags.max)}'`);
      const { store } = await openExistingStore(flags.store, flags.config);
      try {
        const { from, to, sameTargets: same, warning, a, b, drift } = compareSnapshots(store, parseSnapshotId(fromArg), parseSnapshotId(toArg), flags.force);
        if (warning) process.stderr.write(`nhi: warning: --force: ${warning}\n`);
        if (flags.format === 'json') {
          const targets = (t: SnapshotTarget[]) => t.map(({ connector, id, platform, kind, name }) => ({ connector, id, platform, kind, name }));
          writeOutput(
            JSON.stringify({ schemaVersion: '1.1.0', from, to, sameTargets: same, fromTargets: targets(a.summary.targets), toTargets: targets(b.summary.targets), drift }, null, 2),
            flags.output,
          );
          return;
        }
        const day = (s: string) => safeLine(s).slice(0, 10);
        const header = `Snapshot ${from} (${day(a.summary.asOf)}) → ${to} (${day(b.summary.asOf)})${same ? ` of ${describeTargets(b.summary.targets)}` : ''}`;
        writeOutput(`${header}\n${renderDriftText(drift, { max })}`, flags.output);
      } finally {
        store.close();
      }
    });
}

export interface SnapshotComparison {
  from: number;
  to: number;
  /** both snapshots scanned the same targets */
  sameTargets: boolean;
  /** with `force`, why the comparison is of different targets (one line, safe) */
  warning?: string;
  a: StoredSnapshot;
  b: StoredSnapshot;
  drift: Drift;
}

/**
 * Two stored snapshots compared (`nhi diff` and the MCP server's diff_snapshots): `to` defaults to the latest, `from`
 * to the newest earlier snapshot of the same targets; snapshots of different targets are refused unless `force`.
 */
export function compareSnapshots(store: SnapshotStore, fromId: number | undefined, toId: number | undefined, force = false): SnapshotComparison {
  let warning: string | undefined;
  const to = toId ?? store.latestSnapshotId();
  if (to === undefined) throw new NhiError('NOT_FOUND', 'the store holds no snapshot yet', { suggestion: 'run nhi scan first' });
  const toTargets = store.targetsOf(to);
  let from = fromId;
  if (from === undefined) {
    if (toTargets.key === undefined) {
      throw new NhiError('USAGE', `snapshot ${to} does not record what it scanned (stored by an earlier nhi-drift, or its scan could not identify its targets), so no snapshot is known to be of the same targets`, {
        suggestion: 'name both snapshots and add --force to compare them anyway (nhi snapshots lists them)',
      });
    }
    from = store.latestWithKey(toTargets.key, to);
    if (from === undefined) {
      throw new NhiError('NOT_FOUND', `no snapshot before ${to} scanned the same targets (${describeTargets(toTargets.targets)})`, {
        suggestion: 'run nhi scan of the same targets again later; nhi snapshots lists what each snapshot scanned',
      });
    }
  }
  const fromTargets = store.targetsOf(from);
  const same = fromTargets.key !== undefined && fromTargets.key === toTargets.key;
  if (!same) {
    const what = (id: number, t: { targets: SnapshotTarget[]; key?: string }) =>
      `snapshot ${id} ${t.key === undefined ? 'does not record what it scanned' : `scanned ${describeTargets(t.targets, 5)} (${[...new Set(t.targets.map((x) => safeLabel(x.connector, 40)))].join(', ')})`}`;
    const message = `${what(from, fromTargets)}; ${what(to, toTargets)}`;
    if (!force) {
      throw new NhiError('USAGE', `cannot compare snapshots of different targets: ${message}`, {
        suggestion: 'compare two snapshots of the same targets (nhi snapshots lists them), or add --force to compare these anyway',
      });
    }
    warning = `comparing snapshots of different targets (${message}); what only one of them scanned shows as added or removed`;
  }
  const a = store.loadSnapshot(from);
  const b = store.loadSnapshot(to);
  const drift = diffScans(
    { graph: a.graph, findings: a.findings, snapshotId: from, asOf: a.summary.asOf, targets: ids(a.summary.targets) },
    { graph: b.graph, findings: b.findings },
  );
  return { from, to, sameTargets: same, warning, a, b, drift };
}
