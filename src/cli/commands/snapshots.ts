import { Command, Option } from 'commander';
import type { ShardRecord } from '../../model/result.js';
import type { SnapshotSummary } from '../../store/store.js';
import { NhiError } from '../../util/errors.js';
import { safeLabel, safeLine } from '../../util/text.js';
import { writeOutput } from '../io.js';
import { openExistingStore, storeHelp } from './common.js';

/** The width the text table may use: the terminal's, or 120 columns when piped. */
function tableWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? Math.max(60, process.stdout.columns) : 120;
}

/** Target names for one cell: sanitised, deduplicated, cut to `width` characters. */
export function targetCell(targets: SnapshotSummary['targets'], width: number): string {
  if (targets.length === 0) return '(unidentified)';
  const names = [...new Set(targets.map((t) => safeLabel(t.name || t.id, 60)))];
  const text = names.join(', ');
  const chars = Array.from(text);
  return chars.length > width ? `${chars.slice(0, Math.max(1, width - 1)).join('')}…` : text;
}

/** One shard of a merged snapshot, under its row: the store's file name, its snapshot, as-of time and targets. */
export function shardLine(sh: ShardRecord, width: number): string {
  const head = `        shard ${safeLabel(sh.file, 60)}: snapshot ${sh.snapshotId}, as of ${safeLine(sh.asOf).slice(0, 10)}, `;
  return `${head}${targetCell(sh.targets, Math.max(12, width - head.length))}`;
}

export function renderSnapshotsText(list: SnapshotSummary[], width: number): string {
  const connectors = list.map((s) => safeLabel((s.connectors ?? []).join(','), 60));
  const connW = Math.max('CONNECTORS'.length, ...connectors.map((c) => c.length));
  const head = `  ID  STARTED (UTC)        AS OF       STATUS      IDENT.  FINDINGS         ${'CONNECTORS'.padEnd(connW)}  `;
  const targetW = Math.max(12, width - head.length);
  const rows = list.map((s, i) => {
    const sev = s.findingsBySeverity ?? {};
    const counts = (['critical', 'high', 'medium', 'low'] as const).map((k) => `${k[0].toUpperCase()}${sev[k] ?? 0}`).join(' ');
    const started = safeLine(s.startedAt).slice(0, 19).replace('T', ' ');
    const asOf = safeLine(s.asOf).slice(0, 10);
    const row = `${String(s.id).padStart(4)}  ${started.padEnd(19)}  ${asOf.padEnd(10)}  ${safeLabel(s.status, 10).padEnd(10)}  ${String(s.identities ?? 0).padStart(6)}  ${counts.padEnd(15)}  ${connectors[i].padEnd(connW)}  ${targetCell(s.targets ?? [], targetW)}`;
    return [row, ...(s.shards ?? []).map((sh) => shardLine(sh, width))].join('\n');
  });
  return `${head}TARGETS\n${rows.join('\n')}`;
}

export function registerSnapshots(program: Command): void {
  const snapshots = program
    .command('snapshots')
    .description('list the stored scans and what each scanned; prune old ones')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--store <path>', storeHelp())
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (flags: { format: 'text' | 'json'; store?: string; config?: string }) => {
      const { store } = await openExistingStore(flags.store, flags.config);
      try {
        const list = store.listSnapshots();
        if (flags.format === 'json') {
          writeOutput(JSON.stringify({ snapshots: list }, null, 2));
          return;
        }
        if (list.length === 0) {
          writeOutput('No snapshots yet. Run nhi scan.');
          return;
        }
        writeOutput(renderSnapshotsText(list, tableWidth()));
      } finally {
        store.close();
      }
    });

  snapshots
    .command('prune')
    // a nested command does not get the program's exit override: usage errors must reach main (exit 2), not exit 1
    .exitOverride()
    .description('delete old snapshots: keep the newest N of every target set (the same accounts, projects, orgs)')
    .requiredOption('--keep <n>', 'snapshots to keep per target set (at least 1)')
    .option('--store <path>', storeHelp())
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (flags: { keep: string; store?: string; config?: string }, cmd: Command) => {
      // --store / --config may be given before `prune` too
      const parent = cmd.parent?.opts() as { store?: string; config?: string } | undefined;
      const keep = Number(flags.keep);
      if (!/^\d+$/.test(String(flags.keep).trim()) || !Number.isSafeInteger(keep) || keep < 1) {
        throw new NhiError('USAGE', `--keep: expected a whole number of at least 1, got '${flags.keep}'`, {
          suggestion: 'e.g. nhi snapshots prune --keep 30 keeps the newest 30 snapshots of every target set',
        });
      }
      const { store } = await openExistingStore(flags.store ?? parent?.store, flags.config ?? parent?.config, { write: true });
      try {
        const result = store.prune(keep);
        if (result.removed.length === 0) {
          writeOutput(`Nothing to remove: no target set has more than ${keep} snapshot${keep === 1 ? '' : 's'} (${result.kept} kept).`);
          return;
        }
        const lines = result.removed.map((r) => {
          const ids = [...new Set(r.targets.map((t) => safeLabel(t.id, 80)))];
          const what = ids.length === 0 ? '(unidentified)' : ids.length > 3 ? `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more` : ids.join(', ');
          return `  #${r.id}  ${safeLine(r.startedAt).slice(0, 19).replace('T', ' ')}  ${what}`;
        });
        writeOutput(
          `Removed ${result.removed.length} snapshot${result.removed.length === 1 ? '' : 's'}, kept ${result.kept}${result.vacuumed ? '' : ' (the file was not compacted: it was busy)'}:\n${lines.join('\n')}`,
        );
      } finally {
        store.close();
      }
    });
}
