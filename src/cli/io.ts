import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NhiError } from '../util/errors.js';

/** Is this an interactive terminal where ink may draw? (never in CI, never when piped) */
export function interactive(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}

export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

let failure: string | undefined;

/**
 * Keep a failing stdout from crashing the CLI. EPIPE (the reader went away: `nhi scan | head`) is what the reader
 * chose: the rest of the output is dropped silently and the exit code stays the scan's own. Any other error (ENOSPC
 * on `> /dev/full`, EIO) is remembered so the CLI can say the report is incomplete and exit 2.
 */
export function watchOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      stream.destroy();
      return;
    }
    failure ??= err.code ?? 'write error';
    stream.destroy();
  });
}

/** The error that stopped standard output, if any (EPIPE is not a failure). */
export function outputFailure(stream?: NodeJS.WriteStream): string | undefined {
  const errored = (stream as { errored?: NodeJS.ErrnoException | null } | undefined)?.errored;
  if (!failure && errored && errored.code !== 'EPIPE') failure = errored.code ?? 'write error';
  return failure;
}

/** Write a report to -o FILE (creating folders) or stdout. */
export function writeOutput(text: string, file?: string): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (!file) {
    process.stdout.write(body);
    return;
  }
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(file, body);
  } catch (err) {
    throw new NhiError('USAGE', `${file}: cannot write the report (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export const DEFAULT_STORE = path.join('.nhi', 'nhi.db');
