/**
 * The check every connector that drops secret values shares: a scan result, saved to a fresh SQLite store and
 * rendered in every report format, holds none of the given strings (the store file is grepped byte for byte, and so
 * is the inflated text of every chunk: records are stored compressed).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { render } from '../../reports/index.js';
import type { ScanResult } from '../../src/model/result.js';
import { openStore } from '../../src/store/index.js';

/**
 * Everything a store file holds, as text to grep: its bytes, and the inflated text of every chunk (records are
 * stored compressed, so their bytes alone would hide a leak). Files that are not a store are returned as they are.
 */
export function storedText(file: string): string {
  const raw = readFileSync(file).toString('latin1');
  if (!raw.startsWith('SQLite format 3')) return raw;
  const db = new Database(file, { readonly: true });
  try {
    const chunks = db.prepare('SELECT c.data AS data, b.data AS baseData FROM chunks c LEFT JOIN chunks b ON b.id = c.base').all() as Array<{ data: Buffer; baseData: Buffer | null }>;
    expect(chunks.length).toBeGreaterThan(0);
    const inflated = chunks.map((c) => inflateRawSync(c.data, c.baseData ? { dictionary: inflateRawSync(c.baseData) } : {}).toString('latin1'));
    return [raw, ...inflated].join('\n');
  } finally {
    db.close();
  }
}

/** `present` must be in the store (the check is not vacuous); none of `forbidden` may be in it or in any report. */
export function expectNotStoredOrRendered(result: ScanResult, forbidden: readonly string[], present: string): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-leak-store-'));
  try {
    const store = openStore(path.join(dir, 'nhi.db'));
    store.saveSnapshot(result);
    store.close();
    const bytes = storedText(path.join(dir, 'nhi.db'));
    expect(bytes).toContain(present);
    for (const v of forbidden) expect(bytes).not.toContain(v);
    for (const format of ['json', 'sarif', 'terminal', 'markdown', 'html'] as const) {
      const out = render(format, result, { color: false, verbose: true });
      expect(out.length).toBeGreaterThan(100);
      for (const v of forbidden) expect(out).not.toContain(v);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
