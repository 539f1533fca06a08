/**
 * Reading input files without trusting them: only regular files are opened (a FIFO, a device such as /dev/zero, a
 * socket or a folder is refused from its metadata, never opened), a size cap is checked before a single byte is read
 * (and enforced while reading, should the file grow), symbolic links are resolved first and, when a root is given,
 * must stay inside it. The open itself is non-blocking, so a file swapped for a FIFO between the check and the open
 * cannot hang the process either. Every refusal is a value with a one-line reason, never a thrown error, so callers
 * turn it into a usage error or a coverage note as fits their input.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

export const MiB = 1024 * 1024;

export type ReadProblem = 'missing' | 'dangling-link' | 'directory' | 'special' | 'outside' | 'too-large' | 'unreadable';

export type BoundedRead =
  | { ok: true; text: string; bytes: number; realPath: string }
  | { ok: false; problem: ReadProblem; /** one line, without the file name: `is a FIFO (named pipe), not a regular file` */ reason: string };

export interface BoundedReadOptions {
  /** refuse files larger than this many bytes (checked before reading) */
  maxBytes: number;
  /** when set, the file's real path (symbolic links resolved) must lie inside this folder's real path */
  within?: string;
}

/** What a path is, from its metadata only. */
export type EntryKind =
  | { kind: 'file'; realPath: string; size: number }
  | { kind: 'directory'; realPath: string }
  | { kind: 'missing' }
  | { kind: 'dangling-link' }
  | { kind: 'special'; what: string }
  | { kind: 'outside'; realPath: string }
  | { kind: 'unreadable'; code: string };

function errCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? 'error';
}

/** `a FIFO (named pipe)`, `a character device`, ... for a stat result that is not a regular file or folder. */
export function specialKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** Whether `child` (a real path) is `root` or lies inside it. */
export function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Resolve a root folder to its real path (symbolic links resolved); the path as given when that fails. */
export function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return path.resolve(root);
  }
}

/** Classify `p` without opening it. `within`: a real path the entry must resolve inside. */
export function inspectPath(p: string, within?: string): EntryKind {
  let link: Stats;
  try {
    link = lstatSync(p);
  } catch (err) {
    const code = errCode(err);
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'missing' } : { kind: 'unreadable', code };
  }
  let real = path.resolve(p);
  if (link.isSymbolicLink() || within !== undefined) {
    try {
      real = realpathSync(p);
    } catch (err) {
      const code = errCode(err);
      return code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR' ? { kind: 'dangling-link' } : { kind: 'unreadable', code };
    }
  }
  if (within !== undefined && !isInside(real, within)) return { kind: 'outside', realPath: real };
  let st: Stats;
  try {
    st = link.isSymbolicLink() ? statSync(real) : link;
  } catch (err) {
    return { kind: 'unreadable', code: errCode(err) };
  }
  if (st.isDirectory()) return { kind: 'directory', realPath: real };
  if (!st.isFile()) return { kind: 'special', what: specialKind(st) };
  return { kind: 'file', realPath: real, size: st.size };
}

function sizeText(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} bytes`;
}

/** `12.5 MiB, more than the 1 MiB limit` */
export function overLimit(bytes: number, maxBytes: number): string {
  return `is ${sizeText(bytes)}, more than the ${sizeText(maxBytes)} limit`;
}

const CHUNK = 4 * MiB;

/** Read a regular file as UTF-8 text (a leading byte-order mark removed), within the given bounds. */
export function readBounded(file: string, opts: BoundedReadOptions): BoundedRead {
  const entry = inspectPath(file, opts.within);
  switch (entry.kind) {
    case 'missing':
      return { ok: false, problem: 'missing', reason: 'not found' };
    case 'dangling-link':
      return { ok: false, problem: 'dangling-link', reason: 'is a symbolic link to nothing (dangling)' };
    case 'directory':
      return { ok: false, problem: 'directory', reason: 'is a folder, not a file' };
    case 'special':
      return { ok: false, problem: 'special', reason: `is ${entry.what}, not a regular file` };
    case 'outside':
      return { ok: false, problem: 'outside', reason: 'is a symbolic link that leads outside the folder being scanned' };
    case 'unreadable':
      return { ok: false, problem: 'unreadable', reason: `cannot be read (${entry.code})` };
    case 'file':
      break;
  }
  if (entry.size > opts.maxBytes) return { ok: false, problem: 'too-large', reason: overLimit(entry.size, opts.maxBytes) };
  let fd: number;
  try {
    // the resolved path, not following links again, never blocking (a FIFO swapped in after the check cannot hang us)
    fd = openSync(entry.realPath, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    return { ok: false, problem: 'unreadable', reason: `cannot be read (${errCode(err)})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, problem: 'special', reason: `is ${specialKind(st)}, not a regular file` };
    if (st.size > opts.maxBytes) return { ok: false, problem: 'too-large', reason: overLimit(st.size, opts.maxBytes) };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // never more than one byte past the cap, whatever the file does while we read it
      const want = Math.min(CHUNK, opts.maxBytes + 1 - total);
      if (want <= 0) break;
      const buf = Buffer.allocUnsafe(want);
      let n: number;
      try {
        n = readSync(fd, buf, 0, want, null);
      } catch (err) {
        return { ok: false, problem: 'unreadable', reason: `cannot be read (${errCode(err)})` };
      }
      if (n === 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
    }
    if (total > opts.maxBytes) return { ok: false, problem: 'too-large', reason: `grew past the ${sizeText(opts.maxBytes)} limit while being read` };
    let text: string;
    try {
      text = Buffer.concat(chunks, total).toString('utf8');
    } catch {
      return { ok: false, problem: 'too-large', reason: `is ${sizeText(total)}, too large to hold as text` };
    }
    return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, bytes: total, realPath: entry.realPath };
  } finally {
    closeSync(fd);
  }
}
