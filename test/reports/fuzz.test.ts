/**
 * Property test of the machine and Markdown outputs: a few hundred random ScanResults (seeded; random types in every
 * field the renderers read, see random-results.ts) must render without throwing, the JSON must validate against
 * reports/json/report-v1.schema.json, the SARIF against the OASIS 2.1.0 schema with its formats checked and the
 * rules GitHub code scanning adds, and the Markdown and inventory text must carry nothing that escaped its escaping.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { renderInventoryJson, renderInventoryText } from '../../reports/inventory/index.js';
import { renderJson } from '../../reports/json/index.js';
import { renderMarkdown } from '../../reports/markdown/index.js';
import { renderSarif } from '../../reports/sarif/index.js';
import { normalizeInput } from '../../reports/shared.js';
import { githubProblems, isDateTime, isUriReference, markdownProblems, validateJson, validateSarif, type SarifLogShape } from './output-checks.js';
import { mulberry32, randomResult } from './random-results.js';

const RUNS = 300;
const SEED = 0x5eed_2026;

describe(`renderers on ${RUNS} random results (seed ${SEED})`, () => {
  it('never throw; JSON and SARIF validate; Markdown and inventory text carry nothing unescaped', () => {
    const rng = mulberry32(SEED);
    const failures: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const result = randomResult(rng);
      const where = `run ${i}`;
      try {
        const json = JSON.parse(renderJson(result)) as unknown;
        if (!validateJson(json)) failures.push(`${where} JSON: ${JSON.stringify(validateJson.errors?.slice(0, 3))}`);

        const sarifText = renderSarif(result);
        const sarif = JSON.parse(sarifText) as SarifLogShape;
        if (!validateSarif(sarif)) failures.push(`${where} SARIF: ${JSON.stringify(validateSarif.errors?.slice(0, 3))}`);
        for (const p of githubProblems(sarif)) failures.push(`${where} SARIF: ${p}`);

        for (const p of markdownProblems(renderMarkdown(result))) failures.push(`${where} Markdown: ${p}`);

        const inventoryText = renderInventoryText(result.graph);
        if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/.test(inventoryText)) failures.push(`${where} inventory text: control character`);
        JSON.parse(renderInventoryJson(result.graph));
      } catch (err) {
        failures.push(`${where} threw: ${(err as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
  });

  it('normalising is idempotent (render() normalises, and each renderer again)', () => {
    const rng = mulberry32(SEED + 1);
    for (let i = 0; i < 100; i++) {
      const once = normalizeInput(randomResult(rng));
      expect(normalizeInput(once)).toEqual(once);
    }
  });

  it('the checks are real: they reject an invalid SARIF URI, an injected heading and a broken JSON report', () => {
    expect(isUriReference('nhi/aws/a%20b')).toBe(true);
    expect(isUriReference('dir with space/x.yml')).toBe(false);
    expect(isUriReference('a%zz')).toBe(false);
    expect(isUriReference('a:b/c')).toBe(true); // scheme a
    expect(isUriReference('1a:b')).toBe(false);
    expect(isDateTime('2026-03-01T06:00:00.000Z')).toBe(true);
    expect(isDateTime('2026-03-01 06:00')).toBe(false);
    expect(markdownProblems('## x report\n# EVILHEAD\n')).toContain('unexpected line: "# EVILHEAD"');
    expect(markdownProblems('| a | b |\n|---|---|\n| x | y | z |\n')).toHaveLength(1);
    expect(markdownProblems('- note: [EVILLINK](x)\n')).toContain('link or image');
    expect(validateJson({ schemaVersion: '1.2.0' })).toBe(false);
  });

  it('a SARIF file over the size limit drops results, least severe first, and stays under it gzipped', () => {
    const rng = mulberry32(7);
    const result = randomResult(rng);
    // 30 findings with 4,000 characters of incompressible text each (a SARIF message is cut at 4,000)
    const noise = () => Array.from({ length: 4_000 }, () => String.fromCharCode(0x4e00 + Math.floor(rng() * 0x5000))).join('');
    result.findings = Array.from({ length: 30 }, (_, i) => ({
      ruleId: 'credential-unused',
      severity: i < 10 ? 'high' : 'low',
      confidence: 'high',
      nodeId: `aws:iam-user:u${i}`,
      message: noise(),
      evidence: [],
      fingerprint: `fp${i}`,
    }));
    const limit = 60_000;
    const text = renderSarif(result, { maxBytes: limit });
    expect(gzipSync(text).length).toBeLessThanOrEqual(limit);
    expect(gunzipSync(gzipSync(text)).toString()).toBe(text);
    const log = JSON.parse(text) as { runs: Array<{ results: unknown[]; invocations: Array<{ toolExecutionNotifications: Array<{ descriptor?: { id: string }; message: { text: string } }> }> }> };
    const total = result.findings.length + result.suppressed.length;
    const shown = log.runs[0].results as Array<{ level: string }>;
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(total);
    // the high findings go last: they come first in the file
    expect(shown.slice(0, Math.min(10, shown.length)).every((r) => r.level === 'error')).toBe(true);
    const note = log.runs[0].invocations[0].toolExecutionNotifications.find((n) => n.descriptor?.id === 'sarif/results-truncated');
    expect(note?.message.text).toContain('10 MB gzipped');
    expect(validateSarif(log)).toBe(true);
  });
});
