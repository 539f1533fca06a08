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

/**
 * A filter value the snapshot cannot match is a usage error naming what it holds, not an empty list that looks like
 * a clean estate (`--platform AWS`, `--type iam_user`).
 */
export function checkFilters(
  graph: { nodes: Map<string, { kind: string; platform: string; type: string; credentialType?: unknown }> },
  f: { kind?: string; platform?: string; type?: string },
  snapshotId: number,
): void {
  const listed = [...graph.nodes.values()].filter((n) => n.kind === 'principal' || n.kind === 'credential');
  const platforms = new Set(listed.map((n) => n.platform));
  if (f.platform !== undefined && !platforms.has(f.platform)) {
    const known = ['aws', 'gcp', 'github', 'gitlab', 'workflows'];
    const hint = platforms.size ? `snapshot ${snapshotId} holds ${[...platforms].sort().join(', ')}` : `snapshot ${snapshotId} holds no identities`;
    throw new NhiError('USAGE', known.includes(f.platform) ? `--platform ${f.platform}: snapshot ${snapshotId} holds no ${f.platform} identities` : `--platform: unknown platform '${f.platform}'`, {
      suggestion: hint,
    });
  }
  if (f.type !== undefined) {
    // the same names the inventory filter accepts: the node type, or a credential's type (what the TYPE column shows)
    const types = new Set<string>();
    for (const n of listed) {
      if ((f.kind && n.kind !== f.kind) || (f.platform && n.platform !== f.platform)) continue;
      types.add(n.type.toLowerCase());
      if (n.kind === 'credential' && typeof n.credentialType === 'string') types.add(n.credentialType.toLowerCase());
    }
    if (!types.has(f.type.toLowerCase())) {
      throw new NhiError('USAGE', `--type: no ${f.kind ?? 'identity or credential'} of type '${f.type}'${f.platform ? ` on ${f.platform}` : ''} in snapshot ${snapshotId}`, {
        suggestion: types.size ? `types there: ${[...types].sort().join(', ')}` : 'nothing matches the other filters',
      });
    }
  }
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
        const kind = flags.kind === 'all' ? undefined : flags.kind;
        checkFilters(graph, { kind, platform: flags.platform, type: flags.type }, id);
        const filter = { kind, platform: flags.platform, type: flags.type };
        const text = flags.format === 'json' ? renderInventoryJson(graph, filter) : renderInventoryText(graph, filter);
        writeOutput(text, flags.output);
      } finally {
        store.close();
      }
    });
}
