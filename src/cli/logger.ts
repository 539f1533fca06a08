import type { Logger } from '../engine/types.js';
import { safeLine } from '../util/text.js';

export interface LoggerOptions {
  verbose?: boolean;
  quiet?: boolean;
  write?: (s: string) => void;
}

/** Logs go to stderr only: stdout carries the report. Messages quote names from platforms and files, so each is
 * reduced to one safe line (no escape sequences, no injected line breaks). */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const raw = opts.write ?? ((s: string) => process.stderr.write(s));
  // one safe line per line: a multi-line message (a stack under NHI_DEBUG) keeps its lines, indented, so quoted text
  // can never forge a line of its own
  const write = (s: string) => raw(`${s.replace(/\n$/, '').split('\n').map(safeLine).join('\n    ')}\n`);
  return {
    debug: (m) => {
      if (opts.verbose) write(`nhi: ${m}\n`);
    },
    info: (m) => {
      if (!opts.quiet) write(`nhi: ${m}\n`);
    },
    warn: (m) => write(`nhi: warning: ${m}\n`),
  };
}
