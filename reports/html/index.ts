/**
 * The HTML report: one self-contained file (inline style sheet and filter script, no external font, image, script
 * or request, locked down by a Content-Security-Policy) with the summary, the path findings drawn as pictures, the
 * findings table (filter by severity, platform, rule and text), drift, coverage notes and OWASP coverage.
 *
 * Every value from the scanned estate goes through `escapeHtml` (after `safeLabel`: no control or bidirectional
 * override characters), in element content and attribute values alike, including SVG <text> and <title>. The page
 * is also well-formed XML (polyglot XHTML), which the tests check with a real XML parser.
 *
 * Pictures: the first `maxPictures` path findings (50 by default) in report order (severity first) are drawn; the
 * rest are listed in the table with their path as text, and a line says how many were not drawn. The output is
 * built as an array of parts joined once (no quadratic string growth).
 *
 * The findings "table" is a grid of rows (ARIA table roles) rather than a <table>: each row has
 * `content-visibility: auto`, so a browser lays out only the rows on screen. A <table> of 14,000 findings took a
 * browser several times longer to lay out than to parse; the rows make the page usable at that size.
 */
import type { Severity } from '../../src/model/types.js';
import { SEVERITIES } from '../../src/model/types.js';
import { driftIsEmpty } from '../../src/drift/diff.js';
import type { OwaspRiskCoverage } from '../../src/rules/owasp.js';
import { safeLabel } from '../../src/util/text.js';
import { INFORMATION_URI } from '../../src/version.js';
import {
  baselineMarker,
  configSummary,
  countIdentities,
  identityLabel,
  identityRef,
  newFindingCount,
  normalizeInput,
  plural,
  ruleMap,
  scanOwaspCoverage,
  severityCounts,
  sortedFindings,
  targets,
  text,
  type ReportInput,
} from '../shared.js';
import { CONTENT_SECURITY_POLICY, FILTER_SCRIPT, STYLE } from './client.js';
import { layoutPicture, pictureModel, pictureSvg, type PictureModel } from './picture.js';

export interface HtmlOptions {
  /** path findings drawn as pictures (default 50); the others are listed in the table only */
  maxPictures?: number;
  /** evidence lines shown per finding (default 10) */
  maxEvidence?: number;
}

export const DEFAULT_MAX_PICTURES = 50;

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Untrusted text for HTML element content or a quoted attribute value: one safe line (`safeLabel`: escape sequences,
 * control characters and bidirectional overrides removed), cut to `max` characters, with `& < > " '` as entities.
 */
