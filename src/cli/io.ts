import { closeSync, fstatSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NhiError } from '../util/errors.js';
import { safeLine } from '../util/text.js';

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


const WRITE_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such folder',
  ENOTDIR: 'a part of the path is not a folder',
  EIO: 'input/output error',
};

/**
 * Write a report to -o FILE or stdout. A file is private (mode 0600, like the store): created so, and narrowed to
 * 0600 before anything is written when it already existed with wider permissions. Missing folders are created (0700).
 * A failure (disk full, a folder, no permission) is one clear line, exit 2.
 */
/**
 * A text as UTF-8 in slices of about `size` characters, never cutting a surrogate pair (an emoji in a name stays
 * whole across a slice boundary).
 */
export function* utf8Chunks(text: string, size = 8 * 1024 * 1024): Iterable<Buffer> {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + size);
    const last = text.charCodeAt(end - 1);
    // a slice that would end on the first half of a pair ends before it (or, one unit long, takes the pair whole)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end = end - 1 > at ? end - 1 : end + 1;
    yield Buffer.from(text.slice(at, end), 'utf8');
    at = end;
  }
}

export function writeOutput(text: string, file?: string): void {
  writeOutputChunks([text.endsWith('\n') ? text : `${text}\n`], file);
}

/**
 * A report given in pieces (already ending in a newline), written as they come: to stdout, or to a file created
 * with mode 0600. A write error is a usage error naming the file (exit 2).
 */
export function writeOutputChunks(chunks: Iterable<string>, file?: string): void {
  if (!file) {
    for (const c of chunks) process.stdout.write(c);
    return;
  }
  let fd: number | undefined;
  try {
    fd = openReport(file);
    for (const c of chunks) writePiece(fd, c);
    closeSync(fd);
    fd = undefined;
  } catch (err) {
    throw writeFailure(file, fd, err);
  }
}

/** writeOutputChunks for pieces that come asynchronously (the SARIF file measures its gzipped size as it goes). */
export async function writeOutputChunksAsync(chunks: AsyncIterable<string> | Iterable<string>, file?: string): Promise<void> {
  if (!file) {
    for await (const c of chunks) process.stdout.write(c);
    return;
  }
  let fd: number | undefined;
  try {
    fd = openReport(file);
    for await (const c of chunks) writePiece(fd, c);
    closeSync(fd);
    fd = undefined;
  } catch (err) {
    throw writeFailure(file, fd, err);
  }
}

/** Open -o FILE for the report: missing folders created (0700), the file private (0600). */
function openReport(file: string): number {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'w', 0o600);
  // only a regular file is narrowed: -o /dev/stdout or a FIFO is not ours to change
  const st = fstatSync(fd);
  if (st.isFile() && (st.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
  return fd;
}

/** A large piece goes out a slice at a time: no second copy of the whole text as bytes. */
function writePiece(fd: number, c: string): void {
  for (const bytes of utf8Chunks(c)) for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** The error to throw when writing -o FILE failed (the file closed first when it was open). */
function writeFailure(file: string, fd: number | undefined, err: unknown): NhiError {
  if (fd !== undefined) {
    try {
      closeSync(fd);
    } catch {
      // already reporting the first error
    }
  }
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  const why = WRITE_ERRORS[code] ? `${WRITE_ERRORS[code]}, ${code}` : code;
  return new NhiError('USAGE', `${safeLine(file)}: cannot write the report (${why})`, { suggestion: 'choose another path for -o, or leave -o out to print to stdout' });
}

/**
 * Where snapshots are stored when neither --store, NHI_STORE nor the config's `store` says: the user's data
 * directory, never the current directory (a scan of a checkout must not leave an identity database in it).
 * Linux and other Unix: $XDG_DATA_HOME/nhi-drift/nhi.db, else ~/.local/share/nhi-drift/nhi.db;
 * macOS: ~/Library/Application Support/nhi-drift/nhi.db; Windows: %LOCALAPPDATA%\nhi-drift\nhi.db.
 */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  const app = 'nhi-drift';
  if (platform === 'win32') {
    const base = env.LOCALAPPDATA && path.win32.isAbsolute(env.LOCALAPPDATA) ? env.LOCALAPPDATA : path.win32.join(home, 'AppData', 'Local');
    return path.win32.join(base, app, 'nhi.db');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', app, 'nhi.db');
  // the XDG spec ignores a relative XDG_DATA_HOME
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
  return path.posix.join(base, app, 'nhi.db');
}

/** A path for help texts and notes: the home folder shown as ~. */
export function displayPath(p: string, home: string = os.homedir()): string {
  if (home && home !== '/' && (p === home || p.startsWith(`${home}${path.sep}`))) return `~${p.slice(home.length)}`;
  return p;
}

/** Where the store lived before it moved to the data directory (relative to the current directory). */
export const LEGACY_STORE = path.join('.nhi', 'nhi.db');
