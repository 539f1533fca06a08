/**
 * `nhi merge SHARD.db... [--store ORG.db]`: one snapshot of the whole estate from shards scanned apart (a CI matrix
 * job or a CronJob per account or organisation: `nhi scan ... --no-report --store shard.db`). The newest snapshot of
 * each shard is a source (src/cli/shard.ts); the merged graph goes through the same pipeline as a scan (paths across
 * the shards, rules, drift, the report in any format, the stored snapshot), as of the newest shard.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { NhiError } from '../../util/errors.js';
import { FORMATS, GATES, scanCommand, type ScanFlags } from './scan.js';

interface MergeFlags extends Pick<ScanFlags, 'format' | 'output' | 'failOn' | 'sarifCategory' | 'config' | 'store' | 'report' | 'asOf' | 'verbose' | 'quiet'> {}

export async function mergeCommand(shards: string[], flags: MergeFlags): Promise<number> {
  const files = [...new Set(shards.map((f) => path.resolve(f)))];
  if (files.length < 1) throw new NhiError('USAGE', 'nhi merge: name the shard stores', { suggestion: 'nhi merge shard-*.db --store org.db' });
  if (typeof flags.store === 'string' && files.includes(path.resolve(flags.store))) {
    throw new NhiError('USAGE', `--store ${flags.store} is one of the shards: the merged snapshot goes into another store`, { suggestion: 'nhi merge shard-*.db --store org.db' });
  }
  return scanCommand({ ...flags, shards: files } as ScanFlags);
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge the newest snapshots of shard stores into one snapshot of the whole estate, and report it')
    .argument('<shards...>', 'shard stores (nhi scan ... --no-report --store SHARD.db), one per account or organisation')
    .addOption(new Option('-f, --format <format>', 'report format').choices([...FORMATS]).default('terminal'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default none)').choices([...GATES]))
    .option('--sarif-category <category>', 'SARIF runAutomationDetails category (one upload per category)')
    .option('--config <file>', 'configuration file (default ./nhi.config.yaml or ./nhi.config.yml when present)')
    .option('--no-config', 'read no configuration file')
    .option('--store <path>', 'the store the merged snapshot goes into (default as for nhi scan)')
    .option('--no-store', 'do not store the merged snapshot')
    .option('--no-report', 'print no report')
    .option('--as-of <date>', 'evaluate ages and usage as of this date (default: the newest shard\'s as-of time)')
    .option('-v, --verbose', 'more detail on stderr')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (shards: string[], flags: MergeFlags) => {
      process.exitCode = await mergeCommand(shards, flags);
    });
}
