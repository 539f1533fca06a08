import { Command, CommanderError, Help } from 'commander';
import { VERSION } from '../version.js';
import { EXIT, NhiError, describeError } from '../util/errors.js';
import { safeLine } from '../util/text.js';
import { outputFailure, watchOutput } from './io.js';
import { registerScan } from './commands/scan.js';
import { registerInventory } from './commands/inventory.js';
import { registerRules } from './commands/rules.js';
import { registerPermissions } from './commands/permissions.js';
import { registerSnapshots } from './commands/snapshots.js';
import { registerConnectors } from './commands/connectors.js';
import { registerDiff } from './commands/diff.js';
import { registerPaths } from './commands/paths.js';
import { registerCan } from './commands/can.js';
import { registerWhoCan } from './commands/who-can.js';
import { registerMerge } from './commands/merge.js';
import { registerExport } from './commands/export.js';
import { registerMcp } from './commands/mcp.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('nhi')
    .description(
      'Find non-human identities (IAM users and roles, access keys, tokens, CI secrets) and report which are\n' +
        'over-privileged, unrotated, unused or unowned, and what changed since the last scan.',
    )
    .version(VERSION, '-V, --version')
    // set before the commands are added, so every subcommand inherits them: usage errors read `nhi: ...` + a hint
    .configureOutput({
      writeErr: (str) => process.stderr.write(str),
      writeOut: (str) => process.stdout.write(str),
      outputError: (str, write) => write(str.replace(/^error: /, 'nhi: ')),
      getOutHelpWidth: () => helpWidth(process.stdout),
      getErrHelpWidth: () => helpWidth(process.stderr),
    })
    .configureHelp({ formatItem: narrowFormatItem, minWidthToWrap: 24 })
    .showHelpAfterError('  hint: nhi --help lists the commands; nhi <command> --help their options')
    .addHelpText('after', () => exitCodesHelp(helpWidth(process.stdout)));
  registerScan(program);
  registerMerge(program);
  registerInventory(program);
  registerRules(program);
  registerPermissions(program);
  registerSnapshots(program);
  registerDiff(program);
  registerPaths(program);
  registerCan(program);
  registerWhoCan(program);
  registerExport(program);
  registerMcp(program);
  registerConnectors(program);
  return program;
}

/**
 * Help is wrapped at the terminal's width (40 to 160 columns): stdout's, else stderr's when stdout is piped
 * (`nhi scan --help | less` in a terminal), else $COLUMNS, else 80.
 */
function helpWidth(stream: NodeJS.WriteStream): number {
  const env = Number(process.env.COLUMNS);
  const cols = (stream.isTTY && stream.columns) || (process.stderr.isTTY && process.stderr.columns) || (Number.isInteger(env) && env > 0 ? env : undefined);
  return cols ? Math.max(40, Math.min(160, cols)) : 80;
}

const EXIT_CODES: Array<[number, string]> = [
  [0, 'scan complete, nothing at or above --fail-on (nhi can: allowed)'],
  [1, 'findings at or above --fail-on (nhi can: denied or conditional)'],
  [2, 'usage or configuration error (bad flag, malformed file or config, no credentials, unusable store), or the report could not be written'],
  [3, 'scan incomplete: some source could not be read or the --timeout deadline passed (the report says what is missing)'],
  [4, 'internal error (a bug: rerun with NHI_DEBUG=1 and report it)'],
];

function exitCodesHelp(width: number): string {
  const help = new Help();
  help.minWidthToWrap = 20;
  const lines = EXIT_CODES.map(([code, text]) => `  ${code}  ${help.boxWrap(text, width - 5).replace(/\n/g, '\n     ')}`);
  return `\nExit codes:\n${lines.join('\n')}\n\nTry:  nhi scan --demo`;
}

/**
 * Commander aligns descriptions in a column after the longest flag; when that leaves too little room (a narrow
 * terminal and `--gcp-impersonate-service-account <email>`), it stops wrapping and lines overflow. Then put each
 * description under its flag instead, indented and wrapped to the full width.
 */
function narrowFormatItem(this: Help, term: string, termWidth: number, description: string, helper: Help): string {
  const width = this.helpWidth ?? 80;
  if (!description || width - termWidth - 4 >= 40) return Help.prototype.formatItem.call(this, term, termWidth, description, helper);
  const wrapped = helper.boxWrap(description, width - 6);
  return `  ${term}\n${wrapped.replace(/^/gm, '      ')}`;
}

function fail(err: unknown): number {
  if (err instanceof NhiError) {
    process.stderr.write(`nhi: ${safeLine(err.message)}\n`);
    // a hint may list candidates, one per line: each line is made safe on its own
    if (err.suggestion) process.stderr.write(`  hint: ${err.suggestion.split('\n').map(safeLine).join('\n')}\n`);
    if (process.env.NHI_DEBUG && err.cause) process.stderr.write(`${String((err.cause as Error).stack ?? err.cause)}\n`);
    return err.exitCode;
  }
  process.stderr.write(`nhi: internal error: ${safeLine(describeError(err))}\n`);
  process.stderr.write('  hint: set NHI_DEBUG=1 for details and report it as a bug\n');
  if (process.env.NHI_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.INTERNAL;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  for (const cmd of program.commands) cmd.exitOverride();
  // a closed pipe (`| head`) or a full disk (`> /dev/full`) on stdout is not a crash: see watchOutput
  watchOutput(process.stdout);
  let code: number;
  try {
    await program.parseAsync(argv);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') code = 0;
      else code = EXIT.USAGE;
    } else code = fail(err);
  }
  await flushed(process.stdout);
  const failure = outputFailure(process.stdout);
  if (failure) {
    process.stderr.write(`nhi: cannot write to standard output (${failure}): the report is incomplete\n  hint: write it to a file with -o FILE, or free disk space\n`);
    return EXIT.USAGE;
  }
  return code;
}

/** Resolves when what was written to `stream` has been handed to the OS (or the stream failed). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    // the stream reports a failed write on a later tick: give it one turn of the event loop after the flush
    const done = () => setImmediate(resolve);
    if (stream.destroyed || !stream.writable) return done();
    stream.write('', done);
  });
}
