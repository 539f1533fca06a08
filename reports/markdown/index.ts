/**
 * A compact Markdown summary for $GITHUB_STEP_SUMMARY and pull-request comments: what was scanned, counts by
 * severity, the top findings, what changed, coverage gaps and a footer. Every value that comes from the scanned
 * estate (names, ids, messages, file names, coverage notes) goes through `escapeMarkdown`, so it renders as the same
 * characters and never as a heading, list, table cell break, link, image, HTML, code, mention or line break.
 */
import type { Severity } from '../../src/model/types.js';
import { SEVERITIES } from '../../src/model/types.js';
import { driftIsEmpty } from '../../src/drift/diff.js';
import { safeLabel } from '../../src/util/text.js';
import type { OwaspRiskCoverage } from '../../src/rules/owasp.js';
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
  severityCounts,
  sortedFindings,
  scanOwaspCoverage,
  targets,
  text,
  type ReportInput,
} from '../shared.js';

export interface MarkdownOptions {
  /** findings listed in the table (default 25) */
  maxFindings?: number;
  /** coverage notes listed (default 20) */
  maxCoverage?: number;
}

const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

/**
 * Untrusted text as inline Markdown (GitHub Flavored Markdown, as GitHub renders it) that shows the same characters
 * and nothing else, cut to `max` characters:
 * - escape sequences and control characters go first (`safeLine`): line breaks become spaces, so nothing can start
 *   a new block (heading, list, table row, code fence);
 * - `&`, `<`, `>` become entities (no HTML, no `<url>` autolinks, no block quotes);
 * - `` \ ` * _ [ ] | ~ $ : `` are backslash-escaped (no emphasis, code, links, images, footnotes, cell breaks,
 *   strikethrough, math; `\:` and `www\.` stop URL autolinks);
 * - a zero-width space after `@` and before the digits of `#123` (no mentions, e-mail links or issue references);
 * - a leading `#`, `+`, `-`, `=`, or a leading `1.` / `1)` followed by a space, is escaped as well, in case the
 *   value starts a list item.
 */
