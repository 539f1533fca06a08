import { Command, Option } from 'commander';
import { DEFAULT_STORE, writeOutput } from '../io.js';
import { openExistingStore } from './common.js';

export function registerSnapshots(program: Command): void {
  program
    .command('snapshots')
    .description('list the stored scans')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--store <path>', `snapshot store (default ${DEFAULT_STORE})`)
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
        const rows = list.map((s) => {
          const sev = s.findingsBySeverity ?? {};
          const counts = (['critical', 'high', 'medium', 'low'] as const).map((k) => `${k[0].toUpperCase()}${sev[k] ?? 0}`).join(' ');
          return `${String(s.id).padStart(4)}  ${s.startedAt.slice(0, 19).replace('T', ' ')}  ${s.asOf.slice(0, 10)}  ${s.status.padEnd(8)}  ${String(s.identities ?? 0).padStart(6)}  ${counts}  ${(s.connectors ?? []).join(',')}`;
        });
        writeOutput(`  ID  STARTED (UTC)        AS OF       STATUS    IDENT.  FINDINGS         CONNECTORS\n${rows.join('\n')}`);
      } finally {
        store.close();
      }
    });
}
