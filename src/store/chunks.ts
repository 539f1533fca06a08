/**
 * How a snapshot's records are kept once (schema 3; the design is described at the top of store.ts).
 *
 * A snapshot's records of one part (nodes, edges, usage facts, coverage notes, findings, suppressed findings) are
 * laid out in a fixed order and cut into chunks where a record's key hashes to a boundary, so the cuts depend on
 * the records and not on their positions: adding or removing a record changes one chunk, not every chunk after it.
 * A chunk is the JSON array of its records with the scan's time stamps taken out (see `template`), stored once in
 * `chunks` under the SHA-256 of that text, compressed with deflate (a changed chunk as a delta of the earlier
 * snapshot's full chunk in its place, see `ChunkWriter.write`). Each snapshot lists its chunks in `snapshot_chunks`,
 * so an unchanged re-scan adds one small row per chunk and no chunk.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Database, Statement } from 'better-sqlite3';

export type Part = 'node' | 'edge' | 'usage' | 'coverage' | 'finding' | 'suppressed';

/** One record to store: its JSON text and the key that decides where chunks end. */
export interface Item {
  key: string;
  text: string;
}

/**
 * About one chunk in 32 records ends at a key boundary; no chunk holds more than MAX_RECORDS records or much more
 * than MAX_CHARS characters (deflate looks back 32 KiB, so a whole earlier chunk can serve as a dictionary).
 */
const BOUNDARY_MASK = 31;
const MAX_RECORDS = 256;
const MAX_CHARS = 24_000;

/**
 * Placeholders for the scan's stamps. A raw control character other than the JSON whitespace (tab, line feed,
 * carriage return) is invalid anywhere in JSON text (JSON.stringify writes them as escapes), so one can stand for a
 * whole JSON string.
 */
const MARKS = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).filter((c) => !'\t\n\r'.includes(c));
/** Only plain time-stamp-like strings are taken out (no character JSON would escape). */
const STAMP_SHAPE = /^[0-9A-Za-z:.+\-]{1,64}$/;

/**
 * The stamps of a scan: its as-of time, then every other observation time its nodes carry (a merged snapshot has
 * one per shard), in the order their first node (by id) appears, so the same estate gives the same list.
 */
export function scanStamps(asOf: string, nodeTexts: Iterable<string>): string[] {
  const stamps = STAMP_SHAPE.test(asOf) ? [asOf] : [];
  const seen = new Set(stamps);
  const observed = /"observedAt":"([^"\\]*)"/;
  for (const text of nodeTexts) {
    if (stamps.length >= MARKS.length) break;
    const m = observed.exec(text);
    if (m && !seen.has(m[1]) && STAMP_SHAPE.test(m[1])) {
      seen.add(m[1]);
      stamps.push(m[1]);
    }
  }
  return stamps;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A JSON text with every string value equal to one of the stamps replaced by its placeholder. A string token in
 * JSON text always follows `:`, `,` or `[` (a quote after a backslash is inside another string), so only whole
 * values are replaced, never part of a longer string.
 */
export function templater(stamps: readonly string[]): (text: string) => string {
  if (stamps.length === 0) return (t) => t;
  const index = new Map(stamps.map((s, i) => [s, MARKS[i]]));
  const re = new RegExp(`([:,\\[])"(${stamps.map(escapeRegExp).join('|')})"`, 'g');
  return (text) => text.replace(re, (_m, pre: string, stamp: string) => pre + index.get(stamp)!);
}

/** The exact JSON text `template` was given. */
export function untemplate(text: string, stamps: readonly string[]): string {
  let out = text;
  for (let i = 0; i < stamps.length; i++) if (out.includes(MARKS[i])) out = out.replaceAll(MARKS[i], JSON.stringify(stamps[i]));
  return out;
}

/** FNV-1a: cheap, stable across runs and platforms. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A chunk of the previous snapshot of the same part: its hash, and the full chunk it is a delta of (if it is one). */
export interface PreviousChunk {
  id: number;
  base: number | null;
}

/** Statements prepared once per database connection. */
export class ChunkWriter {
  private readonly has: Statement;
  private readonly dataOf: Statement;
  private readonly insertChunk: Statement;
  private readonly insertMember: Statement;
  private readonly previousOf: Statement;

  constructor(db: Database) {
    this.has = db.prepare('SELECT id FROM chunks WHERE hash = ?').pluck();
    this.dataOf = db.prepare('SELECT data FROM chunks WHERE id = ? AND base IS NULL').pluck();
    this.insertChunk = db.prepare('INSERT INTO chunks (hash, base, data) VALUES (?, ?, ?)');
    this.insertMember = db.prepare('INSERT INTO snapshot_chunks (snapshot_id, part, seq, anchor, chunk) VALUES (?, ?, ?, ?, ?)');
    this.previousOf = db.prepare('SELECT s.anchor AS anchor, c.id AS id, c.base AS base FROM snapshot_chunks s JOIN chunks c ON c.id = s.chunk WHERE s.snapshot_id = ? AND s.part = ?');
  }

