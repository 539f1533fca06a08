import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { diffScans } from '../../src/drift/diff.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { renderJson } from '../../reports/json/index.js';
import { renderMarkdown } from '../../reports/markdown/index.js';
import { renderText } from '../../reports/terminal/index.js';
import { sampleResult } from './sample.js';

const schema = JSON.parse(readFileSync(new URL('../../reports/json/report-v1.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);

/** The sample scan compared with an empty earlier snapshot: every finding and identity is new. */
function withDrift() {
  const r = sampleResult();
  r.drift = diffScans({ graph: new IdentityGraph(), findings: [], snapshotId: 3, asOf: '2026-10-01T00:00:00.000Z' }, r);
  r.baseline = { file: 'base.json', fingerprints: [r.findings[0].fingerprint] };
  return r;
}

describe('drift in the reports', () => {
  it('JSON carries drift and baseline sections that validate against the schema', () => {
    const r = withDrift();
    const doc = JSON.parse(renderJson(r)) as { drift: { baseSnapshotId: number; newFindings: unknown[]; identitiesAdded: unknown[] }; baseline: { newFindings: number; known: number } };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.drift.baseSnapshotId).toBe(3);
    expect(doc.drift.newFindings).toHaveLength(r.findings.length);
    expect(doc.drift.identitiesAdded.length).toBeGreaterThan(0);
    expect(doc.baseline).toEqual({ file: 'base.json', known: 1, newFindings: r.findings.length - 1 });
  });

  it('JSON has no drift section without a previous snapshot', () => {
    const doc = JSON.parse(renderJson(sampleResult())) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('drift');
    expect(validate(doc)).toBe(true);
  });

  it('the text report ends with the changes since the previous snapshot', () => {
    const text = renderText(withDrift(), { color: false });
    expect(text).toContain('Changes since snapshot 3 (2026-10-01):');
    expect(text).toMatch(/new findings \(\d+\)/);
  });

  it('markdown summarises the changes in a table', () => {
    const md = renderMarkdown(withDrift());
    expect(md).toContain('### Changes since snapshot 3');
    expect(md).toMatch(/\| New findings \| \d+ \|/);
  });
});

describe('untrusted names in the drift section of the terminal report', () => {
  it('an identity named with an OSC 8 link, a screen clear and a line break prints as inert text on one line', () => {
    const r = sampleResult();
    const ESC = '\u001b';
    const name = `x${ESC}]8;;https://evil.example/${ESC}\\bot${ESC}]8;;${ESC}\\${ESC}[2J\n  resolved findings (40)`;
    r.graph.addNode({ id: 'aws:iam-user:hostile', kind: 'principal', platform: 'aws', type: 'iam-user', name, accountType: 'service', provenance: [] });
    r.drift = diffScans({ graph: new IdentityGraph(), findings: r.findings, snapshotId: 3, asOf: '2026-10-01T00:00:00.000Z' }, r);
    const text = renderText(r, { color: false, verbose: true });
    const drift = text.slice(text.indexOf('Changes since snapshot 3'));
    expect(drift).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(drift).not.toContain('evil.example');
    expect(drift).toContain('+ iam-user xbot   resolved findings (40)');
    expect(drift.split('\n').filter((l) => /^\s*resolved findings/.test(l))).toHaveLength(0);
  });
});
