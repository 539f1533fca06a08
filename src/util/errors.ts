/**
 * The one error class users see. `code` is stable (for scripts and tests), `message` is one line,
 * `suggestion` tells what to do next. The CLI prints `nhi: <message>` (+ suggestion) and exits with `exitCode`,
 * never a stack trace.
 */
export type NhiErrorCode =
  | 'USAGE' // bad flags / arguments
  | 'CONFIG' // nhi.config.yaml invalid
  | 'INPUT' // an input file is missing or malformed
  | 'CREDENTIALS' // no usable credentials for a live scan
  | 'STORE' // the snapshot store cannot be opened / written
  | 'NOT_FOUND'
  | 'INTERNAL';

export const EXIT = { OK: 0, FINDINGS: 1, USAGE: 2, INCOMPLETE: 3, INTERNAL: 4 } as const;

export class NhiError extends Error {
  readonly code: NhiErrorCode;
  readonly suggestion?: string;
  readonly exitCode: number;

  constructor(code: NhiErrorCode, message: string, opts: { suggestion?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'NhiError';
    this.code = code;
    this.suggestion = opts.suggestion;
    this.exitCode = opts.exitCode ?? (code === 'INTERNAL' ? EXIT.INTERNAL : EXIT.USAGE);
  }
}

/** One line describing any thrown value (no stack). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const name = (err as { name?: string }).name;
    const msg = (err.message || name || 'error').split('\n')[0].trim();
    return msg;
  }
  return String(err).split('\n')[0];
}
