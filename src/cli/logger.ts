import type { Logger } from '../engine/types.js';

export interface LoggerOptions {
  verbose?: boolean;
  quiet?: boolean;
  write?: (s: string) => void;
}

/** Logs go to stderr only: stdout carries the report. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
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
