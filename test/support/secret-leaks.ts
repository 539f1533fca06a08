/**
 * The check every connector that drops secret values shares: a scan result, saved to a fresh SQLite store and
 * rendered in every report format, holds none of the given strings (the store file is grepped byte for byte).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { render } from '../../reports/index.js';
import type { ScanResult } from '../../src/model/result.js';
import { openStore } from '../../src/store/index.js';

/** `present` must be in the store (the check is not vacuous); none of `forbidden` may be in it or in any report. */
export function expectNotStoredOrRendered(result: ScanResult, forbidden: readonly string[], present: string): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-leak-store-'));
  try {
    const store = openStore(path.join(dir, 'nhi.db'));
    store.saveSnapshot(result);
    store.close();
    const bytes = readFileSync(path.join(dir, 'nhi.db')).toString('latin1');
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
