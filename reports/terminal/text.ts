/**
 * The terminal report: static text, the same on every path. Piped, in CI or written to a file it is printed as it
 * is; on a terminal it is wrapped to the terminal's width (`width`), each continuation line indented like the item
 * it continues, so nothing overflows and the terminal never wraps a line a second time. ANSI colours only when
 * `color` is true; the words are the same either way.
 */
import type { Severity } from '../../src/model/types.js';
import { plural, type ReportInput } from '../shared.js';
import { buildModel, type ModelFinding, type ModelOptions, type ReportModel } from './model.js';
import { renderSpans, textWidth, wrapSpans, type Span, type Style } from './wrap.js';

export interface TextOptions extends ModelOptions {
  color?: boolean;
  /** wrap every line to this many columns (a terminal's width); unset: no wrapping */
  width?: number;
}

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

/**
 * One line of the report before wrapping: `indent` spaces, then `lead` (a bullet, tag or label such as
 * `evidence: `, already styled), then `text` as styled spans. Wrapped, the continuation lines start under the first
 * character of `text`, so every item keeps its indentation.
 */
interface Row {
  indent: number;
  lead: string;
  text: Span[];
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;
/** narrowest text column kept on very narrow terminals (below it lines may overflow rather than become unreadable) */
const MIN_TEXT_COLUMNS = 12;

function wrapRow(row: Row, width: number | undefined, out: string[]): void {
  const pad = ' '.repeat(row.indent);
  if (row.text.length === 0 && row.lead === '') {
    out.push('');
    return;
  }
  if (width === undefined) {
    out.push(`${pad}${row.lead}${renderSpans(row.text)}`);
    return;
  }
  const leadWidth = textWidth(row.lead.replace(SGR, ''));
  const lines = wrapSpans(row.text, Math.max(MIN_TEXT_COLUMNS, width - row.indent - leadWidth));
  const hang = `${pad}${' '.repeat(leadWidth)}`;
  lines.forEach((l, i) => out.push(i === 0 ? `${pad}${row.lead}${l}` : `${hang}${l}`));
}

/** A span list from pieces: plain strings, or [style, text]. */
function spans(...parts: Array<string | [Style, string] | false | undefined>): Span[] {
  const out: Span[] = [];
  for (const x of parts) {
    if (x === false || x === undefined || x === '') continue;
    out.push(typeof x === 'string' ? { text: x } : { style: x[0], text: x[1] });
  }
  return out;
}

function identitySpans(p: Palette, f: ModelFinding): Span[] {
  return spans(f.isNew && [p.yellow, 'new'], f.isNew && ' ', [p.bold, f.identity]);
}

function findingRows(p: Palette, f: ModelFinding, rows: { push(row: Row): void }): void {
  rows.push({ indent: 4, lead: '• ', text: identitySpans(p, f) });
  rows.push({ indent: 6, lead: '', text: spans(f.message) });
  for (const e of f.evidence) rows.push({ indent: 6, lead: `${p.dim('evidence:')} `, text: spans(e) });
  if (f.moreEvidence > 0) rows.push({ indent: 6, lead: '', text: spans([p.dim, `(+${f.moreEvidence} more evidence)`]) });
  if (f.path) rows.push({ indent: 6, lead: `${p.dim('path:')} `, text: spans(f.path) });
  if (f.location) rows.push({ indent: 6, lead: `${p.dim('at:')} `, text: spans(f.location) });
}

/** The report as rows, from the model, handed to `emit` one by one (a report of 10k findings is never held twice). */
function reportRows(m: ReportModel, p: Palette, emit: (row: Row) => void): void {
  const rows = { push: emit };
  const line = (text: Span[], indent = 0, lead = '') => emit({ indent, lead, text });
  const blank = () => line([]);

  line(spans([p.bold, m.title], ' ', [p.dim, '· non-human identity report']));
  const width = Math.max(...m.meta.map((x) => x.label.length));
  for (const x of m.meta) line(spans(x.value), 2, `${p.dim(x.label.padEnd(width))}  `);
  blank();
  line(spans([p.bold, m.summary]));
  if (m.baseline) line(spans(m.baseline));
  if (m.incomplete) line(spans([p.yellow, '! Scan incomplete: some sources could not be read (see Coverage).']));

  if (m.topRisks.length > 0) {
    blank();
    line(spans([p.bold, 'Top risks']));
    for (const f of m.topRisks) {
      line(identitySpans(p, f), 2, `${severityStyle(p, f.severity)(SEVERITY_TAG[f.severity].padEnd(8))}  `);
      line(spans(f.message, ' ', [p.dim, `[${f.ruleId}]`]), 12);
    }
  }

  blank();
  line(spans([p.bold, 'Findings']));
  if (m.groups.length === 0) line(spans([p.green, 'No findings.']), 2);
  for (const g of m.groups) {
    blank();
    line(spans([severityStyle(p, g.severity), `${SEVERITY_TAG[g.severity]} (${g.count})`]));
    for (const r of g.rules) {
      line(spans([p.bold, r.ruleId], r.title && ' ', r.title && [p.dim, `· ${r.title}`], ' ', [p.dim, `(${r.count})`]), 2);
      for (const f of r.items) findingRows(p, f, rows);
      if (r.hidden > 0) line(spans([p.dim, `… and ${r.hidden} more (--verbose lists all)`]), 4);
    }
  }

  blank();
  line(spans([p.bold, 'Coverage']));
  if (m.deadline) line(spans([p.yellow, m.deadline]), 2, `${p.yellow('!')} `);
  if (m.coverage.length === 0) line(spans([p.green, 'Every source was read.']), 2);
  for (const c of m.coverage) {
    line(spans(c.head), 2, `${c.incomplete ? p.yellow('✗ missing') : p.gray('i note')}  `);
    line(spans(c.message), 6);
    line(spans(c.impact), 6, `${p.dim('impact:')} `);
  }
  // OWASP NHI Top 10 (2025): two short lines, wrapped under their lead at any width
  line(spans(m.owasp.covered), 2, `${p.dim('OWASP NHI covered:')} `);
  if (m.owasp.notCovered) line(spans([p.yellow, m.owasp.notCovered]), 2, `${p.dim('not covered:')} `);

  if (m.drift.length > 0) {
    blank();
    line(spans([p.bold, m.drift[0]]));
    for (const l of m.drift.slice(1)) {
      const text = l.trimStart();
      line(spans(text), l.length - text.length);
    }
  }

  // with a Config line in the header, the suppressions are already counted there
  if (m.suppressed > 0 && !m.meta.some((x) => x.label === 'Config')) {
    blank();
    line(spans([p.dim, `${plural(m.suppressed, 'finding')} suppressed by the configuration.`]));
  }
  blank();
  line(spans([p.dim, m.hints.join(' · ')]), 0, p.dim('Next: '));
}

export function renderText(result: ReportInput, opts: TextOptions = {}): string {
  const p = palette(opts.color ?? false);
  const width = opts.width !== undefined && Number.isFinite(opts.width) && opts.width > 0 ? Math.floor(opts.width) : undefined;
  const out: string[] = [];
  reportRows(buildModel(result, opts), p, (row) => wrapRow(row, width, out));
  return `${out.join('\n')}\n`;
}
