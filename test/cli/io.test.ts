import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { utf8Chunks, writeOutput } from '../../src/cli/io.js';

describe('writing a report to a file', () => {
  it('slices never cut a surrogate pair, and joined they are the text as UTF-8', () => {
    // an emoji (two UTF-16 units) straddles every slice boundary of size 3
    const text = `ab😀cd😀😀e→f${'x'.repeat(10)}😀`;
    for (const size of [1, 2, 3, 4, 5, 7, 64]) {
      const chunks = [...utf8Chunks(text, size)];
      expect(Buffer.concat(chunks).toString('utf8')).toBe(text);
      // each slice is valid UTF-8 on its own: no replacement character when decoded alone
      for (const c of chunks) expect(c.toString('utf8')).not.toContain('\uFFFD');
    }
    expect([...utf8Chunks('', 4)]).toEqual([]);
  });

  it('a report larger than one slice is written whole, mode 0600, with a final newline', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-io-'));
    const file = path.join(dir, 'report.json');
    const text = `{"name":"${'😀'.repeat(4_500_000)}"}`; // 9M UTF-16 units: more than one 8M slice
    writeOutput(text, file);
    const back = readFileSync(file, 'utf8');
    expect(back.length).toBe(text.length + 1);
    expect(back === `${text}\n`).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
