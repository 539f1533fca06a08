import { Command, Option } from 'commander';
import { NhiError } from '../../util/errors.js';
import { writeOutput } from '../io.js';
import { openExistingStore, parseSnapshotId, storeHelp } from './common.js';

interface InventoryFlags {
  snapshot?: string;
  kind?: 'principal' | 'credential' | 'all';
  platform?: string;
  type?: string;
  format: 'text' | 'json';
  output?: string;
  store?: string;
  config?: string;
}

export function registerInventory(program: Command): void {
  program
    .command('inventory')
    .description('list the identities and credentials of the latest (or a given) snapshot')
    .addOption(new Option('-k, --kind <kind>', 'what to list').choices(['principal', 'credential', 'all']).default('all'))
    .option('-p, --platform <platform>', 'only this platform (aws, ...)')
    .option('-t, --type <type>', 'only this node type (iam-user, iam-role, access-key, ...)')
    .option('-s, --snapshot <id>', 'snapshot id (default: the latest)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--store <path>', storeHelp())
    .option('--config <file>', 'configuration file (for its store path)')
    .action(async (flags: InventoryFlags) => {
      const { store } = await openExistingStore(flags.store, flags.config);
      try {
        const id = parseSnapshotId(flags.snapshot) ?? store.latestSnapshotId();
        if (id === undefined) throw new NhiError('NOT_FOUND', 'the store holds no snapshot yet', { suggestion: 'run nhi scan first' });
        const graph = store.loadGraph(id);
        const { renderInventoryText, renderInventoryJson } = await import('../../../reports/inventory/index.js');
        const filter = { kind: flags.kind === 'all' ? undefined : flags.kind, platform: flags.platform, type: flags.type };
        const text = flags.format === 'json' ? renderInventoryJson(graph, filter) : renderInventoryText(graph, filter);
        writeOutput(text, flags.output);
      } finally {
        store.close();
      }
    });
}
