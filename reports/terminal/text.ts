/**
 * The plain-text terminal report (used when stdout is piped, in CI, or written to a file). ANSI colours only when
 * `color` is true; the layout is the same either way.
 */
import type { Severity } from '../../src/model/types.js';
import type { ReportInput } from '../shared.js';
import { buildModel, type ModelFinding, type ModelOptions } from './model.js';

export interface TextOptions extends ModelOptions {
  color?: boolean;
}

type Style = (s: string) => string;

export interface Palette {
  bold: Style;
  dim: Style;
  red: Style;
  yellow: Style;
  blue: Style;
  magenta: Style;
  green: Style;
  gray: Style;
}

const sgr = (open: number, close: number): Style => (s) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain: Style = (s) => s;

/** A tiny colour helper: real SGR codes when enabled, identity functions otherwise. */
export function palette(color: boolean): Palette {
  if (!color) return { bold: plain, dim: plain, red: plain, yellow: plain, blue: plain, magenta: plain, green: plain, gray: plain };
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    magenta: sgr(35, 39),
    green: sgr(32, 39),
    gray: sgr(90, 39),
  };
}

export function severityStyle(p: Palette, s: Severity): Style {
  switch (s) {
    case 'critical':
      return (x) => p.bold(p.magenta(x));
    case 'high':
      return (x) => p.bold(p.red(x));
    case 'medium':
      return p.yellow;
    case 'low':
      return p.blue;
    default:
      return p.gray;
  }
}

const SEVERITY_TAG: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' };

function findingLines(p: Palette, f: ModelFinding, indent: string): string[] {
  const lines = [`${indent}• ${p.bold(f.identity)}`, `${indent}  ${f.message}`];
  for (const e of f.evidence) lines.push(`${indent}  ${p.dim('evidence:')} ${e}`);
  if (f.moreEvidence > 0) lines.push(`${indent}  ${p.dim(`(+${f.moreEvidence} more evidence)`)}`);
  if (f.path) lines.push(`${indent}  ${p.dim('path:')} ${f.path}`);
  if (f.location) lines.push(`${indent}  ${p.dim('at:')} ${f.location}`);
  return lines;
}

export function renderText(result: ReportInput, opts: TextOptions = {}): string {
  const p = palette(opts.color ?? false);
  const m = buildModel(result, opts);
  const out: string[] = [];

  out.push(`${p.bold(m.title)} ${p.dim('· non-human identity report')}`);
  const width = Math.max(...m.meta.map((x) => x.label.length));
  for (const x of m.meta) out.push(`  ${p.dim(x.label.padEnd(width))}  ${x.value}`);
  out.push('');
  out.push(p.bold(m.summary));
  if (m.incomplete) out.push(p.yellow('! Scan incomplete: some sources could not be read (see Coverage).'));

  if (m.topRisks.length > 0) {
    out.push('', p.bold('Top risks'));
    for (const f of m.topRisks) {
      const tag = severityStyle(p, f.severity)(SEVERITY_TAG[f.severity].padEnd(8));
      out.push(`  ${tag}  ${p.bold(f.identity)}`);
      out.push(`  ${' '.repeat(8)}  ${f.message} ${p.dim(`[${f.ruleId}]`)}`);
    }
  }

  out.push('', p.bold('Findings'));
  if (m.groups.length === 0) out.push(`  ${p.green('No findings.')}`);
  for (const g of m.groups) {
    out.push('', severityStyle(p, g.severity)(`${SEVERITY_TAG[g.severity]} (${g.count})`));
    for (const r of g.rules) {
      out.push(`  ${p.bold(r.ruleId)}${r.title ? ` ${p.dim(`· ${r.title}`)}` : ''} ${p.dim(`(${r.count})`)}`);
      for (const f of r.items) out.push(...findingLines(p, f, '    '));
      if (r.hidden > 0) out.push(`    ${p.dim(`… and ${r.hidden} more (--verbose lists all)`)}`);
    }
  }

  out.push('', p.bold('Coverage'));
  if (m.coverage.length === 0) out.push(`  ${p.green('Every source was read.')}`);
  for (const c of m.coverage) {
    const mark = c.incomplete ? p.yellow('✗ missing') : p.gray('i note');
    out.push(`  ${mark}  ${c.head}`);
    out.push(`      ${c.message}`);
    out.push(`      ${p.dim('impact:')} ${c.impact}`);
  }

  if (m.drift.length > 0) {
    out.push('', p.bold(m.drift[0]));
    for (const l of m.drift.slice(1)) out.push(l);
  }

  if (m.suppressed > 0) out.push('', p.dim(`${m.suppressed} finding${m.suppressed === 1 ? '' : 's'} suppressed by the configuration.`));
  out.push('', p.dim(`Next: ${m.hints.join(' · ')}`));
  return `${out.join('\n')}\n`;
}