export function escapeMarkdown(value: unknown, max = 300): string {
  return safeLabel(text(value), max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~$:]/g, '\\$&')
    .replace(/(www)\./gi, '$1\\.')
    .replace(/@/g, '@&#8203;')
    .replace(/#(?=\d)/g, '#&#8203;')
    .replace(/^([#+=-])/, '\\$1')
    .replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2');
}

/** Escape text for a GFM table cell (the same escaping: pipes are always escaped). */
export const escapeCell = escapeMarkdown;

/**
 * Which of the OWASP NHI Top 10 (2025) risks the scan covered: a heading and two list items (no table, no HTML: the
 * report stays one table of findings and plain lines).
 */
function owaspSection(result: ReportInput): string[] {
  const coverage = scanOwaspCoverage(result);
  const covered = coverage.filter((c) => c.covered);
  const out = ['### OWASP NHI Top 10 (2025)', ''];
  out.push(`- covered (${covered.length} of ${coverage.length}): ${covered.map((c) => `${c.id} ${c.name}`).join(', ') || 'none'}`);
  const missing = coverage.filter((c) => !c.covered);
  if (missing.length) {
    const why = (c: OwaspRiskCoverage) =>
      c.reason === 'no-rule' ? 'no rule enabled' : `no source scanned for its rules: ${(c.platforms ?? []).map((p) => escapeMarkdown(p, 50)).join(', ')}`;
    out.push(`- not covered: ${missing.map((c) => `${c.id} ${c.name} (${why(c)})`).join(', ')}`);
  }
  out.push('');
  return out;
}

export function renderMarkdown(input: ReportInput, opts: MarkdownOptions = {}): string {
  const result = normalizeInput(input);
  const max = Math.max(0, opts.maxFindings ?? 25);
  const maxCoverage = Math.max(0, opts.maxCoverage ?? 20);
  const esc = escapeMarkdown;
  const { graph } = result;
  const counts = countIdentities(graph);
  const bySeverity = severityCounts(result.findings);
  const mark = baselineMarker(result);
  const out: string[] = [];

  out.push(`## ${esc(result.tool.name)} report`, '');
  const scanned = targets(result);
  if (scanned.length) {
    const shown = scanned.slice(0, 10).map((t) => esc(t)).join(' · ');
    out.push(`**Scanned:** ${shown}${scanned.length > 10 ? ` and ${scanned.length - 10} more` : ''}`, '');
  }
  const when = `as of ${result.asOf.slice(0, 10)}`;
  // `snapshot 7`, not `#7`: GitHub would link `#7` to issue 7 of the repository
  const snap = result.snapshotId !== undefined ? `, snapshot ${result.snapshotId}` : '';
  out.push(
    `**${plural(result.findings.length, 'finding')}** across ${plural(counts.identities, 'identity', 'identities')} and ${plural(counts.credentials, 'credential')} (${when}${snap}).`,
  );
  const fresh = newFindingCount(result);
  if (result.baseline && fresh !== undefined) {
    out.push('', `**${fresh} new** of ${result.findings.length} against baseline ${esc(result.baseline.file)}.`);
  }
  const config = configSummary(result.config);
  if (config) out.push('', esc(config, 2_000));
  else if (result.suppressed?.length) out.push('', `${plural(result.suppressed.length, 'finding')} suppressed by the configuration.`);
  if (result.incomplete) out.push('', '> **Scan incomplete:** some sources could not be read; see Coverage below.');
  out.push('');

  out.push('| Severity | Findings |', '|---|---:|');
  for (const s of SEVERITIES) out.push(`| ${SEVERITY_LABEL[s]} | ${bySeverity[s]} |`);
  out.push('');

  if (result.findings.length > 0) {
    const top = sortedFindings(result.findings).slice(0, max);
    out.push(result.findings.length > max ? `### Top ${top.length} findings` : '### Findings', '');
    out.push('| Severity | Rule | Identity | Finding |', '|---|---|---|---|');
    for (const f of top) {
      const ref = identityRef(graph, f.nodeId);
      const sev = mark(f) === 'new' ? `${SEVERITY_LABEL[f.severity]} **new**` : SEVERITY_LABEL[f.severity];
      out.push(`| ${sev} | ${esc(f.ruleId, 100)} | ${esc(identityLabel(ref))} | ${esc(f.message, 500)} |`);
    }
    if (result.findings.length > max) {
      out.push('', `_and ${result.findings.length - max} more: run \`nhi scan --format json\` or \`--format sarif\` for the full list._`);
    }
    out.push('');
  }

  if (result.drift && !driftIsEmpty(result.drift)) {
    const d = result.drift;
    const base = d.base.snapshotId !== undefined ? `snapshot ${d.base.snapshotId}` : 'the previous scan';
    out.push(`### Changes since ${base}`, '');
    const row = (label: string, n: number) => (n > 0 ? [`| ${label} | ${n} |`] : []);
    out.push(
      '| Change | Count |',
      '|---|---:|',
      ...row('New findings', d.findings.new.length),
      ...row('Resolved findings', d.findings.resolved.length),
      ...row('New identities', d.identities.added.length),
      ...row('Removed identities', d.identities.removed.length),
      ...row('New credentials', d.credentials.added.length),
      ...row('Rotated or re-activated credentials', d.credentials.changed.length),
      ...row('New grants and trust', d.grants.added.length),
      ...row('Removed grants and trust', d.grants.removed.length),
      ...row('Owners gone', d.ownersGone.length),
      ...row('Not re-checked (source not fully read): findings', d.findings.notRechecked.length),
      ...row('Not re-checked: identities, credentials, grants', d.identities.notRechecked.length + d.credentials.notRechecked.length + d.grants.notRechecked.length),
      '',
    );
    for (const f of d.findings.new.slice(0, 10)) out.push(`- new: **${SEVERITY_LABEL[f.severity]}** ${esc(f.ruleId, 100)}: ${esc(f.message, 500)}`);
    if (d.findings.new.length > 10) out.push(`- and ${d.findings.new.length - 10} more new findings`);
    if (d.findings.new.length) out.push('');
  } else if (result.driftUnavailable && result.driftUnavailable.reason !== 'first-snapshot') {
    out.push(`_Drift: ${esc(result.driftUnavailable.message, 500)}_`, '');
  }

  if (result.coverage.length > 0) {
    out.push('### Coverage', '');
    for (const c of result.coverage.slice(0, maxCoverage)) {
      const where = c.scope ? ` (${esc(c.scope, 200)})` : '';
      const status = c.incomplete ? '**missing**' : 'note';
      out.push(`- ${status}: ${esc(c.connector, 100)} ${esc(c.source, 200)}${where}: ${esc(c.reason)} - ${esc(c.message, 500)}. _Impact:_ ${esc(c.impact, 300)}`);
    }
    if (result.coverage.length > maxCoverage) out.push(`- and ${result.coverage.length - maxCoverage} more coverage notes: run \`nhi scan --format json\` for all of them`);
    out.push('');
  }

  out.push(...owaspSection(result));

  const tool = INFORMATION_URI ? `[${esc(result.tool.name)}](${INFORMATION_URI})` : esc(result.tool.name);
  out.push(
    '---',
    `<sub>Generated by ${tool} ${esc(result.tool.version)} · ${plural(result.rules.length, 'rule')} evaluated · each rule is documented in docs/rules/&lt;rule&gt;.md of the nhi-drift package</sub>`,
  );
  return `${out.join('\n')}\n`;
}