  /** The chunks of one part of an earlier snapshot by anchor: what a changed chunk is stored as a delta of. */
  previous(snapshotId: number | undefined, part: Part): Map<number, PreviousChunk> {
    const out = new Map<number, PreviousChunk>();
    if (snapshotId === undefined) return out;
    for (const r of this.previousOf.all(snapshotId, part) as Array<PreviousChunk & { anchor: number }>) out.set(r.anchor, { id: r.id, base: r.base });
    return out;
  }

  /**
   * Store one part of a snapshot, `items` in the order readers get them back. Call inside the snapshot's transaction.
   * A chunk not stored yet is compressed alone, or, when the earlier snapshot `previous` has a chunk starting with
   * the same record, with that chunk's full text as the deflate dictionary when this is at most half the size: a
   * finding whose text changes every day (an age in days) then costs a few bytes, not its whole text again.
   */
  write(snapshotId: number, part: Part, items: readonly Item[], template: (text: string) => string, previous = new Map<number, PreviousChunk>()): void {
    let seq = 0;
    let start = 0;
    let size = 0;
    const flush = (end: number) => {
      if (end === start) return;
      let text = '[';
      for (let i = start; i < end; i++) text += (i > start ? ',' : '') + items[i].text;
      text = template(`${text}]`);
      const anchor = fnv1a(items[start].key);
      const hash = createHash('sha256').update(part).update('\n').update(text).digest().subarray(0, 16);
      let chunk = this.has.get(hash) as number | undefined;
      if (chunk === undefined) {
        const full = deflateRawSync(text);
        const prev = previous.get(anchor);
        const baseId = prev ? (prev.base ?? prev.id) : undefined;
        const baseData = baseId === undefined ? undefined : (this.dataOf.get(baseId) as Buffer | undefined);
        let stored: [number | null, Buffer] = [null, full];
        if (baseId !== undefined && baseData) {
          const delta = deflateRawSync(text, { dictionary: inflateRawSync(baseData) });
          if (delta.length * 2 <= full.length) stored = [baseId, delta];
        }
        chunk = Number(this.insertChunk.run(hash, ...stored).lastInsertRowid);
      }
      this.insertMember.run(snapshotId, part, seq++, anchor, chunk);
      start = end;
      size = 0;
    };
    for (let i = 0; i < items.length; i++) {
      size += items[i].text.length;
      if ((fnv1a(items[i].key) & BOUNDARY_MASK) === 0 || i + 1 - start >= MAX_RECORDS || size >= MAX_CHARS) flush(i + 1);
    }
    flush(items.length);
  }
}

/**
 * A stored chunk back as its records' JSON values (`baseData`: the full chunk a delta chunk was compressed against);
 * a chunk that is missing or does not inflate or parse is a damaged store.
 */
export function readChunk<T>(row: { data: Buffer | null; base: number | null; baseData: Buffer | null }, stamps: readonly string[], what: string): T[] {
  try {
    if (!row.data || (row.base !== null && !row.baseData)) throw new Error('missing');
    const text = row.base !== null ? inflateRawSync(row.data, { dictionary: inflateRawSync(row.baseData!) }) : inflateRawSync(row.data);
    const records = JSON.parse(untemplate(text.toString('utf8'), stamps)) as unknown;
    if (!Array.isArray(records)) throw new Error('not a list');
    return records as T[];
  } catch {
    throw Object.assign(new Error(`a stored chunk of ${what} is damaged`), { code: 'SQLITE_CORRUPT' });
  }
}

/** Code-unit order: the order SQLite's BINARY collation gave (they differ only beyond the Basic Multilingual Plane). */
export function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The key of a record of each part (what decides chunk boundaries; never a per-scan value). */
export const KEYS = {
  node: (n: { id: string }) => n.id,
  edge: (e: { type: string; from: string; to: string }) => `${e.type}\u0000${e.from}\u0000${e.to}`,
  usage: (u: { nodeId: string; scope?: { kind?: string; name?: string } }) => `${u.nodeId}\u0000${u.scope?.kind ?? ''}\u0000${u.scope?.name ?? ''}`,
  coverage: (c: { connector: string; source: string; scope?: string }) => `${c.connector}\u0000${c.source}\u0000${c.scope ?? ''}`,
  finding: (f: { fingerprint: string }) => f.fingerprint,
} as const;
