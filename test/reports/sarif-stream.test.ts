/**
 * The streamed SARIF file (renderSarifChunks, what `nhi scan -f sarif` writes) is byte for byte the file the
 * renderer made as one string before it streamed: the log built as one object, `JSON.stringify`d, and shrunk while it
 * was over the gzipped size limit. That reference is written out below from the exported building blocks.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/types.js';
import { fingerprint } from '../../src/rules/runner.js';
import { buildSarif, MAX_SARIF_GZIP_BYTES, MAX_SARIF_RESULTS, renderSarif, renderSarifChunks, type SarifOptions } from '../../reports/sarif/index.js';
import { render } from '../../reports/index.js';
import { normalizeInput, type ReportInput } from '../../reports/shared.js';
import { validateSarif } from './output-checks.js';
import { mulberry32, randomResult } from './random-results.js';
import { cleanResult, sampleResult } from './sample.js';

/** The renderer as it was: one object, one string, gzipped whole to measure it. */
function wholeSarif(result: ReportInput, opts: SarifOptions = {}): string {
  const input = normalizeInput(result);
  const limit = Math.min(Math.max(opts.maxBytes ?? MAX_SARIF_GZIP_BYTES, 1), MAX_SARIF_GZIP_BYTES);
  const total = input.findings.length + ((opts.includeSuppressed ?? true) ? (input.suppressed?.length ?? 0) : 0);
  let max = Math.min(Math.max(Math.floor(opts.maxResults ?? MAX_SARIF_RESULTS), 0), MAX_SARIF_RESULTS);
  let sizeLimited = false;
  for (;;) {
    const out = `${JSON.stringify(buildSarif(input, { ...opts, maxResults: max }, { sizeLimited }), null, 2)}\n`;
    if (Buffer.byteLength(out) <= limit) return out;
    const zipped = gzipSync(out).length;
    const shown = Math.min(max, total);
    if (zipped <= limit || shown === 0) return out;
    max = Math.min(shown - 1, Math.floor((shown * limit * 0.9) / zipped));
    sizeLimited = true;
  }
}

async function pieces(result: ReportInput, opts: SarifOptions = {}, chunkChars?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const p of renderSarifChunks(result, opts, chunkChars)) out.push(p);
  return out;
}

/** 30 findings of 4,000 characters of incompressible text each: over a small gzipped limit. */
function noisy(seed: number): ReturnType<typeof randomResult> {
  const rng = mulberry32(seed);
  const result = randomResult(rng);
  const noise = () => Array.from({ length: 4_000 }, () => String.fromCharCode(0x4e00 + Math.floor(rng() * 0x5000))).join('');
  result.findings = Array.from({ length: 30 }, (_, i): Finding => ({
    ruleId: 'credential-unused',
    severity: i < 10 ? 'high' : 'low',
    confidence: 'high',
    nodeId: `aws:iam-user:u${i}`,
    message: noise(),
    evidence: [],
    fingerprint: `fp${i}`,
  }));
  return result;
}

describe('SARIF, streamed', () => {
  it('the pieces joined are exactly the file as one string, for samples, a clean scan, suppressed findings and random results', async () => {
    const withSuppressed = sampleResult({ snapshotId: undefined });
    withSuppressed.suppressed = withSuppressed.findings.splice(0, 2);
    const rng = mulberry32(0x5eed_1212);
    const cases: Array<[ReportInput, SarifOptions]> = [
      [sampleResult(), {}],
      [cleanResult(), {}],
      [withSuppressed, {}],
      [withSuppressed, { includeSuppressed: false, category: 'nhi/org' }],
      [sampleResult(), { maxResults: 2 }],
      [sampleResult(), { maxResults: 0 }],
      ...Array.from({ length: 20 }, (): [ReportInput, SarifOptions] => [randomResult(rng), {}]),
    ];
    for (const [r, opts] of cases) {
      const whole = wholeSarif(r, opts);
      for (const size of [1, 200, 1 << 20]) {
        const parts = await pieces(r, opts, size);
        expect(parts.join('')).toBe(whole);
        if (size === 1 && JSON.parse(whole).runs[0].results.length > 1) expect(parts.length).toBeGreaterThan(2);
      }
      expect(renderSarif(r, opts)).toBe(whole);
      expect(render('sarif', r, { category: opts.category })).toBe(wholeSarif(r, { category: opts.category }));
      expect(validateSarif(JSON.parse(whole))).toBe(true);
    }
  });

  it('over the gzipped size limit: the same results dropped, the same notification, the same bytes', async () => {
    for (const seed of [7, 8]) {
      const result = noisy(seed);
      // over the limit uncompressed, so the size is measured gzipped, and over it gzipped too: results are dropped
      const whole = wholeSarif(result, { maxBytes: 60_000 });
      const log = JSON.parse(whole) as { runs: Array<{ results: unknown[]; invocations: Array<{ toolExecutionNotifications: Array<{ descriptor?: { id: string } }> }> }> };
      expect(log.runs[0].results.length).toBeLessThan(result.findings.length + result.suppressed.length);
      expect(log.runs[0].invocations[0].toolExecutionNotifications.some((n) => n.descriptor?.id === 'sarif/results-truncated')).toBe(true);
      expect(gzipSync(whole).length).toBeLessThanOrEqual(60_000);
      expect((await pieces(result, { maxBytes: 60_000 }, 4_096)).join('')).toBe(whole);
      expect(renderSarif(result, { maxBytes: 60_000 })).toBe(whole);
      // over the limit uncompressed but under it gzipped: nothing dropped
      const raw = Buffer.byteLength(wholeSarif(result));
      const fits = wholeSarif(result, { maxBytes: raw - 1 });
      expect(JSON.parse(fits).runs[0].results).toHaveLength(result.findings.length + result.suppressed.length);
      expect((await pieces(result, { maxBytes: raw - 1 }, 4_096)).join('')).toBe(fits);
    }
  });

  it('a message that spells the stream marker is data, not a place to stream into', async () => {
    const r = sampleResult();
    r.findings[0].message = '\u0000nhi-sarif-0';
    const text = (await pieces(r)).join('');
    expect(text).toBe(wholeSarif(r));
    expect(JSON.parse(text).runs[0].results.some((x: { message: { text: string } }) => x.message.text.startsWith('\u0000nhi-sarif-0'))).toBe(true);
  });

  it('many findings are written in many bounded pieces, capped at the result limit like the whole file', async () => {
    const r = sampleResult();
    const base = r.findings[0];
    r.findings = Array.from({ length: 3_003 }, (_, i) => ({ ...base, discriminator: String(i), fingerprint: fingerprint(base.ruleId, base.nodeId, String(i)) }));
    const parts = await pieces(r, { maxResults: 3_000 }, 64 * 1024);
    expect(parts.length).toBeGreaterThan(5);
    // a piece ends after the result that took it past the size: one result longer at most
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(128 * 1024);
    const text = parts.join('');
    expect(text).toBe(wholeSarif(r, { maxResults: 3_000 }));
    expect(JSON.parse(text).runs[0].results).toHaveLength(3_000);
  });
});
