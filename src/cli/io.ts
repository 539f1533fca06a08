import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NhiError } from '../util/errors.js';

/** Is this an interactive terminal where live progress may draw? (never in CI, never when piped) */
export function interactive(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}

/**
 * Colour on this stream? `NO_COLOR` with any non-empty value: never (it wins, see https://no-color.org).
 * `FORCE_COLOR` `1`, `2`, `3`, `true` or empty: always, even when piped; `0` or `false`: never. Otherwise: when the
 * stream is a terminal. Used for the report on stdout and the progress on stderr alike.
 */
export function colorEnabled(stream: Pick<NodeJS.WriteStream, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR?.trim().toLowerCase();
  if (force !== undefined) {
    if (force === '0' || force === 'false') return false;
    if (force === '' || force === 'true' || /^[1-3]$/.test(force)) return true;
  }
  return Boolean(stream.isTTY);
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