export function escapeHtml(value: unknown, max = 2_000): string {
  return safeLabel(text(value), max).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const esc = (s: string) => escapeHtml(s, 2_000);

/** A finding's platform for the filter: the platform of its identity, else the first part of its node id. */
function platformOf(ref: { platform?: string; id: string }): string {
  return safeLabel(ref.platform ?? ref.id.split(':')[0] ?? '', 100) || 'unknown';
}

function sevBadge(s: Severity): string {
  return `<span class="sev sev-${s}">${SEVERITY_LABEL[s]}</span>`;
}

function options(values: Iterable<string>, all: string, label: (v: string) => string = (v) => v): string {
  const out = [`<option value="">${all}</option>`];
  for (const v of values) out.push(`<option value="${esc(v)}">${escapeHtml(label(v), 200)}</option>`);
  return out.join('');
}

function owaspSection(result: ReportInput, out: string[]): void {
  const coverage = scanOwaspCoverage(result);
  const covered = coverage.filter((c) => c.covered);
  out.push('<section id="owasp"><h2>OWASP NHI Top 10 (2025)</h2><ul>');
  out.push(`<li>covered (${covered.length} of ${coverage.length}): ${esc(covered.map((c) => `${c.id} ${c.name}`).join(', ') || 'none')}</li>`);
  const missing = coverage.filter((c) => !c.covered);
  if (missing.length) {
    const why = (c: OwaspRiskCoverage) => (c.reason === 'no-rule' ? 'no rule enabled' : `no source scanned for its rules: ${(c.platforms ?? []).join(', ')}`);
    out.push(`<li>not covered: ${escapeHtml(missing.map((c) => `${c.id} ${c.name} (${why(c)})`).join(', '), 5_000)}</li>`);
  }
  out.push('</ul></section>');
}

export function renderHtml(input: ReportInput, opts: HtmlOptions = {}): string {
  const result = normalizeInput(input);
  const maxPictures = Math.max(0, Math.floor(opts.maxPictures ?? DEFAULT_MAX_PICTURES));
  const maxEvidence = Math.max(0, Math.floor(opts.maxEvidence ?? 10));
  const { graph } = result;
  const counts = countIdentities(graph);
  const bySeverity = severityCounts(result.findings);
  const mark = baselineMarker(result);
  const rules = ruleMap(result.rules);
  const findings = sortedFindings(result.findings);
  const title = `${text(result.tool.name)} report`;
  const out: string[] = [];

  out.push(
    '<!DOCTYPE html>',
    '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}"/>`,
    '<meta name="referrer" content="no-referrer"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<meta name="generator" content="${esc(`${text(result.tool.name)} ${text(result.tool.version)}`)}"/>`,
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
  );

  // ---- summary
  out.push(`<header><h1>${esc(title)}</h1>`);
  const scanned = targets(result);
  if (scanned.length) {
    const shown = scanned.slice(0, 20).join(' · ');
    out.push(`<p><strong>Scanned:</strong> ${escapeHtml(shown, 5_000)}${scanned.length > 20 ? ` and ${scanned.length - 20} more` : ''}</p>`);
  }
  const snap = result.snapshotId !== undefined ? `, snapshot ${result.snapshotId}` : '';
  out.push(
    `<p><strong>${plural(result.findings.length, 'finding')}</strong> across ${plural(counts.identities, 'identity', 'identities')} and ${plural(counts.credentials, 'credential')} (as of ${esc(result.asOf.slice(0, 10))}${snap}).</p>`,
  );
  const fresh = newFindingCount(result);
  if (result.baseline && fresh !== undefined) out.push(`<p><strong>${fresh} new</strong> of ${result.findings.length} against baseline ${esc(result.baseline.file)}.</p>`);
  const config = configSummary(result.config);
  if (config) out.push(`<p class="muted">${escapeHtml(config, 5_000)}</p>`);
  else if (result.suppressed?.length) out.push(`<p class="muted">${plural(result.suppressed.length, 'finding')} suppressed by the configuration.</p>`);
  if (result.incomplete) out.push('<p class="warn"><strong>Scan incomplete:</strong> some sources could not be read; see <a href="#coverage">Coverage</a>.</p>');
  out.push('<table class="counts"><thead><tr><th>Severity</th><th>Findings</th></tr></thead><tbody>');
  for (const s of SEVERITIES) out.push(`<tr><td>${sevBadge(s)}</td><td class="n">${bySeverity[s]}</td></tr>`);
  out.push('</tbody></table></header>');

  // ---- path pictures
  const refs = new Map<string, ReturnType<typeof identityRef>>();
  const refOf = (id: string) => {
    let r = refs.get(id);
    if (!r) refs.set(id, (r = identityRef(graph, id)));
    return r;
  };
  const models = new Map<number, PictureModel>();
  findings.forEach((f, i) => {
    const m = f.path && f.path.length >= 2 ? pictureModel(graph, f) : undefined;
    if (m) models.set(i, m);
  });
  const figureOf = new Map<number, string>();
  if (models.size > 0) {
    out.push('<section id="paths"><h2>Paths</h2>');
    out.push(
      `<p class="muted">${plural(models.size, 'finding')} with a path: identity → method → identity → … → what makes it admin. ${
        models.size > maxPictures ? `The first ${maxPictures} by severity are drawn.` : 'Each is drawn below.'
      } Hover a box for its full name.</p>`,
    );
    let drawn = 0;
    for (const [i, model] of models) {
      if (drawn >= maxPictures) break;
      drawn++;
      const f = findings[i];
      const id = `path-${drawn}`;
      figureOf.set(i, id);
      const ref = refOf(f.nodeId);
      const layout = layoutPicture(model);
      const summary = model.nodes.map((n) => n.full).join(' → ');
      out.push(
        `<figure class="path" id="${id}" data-severity="${f.severity}" data-platform="${esc(platformOf(ref))}" data-rule="${esc(f.ruleId)}">`,
        `<figcaption>${sevBadge(f.severity)} <code>${esc(f.ruleId)}</code> ${escapeHtml(f.message, 1_000)}</figcaption>`,
        pictureSvg(layout, String(drawn), summary, (s) => escapeHtml(s, 5_000)),
        '</figure>',
      );
    }
    if (models.size > drawn) {
      out.push(
        `<p class="warn" id="paths-not-drawn">${plural(models.size - drawn, 'more path finding')} not drawn (at most ${maxPictures} pictures); their paths are listed as text in the findings table, and <code>nhi scan --format json</code> has them all.</p>`,
      );
    }
    out.push('</section>');
  }

  // ---- findings table
  out.push('<section id="findings"><h2>Findings</h2>');
  if (findings.length === 0) out.push('<p>No findings.</p>');
  else {
    const platforms = new Set<string>();
    const ruleIds = new Set<string>();
    const sevs = new Set<Severity>();
    for (const f of findings) {
      platforms.add(platformOf(refOf(f.nodeId)));
      ruleIds.add(f.ruleId);
      sevs.add(f.severity);
    }
    const sorted = (s: Set<string>) => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out.push(
      '<form id="filters" hidden="hidden">',
      `<label>Severity <select name="severity">${options(SEVERITIES.filter((s) => sevs.has(s)), 'all', (s) => SEVERITY_LABEL[s as Severity])}</select></label>`,
      `<label>Platform <select name="platform">${options(sorted(platforms), 'all')}</select></label>`,
      `<label>Rule <select name="rule">${options(sorted(ruleIds), 'all')}</select></label>`,
      '<label>Search <input type="search" name="q" placeholder="name, message, evidence"/></label>',
      `<span id="shown" class="muted" data-total="${findings.length}">showing ${findings.length} of ${findings.length} findings</span>`,
      '</form>',
      '<div id="findings-table" class="ftable" role="table" aria-label="Findings">',
      '<div class="frow head" role="row"><div role="columnheader">Severity</div><div role="columnheader">Rule</div><div role="columnheader">Platform</div><div role="columnheader">Identity</div><div role="columnheader">Finding</div></div>',
    );
    findings.forEach((f, i) => {
      const ref = refOf(f.nodeId);
      const platform = platformOf(ref);
      const isNew = mark(f) === 'new' ? '<span class="new">new</span>' : '';
      const rule = rules.get(f.ruleId);
      const ruleTitle = rule ? ` title="${esc(text(rule.title))}"` : '';
      const cells: string[] = [
        `<div class="frow" role="row" data-severity="${f.severity}" data-platform="${esc(platform)}" data-rule="${esc(f.ruleId)}">`,
        `<div role="cell">${sevBadge(f.severity)}${isNew}</div>`,
        `<div role="cell"><code${ruleTitle}>${esc(f.ruleId)}</code></div>`,
        `<div role="cell">${esc(platform)}</div>`,
        `<div role="cell">${escapeHtml(identityLabel(ref), 1_000)}</div>`,
        `<div role="cell">${escapeHtml(f.message, 2_000)}`,
      ];
      const model = models.get(i);
      if (model) {
        const chain = model.nodes.filter((n) => n.kind !== 'method' && !n.explains).map((n) => n.full).join(' → ');
        const fig = figureOf.get(i);
        cells.push(`<div class="chain">path: ${escapeHtml(chain, 3_000)}${fig ? ` (<a href="#${fig}">picture</a>)` : ''}</div>`);
      }
      if (f.location) {
        const line = f.location.startLine !== undefined ? `:${f.location.startLine}` : '';
        cells.push(`<div class="chain">at <code>${escapeHtml(`${f.location.uri}${line}`, 1_000)}</code></div>`);
      }
      if (f.evidence.length > 0 && maxEvidence > 0) {
        cells.push(`<details><summary>${plural(f.evidence.length, 'evidence line')}</summary><ul>`);
        for (const e of f.evidence.slice(0, maxEvidence)) {
          const src = e.source ? ` <span class="muted">(${escapeHtml(`${e.source.connector} ${e.source.source}`, 300)})</span>` : '';
          cells.push(`<li>${escapeHtml(e.description, 2_000)}${src}</li>`);
        }
        if (f.evidence.length > maxEvidence) cells.push(`<li class="muted">and ${f.evidence.length - maxEvidence} more (see the JSON report)</li>`);
        cells.push('</ul></details>');
      }
      cells.push('</div></div>');
      out.push(cells.join(''));
    });
    out.push('</div>');
  }
  out.push('</section>');

  // ---- drift
  if (result.drift && !driftIsEmpty(result.drift)) {
    const d = result.drift;
    const base = d.base.snapshotId !== undefined ? `snapshot ${d.base.snapshotId}` : 'the previous scan';
    out.push(`<section id="changes"><h2>Changes since ${base}</h2><table class="counts"><thead><tr><th>Change</th><th>Count</th></tr></thead><tbody>`);
    const row = (label: string, n: number) => {
      if (n > 0) out.push(`<tr><td>${label}</td><td class="n">${n}</td></tr>`);
    };
    row('New findings', d.findings.new.length);
    row('Resolved findings', d.findings.resolved.length);
    row('New identities', d.identities.added.length);
    row('Removed identities', d.identities.removed.length);
    row('New credentials', d.credentials.added.length);
    row('Rotated or re-activated credentials', d.credentials.changed.length);
    row('New grants and trust', d.grants.added.length);
    row('Removed grants and trust', d.grants.removed.length);
    row('Owners gone', d.ownersGone.length);
    row('Not re-checked (source not fully read): findings', d.findings.notRechecked.length);
    row(
      'Not re-checked: identities, credentials, grants',
      d.identities.notRechecked.length + d.credentials.notRechecked.length + d.grants.notRechecked.length,
    );
    out.push('</tbody></table>');
    if (d.findings.new.length) {
      out.push('<ul>');
      for (const f of d.findings.new.slice(0, 20)) out.push(`<li>new: ${sevBadge(f.severity)} <code>${esc(f.ruleId)}</code> ${escapeHtml(f.message, 1_000)}</li>`);
      if (d.findings.new.length > 20) out.push(`<li>and ${d.findings.new.length - 20} more new findings</li>`);
      out.push('</ul>');
    }
    out.push('</section>');
  } else if (result.driftUnavailable && result.driftUnavailable.reason !== 'first-snapshot') {
    out.push(`<p class="muted">Drift: ${escapeHtml(result.driftUnavailable.message, 1_000)}</p>`);
  }

  // ---- coverage
  if (result.coverage.length > 0) {
    out.push('<section id="coverage"><h2>Coverage</h2><ul>');
    for (const c of result.coverage) {
      const where = c.scope ? ` (${esc(c.scope)})` : '';
      const status = c.incomplete ? '<strong>missing</strong>' : 'note';
      out.push(`<li>${status}: ${esc(c.connector)} ${esc(c.source)}${where}: ${esc(c.reason)} - ${escapeHtml(c.message, 1_000)}. <em>Impact:</em> ${escapeHtml(c.impact, 1_000)}</li>`);
    }
    out.push('</ul></section>');
  }

  owaspSection(result, out);

  const tool = INFORMATION_URI ? `<a href="${esc(INFORMATION_URI)}" rel="noreferrer">${esc(text(result.tool.name))}</a>` : esc(text(result.tool.name));
  out.push(
    `<footer>Generated by ${tool} ${esc(text(result.tool.version))} · ${plural(result.rules.length, 'rule')} evaluated · each rule is documented in docs/rules/&lt;rule&gt;.md of the nhi-drift package · this file loads nothing from the network</footer>`,
    `<script>${FILTER_SCRIPT}</script>`,
    '</body></html>',
    '',
  );
  return out.join('\n');
}
