/**
 * The terminal report as data: the plain-text renderer and the ink view both draw this, so the two never disagree.
 */
import type { Finding, Severity } from '../../src/model/types.js';
import { SEVERITIES, SEVERITY_RANK } from '../../src/model/types.js';
import {
  identityLabel,
  identityRef,
  oneLine,
  pathText,
  plural,
  ruleMap,
  sortedFindings,
  summaryLine,
  type ReportInput,
} from '../shared.js';
import { renderDriftText } from '../../src/drift/diff.js';

export interface ModelOptions {
  verbose?: boolean;
  /** findings shown per rule before "and N more" (default 5; verbose shows all) */
  perRule?: number;
  /** top risks shown (default 5) */
  topRisks?: number;
}

export interface ModelFinding {
  ruleId: string;
  severity: Severity;
  identity: string;
  message: string;
  /** evidence descriptions to print (first one, or all with verbose) */
  evidence: string[];
  /** evidence lines left out */
  moreEvidence: number;
  path?: string;
  location?: string;
}

export interface ModelRuleGroup {
  ruleId: string;
  title?: string;
  count: number;
  items: ModelFinding[];
  hidden: number;
}

export interface ModelSeverityGroup {
  severity: Severity;
  count: number;
  rules: ModelRuleGroup[];
}

export interface ModelCoverage {
  incomplete: boolean;
  head: string;
  message: string;
  impact: string;
}

export interface ReportModel {
  title: string;
  meta: Array<{ label: string; value: string }>;
  summary: string;
  incomplete: boolean;
  topRisks: ModelFinding[];
  groups: ModelSeverityGroup[];
  coverage: ModelCoverage[];
  /** drift since the previous snapshot, as plain lines (first = heading); empty when there is none */
  drift: string[];
  suppressed: number;
  hints: string[];
}

function locationText(f: Finding): string | undefined {
  if (!f.location) return undefined;
  const { uri, startLine, startColumn } = f.location;
  return startLine ? `${uri}:${startLine}${startColumn ? `:${startColumn}` : ''}` : uri;
}

function modelFinding(result: ReportInput, f: Finding, verbose: boolean): ModelFinding {
  const ev = f.evidence.map((e) => oneLine(e.description));
  const shown = verbose ? ev : ev.slice(0, 1);
  const m: ModelFinding = {
    ruleId: f.ruleId,
    severity: f.severity,
    identity: oneLine(identityLabel(identityRef(result.graph, f.nodeId))),
    message: oneLine(f.message),
    evidence: shown,
    moreEvidence: ev.length - shown.length,
  };
  if (f.path && f.path.length > 1) m.path = oneLine(pathText(result.graph, f.path));
  const loc = locationText(f);
  if (loc) m.location = oneLine(loc);
  return m;
}

/** Up to `n` critical/high findings, at most two per rule on the first pass so one noisy rule cannot fill the list. */
function pickTopRisks(sorted: Finding[], n: number): Finding[] {
  const serious = sorted.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK.high);
  const picked: Finding[] = [];
  const perRule = new Map<string, number>();
  for (const f of serious) {
    if (picked.length >= n) break;
    const k = perRule.get(f.ruleId) ?? 0;
    if (k >= 2) continue;
    perRule.set(f.ruleId, k + 1);
    picked.push(f);
  }
  for (const f of serious) {
    if (picked.length >= n) break;
    if (!picked.includes(f)) picked.push(f);
  }
  return picked.sort((a, b) => sorted.indexOf(a) - sorted.indexOf(b));
}

export function buildModel(result: ReportInput, opts: ModelOptions = {}): ReportModel {
  const verbose = opts.verbose ?? false;
  const perRule = verbose ? Infinity : Math.max(1, opts.perRule ?? 5);
  const rules = ruleMap(result.rules);
  const sorted = sortedFindings(result.findings);

  const meta: ReportModel['meta'] = [];
  for (const c of result.connectors) {
    const bits = [c.status, plural(c.records, 'record'), plural(c.apiCalls, 'API call')];
    if (c.error) bits.push(c.error);
    meta.push({ label: 'Source', value: oneLine(`${c.id}${c.target ? `: ${c.target}` : ''} · ${bits.join(' · ')}`) });
  }
  if (result.connectors.length === 0) meta.push({ label: 'Source', value: 'none' });
  meta.push({ label: 'As of', value: result.asOf.replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, ' UTC') });
  if (result.snapshotId !== undefined) meta.push({ label: 'Snapshot', value: `#${result.snapshotId}` });

  const groups: ModelSeverityGroup[] = [];
  for (const s of SEVERITIES) {
    const ofSeverity = sorted.filter((f) => f.severity === s);
    if (ofSeverity.length === 0) continue;
    const byRule = new Map<string, Finding[]>();
    for (const f of ofSeverity) {
      const arr = byRule.get(f.ruleId);
      if (arr) arr.push(f);
      else byRule.set(f.ruleId, [f]);
    }
    const ruleGroups: ModelRuleGroup[] = [...byRule.entries()].map(([ruleId, fs]) => {
      const items = fs.slice(0, perRule).map((f) => modelFinding(result, f, verbose));
      const g: ModelRuleGroup = { ruleId, count: fs.length, items, hidden: fs.length - items.length };
      const title = rules.get(ruleId)?.title;
      if (title) g.title = title;
      return g;
    });
    groups.push({ severity: s, count: ofSeverity.length, rules: ruleGroups });
  }

  const coverage: ModelCoverage[] = result.coverage.map((c) => ({
    incomplete: c.incomplete,
    head: oneLine(`${c.connector} ${c.source}${c.scope ? ` (${c.scope})` : ''}: ${c.reason}`),
    message: oneLine(c.message),
    impact: oneLine(c.impact),
  }));

  const hints = ['nhi inventory lists every identity and credential', 'nhi scan --format sarif -o nhi.sarif for GitHub code scanning'];
  if (!verbose && (groups.some((g) => g.rules.some((r) => r.hidden > 0 || r.items.some((i) => i.moreEvidence > 0))))) {
    hints.push('--verbose shows every finding and all evidence');
  }

  return {
    title: `${result.tool.name} ${result.tool.version}`,
    meta,
    summary: summaryLine(result),
    incomplete: result.incomplete,
    topRisks: pickTopRisks(sorted, opts.topRisks ?? 5).map((f) => modelFinding(result, f, false)),
    groups,
    coverage,
    drift: result.drift ? renderDriftText(result.drift, { max: opts.verbose ? 1000 : 5 }).split('\n') : [],
    suppressed: result.suppressed?.length ?? 0,
    hints,
  };
}
