import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NhiError } from '../../src/util/errors.js';
import { utf8Chunks, writeOutput, writeOutputChunksAsync } from '../../src/cli/io.js';

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

  it('pieces that come asynchronously are written in order to a new folder, mode 0600; a folder as -o is one clear error', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-io-'));
    const file = path.join(dir, 'new', 'report.sarif');
    const pieces = ['{\n', '  "a": "é😀",\n', '  "b": 2\n', '}\n'];
    await writeOutputChunksAsync(
      (async function* () {
        for (const p of pieces) {
          await new Promise((r) => setImmediate(r));
          yield p;
        }
      })(),
      file,
    );
    expect(readFileSync(file, 'utf8')).toBe(pieces.join(''));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const err = await writeOutputChunksAsync(['x\n'], dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NhiError);
    expect((err as NhiError).message).toMatch(/cannot write the report \(it is a folder, EISDIR\)/);
  });
});
