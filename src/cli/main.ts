import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { EXIT, NhiError, describeError } from '../util/errors.js';
import { registerScan } from './commands/scan.js';
import { registerInventory } from './commands/inventory.js';
import { registerRules } from './commands/rules.js';
import { registerPermissions } from './commands/permissions.js';
import { registerSnapshots } from './commands/snapshots.js';
import { registerConnectors } from './commands/connectors.js';
import { registerDiff } from './commands/diff.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('nhi')
    .description(
      'Find non-human identities (IAM users and roles, access keys, tokens, CI secrets) and report which are\n' +
        'over-privileged, unrotated, unused or unowned, and what changed since the last scan.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run nhi --help or nhi <command> --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes:
  0  scan complete, nothing at or above --fail-on
  1  findings at or above --fail-on
  2  usage or configuration error (bad flag, malformed file or config, no credentials)
  3  scan incomplete: some source could not be read (the report says what is missing)
  4  internal error (a bug: rerun with NHI_DEBUG=1 and report it)

Try:  nhi scan --demo`,
    );
  registerScan(program);
  registerInventory(program);
  registerRules(program);
  registerPermissions(program);
  registerSnapshots(program);
  registerDiff(program);
  registerConnectors(program);
  return program;
}

function fail(err: unknown): number {
  if (err instanceof NhiError) {
    process.stderr.write(`nhi: ${err.message}\n`);
    if (err.suggestion) process.stderr.write(`  hint: ${err.suggestion}\n`);
    if (process.env.NHI_DEBUG && err.cause) process.stderr.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
    return err.exitCode;
  }
  process.stderr.write(`nhi: internal error: ${describeError(err)}\n`);
  process.stderr.write('  hint: set NHI_DEBUG=1 for details and report it as a bug\n');
  if (process.env.NHI_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.INTERNAL;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT.USAGE;
    }
    return fail(err);
  }
}
