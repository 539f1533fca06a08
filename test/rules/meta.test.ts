import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { RULES, getRule } from '../../src/rules/index.js';
import { OWASP_NHI_IDS, owaspLabel } from '../../src/rules/owasp.js';
import type { Rule } from '../../src/rules/types.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const rulesDir = path.join(root, 'src', 'rules');
const docsDir = path.join(root, 'docs', 'rules');
const SECTIONS = ['What it catches', 'Why it matters', 'How to fix it', 'Options', 'Tests'];

/** Files in src/rules that export a `rule` (helpers, types, runner and the registry do not). */
async function ruleFiles(): Promise<Array<{ file: string; rule: Rule<any> }>> {
  const out: Array<{ file: string; rule: Rule<any> }> = [];
  for (const f of readdirSync(rulesDir).filter((n) => n.endsWith('.ts')).sort()) {
    const mod = (await import(pathToFileURL(path.join(rulesDir, f)).href)) as { rule?: Rule<any> };
    if (mod.rule) out.push({ file: f.replace(/\.ts$/, ''), rule: mod.rule });
  }
  return out;
}

function section(md: string, name: string): string {
  const start = md.indexOf(`\n## ${name}\n`);
  if (start < 0) return '';
  const rest = md.slice(start + name.length + 5);
  const next = rest.indexOf('\n## ');
  return next < 0 ? rest : rest.slice(0, next);
}

describe('rule registry and docs', () => {
  it('every rule file is registered, ids equal file names, RULES sorted by id', async () => {
    const files = await ruleFiles();
    expect(files.length).toBe(RULES.length);
    for (const { file, rule } of files) {
      expect(rule.meta.id).toBe(file);
      expect(RULES).toContain(rule);
      expect(getRule(file)).toBe(rule);
    }
    const ids = RULES.map((r) => r.meta.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(getRule('no-such-rule')).toBeUndefined();
  });

  it.each(RULES.map((r) => [r.meta.id, r] as const))('%s: metadata complete, options parse {} to defaults', (id, rule) => {
    const m = rule.meta;
    expect(m.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const text of [m.title, m.description, m.risk, m.remediation.text]) expect(text.trim().length).toBeGreaterThan(10);
    // a CLI fix, when given, is a real command of the platform's own tool
    if (m.remediation.cli !== undefined) expect(m.remediation.cli).toMatch(/^(aws|gcloud|gh|glab|git|az) /);
    expect(m.platforms.length).toBeGreaterThan(0);
    // OWASP NHI Top 10 (2025): at least one risk, valid ids, unique, in NHI1..NHI10 order
    expect(Array.isArray(m.owasp), 'owasp present').toBe(true);
    expect(m.owasp.length).toBeGreaterThan(0);
    for (const o of m.owasp) expect(OWASP_NHI_IDS).toContain(o);
    expect(new Set(m.owasp).size).toBe(m.owasp.length);
    expect(m.owasp).toEqual(OWASP_NHI_IDS.filter((o) => m.owasp.includes(o)));
    const defaults = m.options.parse({}) as Record<string, unknown>;
    expect(Object.keys(defaults).sort()).toEqual(Object.keys(m.options.shape).sort());
    for (const [k, v] of Object.entries(defaults)) expect(v, `${id}.${k} has a default`).not.toBeUndefined();
    // an empty estate has nothing to report
    expect(rule.check(new IdentityGraph(), { options: defaults, now: new Date(0) })).toEqual([]);
  });

  it.each(RULES.map((r) => [r.meta.id, r] as const))('%s: docs page has every section, the options and the test file', (id, rule) => {
    const file = path.join(docsDir, `${id}.md`);
    expect(existsSync(file), `${file} exists`).toBe(true);
    const md = readFileSync(file, 'utf8');
    expect(md.startsWith(`# ${id}\n`)).toBe(true);
    expect(md).toContain(`**${rule.meta.severity}**`);
    // the OWASP line follows the severity header and names exactly the metadata's risks, then says why
    const owasp = md.split('\n').filter((l) => l.startsWith('OWASP NHI: '));
    expect(owasp, 'one OWASP NHI line').toHaveLength(1);
    expect(owasp[0].startsWith(`OWASP NHI: ${rule.meta.owasp.map(owaspLabel).join(', ')}. `), owasp[0]).toBe(true);
    expect(owasp[0].length, 'a one-line justification').toBeGreaterThan(`OWASP NHI: ${rule.meta.owasp.map(owaspLabel).join(', ')}. `.length + 20);
    expect(md.indexOf('OWASP NHI: ')).toBeLessThan(md.indexOf('\n## What it catches'));
    for (const s of SECTIONS) expect(section(md, s).trim().length, `section ${s}`).toBeGreaterThan(0);
    expect(section(md, 'How to fix it'), 'a concrete fix: a command or a snippet').toContain('```');
    const options = section(md, 'Options');
    if (Object.keys(rule.meta.options.shape).length > 0) {
      expect(options).toContain('```yaml');
      expect(options).toContain(`  ${id}:`);
    } else {
      expect(options).toMatch(/^\s*None\./);
    }
    for (const opt of Object.keys(rule.meta.options.shape)) expect(options).toContain(`\`${opt}\``);
    expect(section(md, 'Tests')).toContain(`test/rules/${id}.test.ts`);
    expect(existsSync(path.join(root, 'test', 'rules', `${id}.test.ts`))).toBe(true);
  });

  it('docs/rules/README.md lists every rule with its severity', () => {
    const readme = readFileSync(path.join(docsDir, 'README.md'), 'utf8');
    for (const r of RULES) {
      const row = readme.split('\n').find((l) => l.startsWith(`| [${r.meta.id}](${r.meta.id}.md) |`));
      expect(row, r.meta.id).toBeDefined();
      expect(row).toContain(r.meta.severity);
      expect(row).toContain(r.meta.category);
      expect(row!.split(' | ')[3], `${r.meta.id} OWASP NHI cell`).toBe(r.meta.owasp.join(', '));
    }
  });

  it('the README rule table names every rule with its OWASP NHI ids, and its OWASP section lists the rules per risk', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const r of RULES) {
      const row = readme.split('\n').find((l) => l.startsWith(`| [${r.meta.id}](docs/rules/${r.meta.id}.md) |`));
      expect(row, r.meta.id).toBeDefined();
      expect(row!.split(' | ')[3], `${r.meta.id} OWASP NHI cell`).toBe(r.meta.owasp.join(', '));
    }
    for (const id of OWASP_NHI_IDS) {
      const row = readme.split('\n').find((l) => l.startsWith(`| ${owaspLabel(id)} |`));
      expect(row, id).toBeDefined();
      const listed = row!.split(' | ')[1].replace(/ \|$/, '');
      const expected = RULES.filter((r) => r.meta.owasp.includes(id)).map((r) => r.meta.id).sort();
      expect(listed, id).toBe(expected.join(', '));
    }
  });
});
