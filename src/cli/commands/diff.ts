import { Command, Option } from 'commander';
import { diffScans, renderDriftText } from '../../drift/diff.js';
import { NhiError } from '../../util/errors.js';
import { DEFAULT_STORE, writeOutput } from '../io.js';
import { openExistingStore, parseSnapshotId } from './common.js';

interface DiffFlags {
  format: 'text' | 'json';
  output?: string;
  store?: string;
  config?: string;
  max?: string;
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('what changed between two snapshots: findings, identities, credentials, grants, owners')
    .argument('[from]', 'older snapshot id (default: the one before <to>)')
    .argument('[to]', 'newer snapshot id (default: the latest)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--max <n>', 'text: items shown per section', '20')
    .option('--store <path>', `snapshot store (default ${DEFAULT_STORE})`)
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (fromArg: string | undefined, toArg: string | undefined, flags: DiffFlags) => {
      const { store } = await openExistingStore(flags.store, flags.config);
      try {
        const to = parseSnapshotId(toArg) ?? store.latestSnapshotId();
        if (to === undefined) throw new NhiError('NOT_FOUND', 'the store holds no snapshot yet', { suggestion: 'run nhi scan first' });
        const from = parseSnapshotId(fromArg) ?? store.previousSnapshotId(to);
        if (from === undefined) throw new NhiError('NOT_FOUND', `snapshot ${to} is the first one: nothing to compare with`, { suggestion: 'run nhi scan again later' });
        const a = store.loadSnapshot(from);
        const b = store.loadSnapshot(to);
        const drift = diffScans({ graph: a.graph, findings: a.findings, snapshotId: from, asOf: a.summary.asOf }, { graph: b.graph, findings: b.findings });
        if (flags.format === 'json') {
          writeOutput(JSON.stringify({ schemaVersion: '1.0.0', from, to, drift }, null, 2), flags.output);
          return;
        }
        const max = Number(flags.max ?? 20);
        if (!Number.isInteger(max) || max < 1) throw new NhiError('USAGE', `--max: expected a positive whole number, got '${flags.max}'`);
        writeOutput(`Snapshot ${from} (${a.summary.asOf.slice(0, 10)}) → ${to} (${b.summary.asOf.slice(0, 10)})\n${renderDriftText(drift, { max })}`, flags.output);
      } finally {
        store.close();
      }
    });
}
