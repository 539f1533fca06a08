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
