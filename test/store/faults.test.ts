/**
 * A store that is damaged, foreign, locked or left mid-write by a killed scan: every operation ends in one clear
 * NhiError (exit 2), nothing is written to a database that is not ours, and a killed write is rolled back.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { NhiError } from '../../src/util/errors.js';
import { scanOf } from './helpers.js';
import { holdWrite as holdWriteOn } from '../support/lock-holder.js';

const holdWrite = (mode: 'immediate' | 'exclusive' | 'spill') => holdWriteOn(file, mode);

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-faults-'));
  file = path.join(dir, 'nhi.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function storeError(fn: () => unknown): NhiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NhiError);
    expect((err as NhiError).exitCode).toBe(2);
    expect((err as NhiError).message).not.toContain('\n');
    return err as NhiError;
  }
  throw new Error('expected a store error');
}

function storeWithSnapshots(n = 1): void {
  const store = openStore(file);
  for (let i = 0; i < n; i++) store.saveSnapshot(scanOf('111111111111'));
  store.close();
}

describe('damaged or foreign stores', () => {
  it('an SQLite database of another application is refused and left byte for byte as it was', () => {
    const db = new Database(file);
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('ada')");
    db.close();
    const before = readFileSync(file);
    for (const readonly of [false, true]) {
      const err = storeError(() => openStore(file, { readonly }));
      expect(err.message).toMatch(/is not an nhi-drift snapshot store \(an SQLite database of another application, with tables contacts\)/);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a store whose schema lost a table is refused as damaged, not used', () => {
    storeWithSnapshots();
    const db = new Database(file);
    db.exec('DROP TABLE snapshot_targets');
    db.close();
    expect(storeError(() => openStore(file)).message).toMatch(/damaged or not an nhi-drift store \(table snapshot_targets is missing\)/);
    expect(storeError(() => openStore(file, { readonly: true })).message).toMatch(/table snapshot_targets is missing/);
  });

  it('a truncated store is a clear "damaged" error for writers and readers', () => {
    storeWithSnapshots(3);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    for (const readonly of [false, true]) {
      const err = storeError(() => {
        const s = openStore(file, { readonly });
        try {
          s.listSnapshots();
          s.loadSnapshot(1);
        } finally {
          s.close();
        }
      });
      expect(err.message).toMatch(/is damaged \(database disk image is malformed\)/);
      expect(err.suggestion).toMatch(/move it aside/);
    }
  });

  it('pages damaged in the middle surface as a store error when read, never as a raw SQLite error', () => {
    storeWithSnapshots(3);
    const bytes = readFileSync(file);
    const page = 4096;
    // keep page 1 (header and schema) intact, scramble everything after it
    for (let i = page * 2; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff;
    writeFileSync(file, bytes);
    const err = storeError(() => {
      const s = openStore(file, { readonly: true });
      try {
        for (const snap of s.listSnapshots()) s.loadSnapshot(snap.id);
      } finally {
        s.close();
      }
    });
    expect(err.code).toBe('STORE');
  });

  it('an empty file is a store without snapshots for readers, and becomes a store for a writer', () => {
    writeFileSync(file, '');
    expect(storeError(() => openStore(file, { readonly: true })).message).toMatch(/holds no snapshot yet/);
    const s = openStore(file);
    expect(s.listSnapshots()).toEqual([]);
    s.close();
  });
});

describe('locks held by another process', () => {
  it('a writer that keeps the lock longer than the busy timeout: opening to scan is refused with a clear line', async () => {
    storeWithSnapshots();
    const holder = await holdWrite('exclusive');
    try {
      const err = storeError(() => openStore(file, { busyTimeoutMs: 300 }));
      expect(err.message).toMatch(/is locked by another process .* for more than 0\.3 s: cannot open the snapshot store/);
      expect(storeError(() => openStore(file, { readonly: true, busyTimeoutMs: 300 })).message).toMatch(/is locked/);
    } finally {
      await holder.kill();
    }
  });

  it('a lock taken after the store was opened: saving fails cleanly and earlier snapshots stay', async () => {
    storeWithSnapshots();
    const store = openStore(file, { busyTimeoutMs: 300 });
    const holder = await holdWrite('immediate');
    try {
      const err = storeError(() => store.saveSnapshot(scanOf('111111111111')));
      expect(err.message).toMatch(/is locked .*: cannot store the snapshot; earlier snapshots are intact/);
      expect(store.listSnapshots().map((s) => s.id)).toEqual([1]);
    } finally {
      await holder.kill();
      store.close();
    }
  });
});

describe('a scan killed while writing (hot journal)', () => {
  it('read-only opens roll the interrupted write back and read the earlier snapshot intact', async () => {
    storeWithSnapshots();
    const before = openStore(file, { readonly: true });
    const nodes = [...before.loadGraph(1).nodes.keys()].sort();
    before.close();
    const holder = await holdWrite('spill');
    await holder.kill();
    expect(existsSync(`${file}-journal`)).toBe(true);
    // a plain read-only SQLite connection cannot read through it: this is what nhi must handle
    const raw = new Database(file, { readonly: true });
    expect(() => raw.pragma('user_version')).toThrow(/readonly/);
    raw.close();

    const ro = openStore(file, { readonly: true });
    expect(ro.listSnapshots().map((s) => s.id)).toEqual([1]);
    expect([...ro.loadGraph(1).nodes.keys()].sort()).toEqual(nodes);
    ro.close();
    expect(existsSync(`${file}-journal`)).toBe(false);
  });

  // root ignores file modes, so this can only be shown as another user
  it.skipIf(process.getuid?.() === 0)('without write access to roll it back, a reader gets one clear line', async () => {
    storeWithSnapshots();
    const holder = await holdWrite('spill');
    await holder.kill();
    const { chmodSync } = await import('node:fs');
    chmodSync(dir, 0o500);
    chmodSync(file, 0o400);
    try {
      const err = storeError(() => openStore(file, { readonly: true }));
      expect(err.message).toMatch(/an interrupted scan left .*-journal, and rolling it back needs write access/);
    } finally {
      chmodSync(dir, 0o700);
      chmodSync(file, 0o600);
    }
  });
});
