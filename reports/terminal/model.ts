/**
 * The terminal report as data. Every string in the model has been through `safeLine`: names, ids, messages,
 * evidence, paths, file names, coverage text, target labels and the drift lines all come from platforms or files
 * and may carry escape sequences (OSC 8 links, screen clears, cursor moves), line breaks or bidi overrides.
 */
import type { ConnectorRun } from '../../src/model/result.js';
import type { Finding, ScanTarget, Severity } from '../../src/model/types.js';
import { SEVERITIES, SEVERITY_RANK } from '../../src/model/types.js';
import { safeLine as sanitise } from '../../src/util/text.js';
import {
  identityLabel,
  identityRef,
  pathText,
  plural,
  ruleMap,
  sortedFindings,
  scanOwaspCoverage,
  summaryLine,
  type ReportInput,
} from '../shared.js';
import { renderDriftText, renderDriftUnavailable } from '../../src/drift/diff.js';
import { owaspCoverageText } from '../../src/rules/owasp.js';

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
  /** with a baseline: the finding is not in it */
  isNew?: boolean;
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
  /** with a baseline: `3 new of 86 (baseline nhi-baseline.json)` */
  baseline?: string;
  incomplete: boolean;
  topRisks: ModelFinding[];
  groups: ModelSeverityGroup[];
  /** when the --timeout deadline stopped sources: one sentence saying so (shown first under Coverage) */
  deadline?: string;
  coverage: ModelCoverage[];
  /** the OWASP NHI Top 10 risks the scan covered (`8 of 10: ...`) and, when some were not, which and why */
  owasp: { covered: string; notCovered?: string };
  /** drift since the previous snapshot, as plain lines (first = heading); empty when there is none */
  drift: string[];
  /** findings the configuration suppressed (the footer says so when no Config line in the header does) */
  suppressed: number;
  hints: string[];
}

/** printable ASCII: nothing to remove (the common case, checked first because reports of 10k findings call this a lot) */
const PRINTABLE = /^[\x20-\x7e]*$/;

/** `safeLine` from src/util/text.ts, with a fast path for text that has nothing to remove. */
function safeLine(text: unknown): string {
  return typeof text === 'string' && PRINTABLE.test(text) ? text : sanitise(text);
}

const PLATFORM_NAME: Record<string, string> = { aws: 'AWS', gcp: 'GCP', github: 'GitHub', gitlab: 'GitLab', workflows: 'Workflows', k8s: 'Kubernetes', entra: 'Entra ID', azure: 'Azure' };
/** public hosts that go without saying in a target label */
const PUBLIC_HOSTS = new Set(['github.com', 'gitlab.com']);
/** target names listed per kind before "and N more" (verbose lists all) */
const TARGETS_SHOWN = 5;

function pluralKind(kind: string, n: number): string {
  if (n === 1) return kind;
  if (/[^aeiou]y$/.test(kind)) return `${kind.slice(0, -1)}ies`;
  return /(s|x|sh|ch)$/.test(kind) ? `${kind}es` : `${kind}s`;
}

/** The host of a GitHub / GitLab target when it is not the public one: `github:org:ghe.example.com/acme` → `ghe.example.com`. */
function privateHost(t: ScanTarget): string | undefined {
  if (t.platform !== 'github' && t.platform !== 'gitlab') return undefined;
  const native = t.id.split(':').slice(2).join(':');
  const slash = native.indexOf('/');
  if (slash <= 0) return undefined;
  const host = native.slice(0, slash).toLowerCase();
  return PUBLIC_HOSTS.has(host) ? undefined : host;
}

/**
 * What a run scanned, for people: `AWS account 123456789012`, `GCP projects acme-prod, acme-dev`,
 * `GitHub org acme on ghe.example.com`. Targets of one platform and kind share one phrase.
 */
export function targetsText(targets: readonly ScanTarget[], verbose = false): string {
  const groups = new Map<string, { platform: string; kind: string; host?: string; names: string[] }>();
  for (const t of targets) {
    const host = privateHost(t);
    const key = `${t.platform}\u0000${t.kind}\u0000${host ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = { platform: safeLine(PLATFORM_NAME[t.platform] ?? t.platform), kind: safeLine(t.kind), names: [] };
      if (host) g.host = safeLine(host);
      groups.set(key, g);
    }
    g.names.push(safeLine(t.name));
  }
  const phrases: string[] = [];
  for (const g of groups.values()) {
    const shown = verbose ? g.names : g.names.slice(0, TARGETS_SHOWN);
    const more = g.names.length - shown.length;
    const names = `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
    phrases.push(`${g.platform} ${pluralKind(g.kind, g.names.length)} ${names}${g.host ? ` on ${g.host}` : ''}`);
  }
  return phrases.join('; ');
}

function sourceLine(c: ConnectorRun, verbose: boolean): string {
  const scanned = c.targets && c.targets.length > 0 ? targetsText(c.targets, verbose) : c.target;
  const bits = [c.status, plural(c.records, 'record'), plural(c.apiCalls, 'API call')];
  if (c.error) bits.push(c.error);
  return safeLine(`${c.id}${scanned ? `: ${scanned}` : ''} · ${bits.join(' · ')}`);
}

/** Up to `max` names, then "and N more". */
function someOf(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).map(safeLine);
  return `${shown.join(', ')}${names.length > max ? ` and ${names.length - max} more` : ''}`;
}

/**
 * What the configuration did, in one line: `nhi.config.yaml: 2 rules off (x, y), 1 severity changed (z: low),
 * 3 findings suppressed by 2 ignore entries`. `undefined` when no file was read and --no-config was not given.
 */
export function configText(result: ReportInput): string | undefined {
  const c = result.config;
  if (!c) return undefined;
  if (c.ignored) return '--no-config: configuration file ignored';
  const file = c.file ? safeLine(c.file) : 'configuration';
  const bits: string[] = [];
  if (c.disabledRules.length > 0) bits.push(`${plural(c.disabledRules.length, 'rule')} off (${someOf(c.disabledRules)})`);
  const overrides = Object.entries(c.severityOverrides);
  if (overrides.length > 0) {
    bits.push(`${plural(overrides.length, 'severity', 'severities')} changed (${someOf(overrides.map(([id, s]) => `${id}: ${s}`))})`);
  }
  if (c.ignoreEntries > 0) {
    bits.push(`${plural(c.suppressedFindings, 'finding')} suppressed by ${plural(c.activeIgnoreEntries, 'ignore entry', 'ignore entries')}`);
    const expired = c.ignoreEntries - c.activeIgnoreEntries;
    if (expired > 0) bits.push(`${plural(expired, 'ignore entry', 'ignore entries')} expired`);
  }
  if (c.failOn) bits.push(`--fail-on ${safeLine(c.failOn)} from the file`);
  return `${file}: ${bits.length > 0 ? bits.join(', ') : 'no rule, severity or suppression changes'}`;
}

function timeoutNotes(result: ReportInput): number {
  return result.coverage.filter((c) => c.reason === 'timeout').length;
}

function locationText(f: Finding): string | undefined {
  if (!f.location) return undefined;
  const { uri, startLine, startColumn } = f.location;
  return startLine ? `${uri}:${startLine}${startColumn ? `:${startColumn}` : ''}` : uri;
}

function modelFinding(result: ReportInput, f: Finding, verbose: boolean, known: ReadonlySet<string> | undefined): ModelFinding {
  const shown = verbose ? f.evidence : f.evidence.slice(0, 1);
  const m: ModelFinding = {
    ruleId: safeLine(f.ruleId),
    severity: f.severity,
    identity: safeLine(identityLabel(identityRef(result.graph, f.nodeId))),
    message: safeLine(f.message),
    evidence: shown.map((e) => safeLine(e.description)),
    moreEvidence: f.evidence.length - shown.length,
  };
  if (f.path && f.path.length > 1) m.path = safeLine(pathText(result.graph, f.path));
  const loc = locationText(f);
  if (loc) m.location = safeLine(loc);
  if (known && !known.has(f.fingerprint)) m.isNew = true;
  return m;
}

/** Up to `n` critical/high findings, at most two per rule on the first pass so one noisy rule cannot fill the list. */
function pickTopRisks(sorted: readonly Finding[], n: number): Finding[] {
  const picked = new Set<Finding>();
  const perRule = new Map<string, number>();
  for (const f of sorted) {
    if (picked.size >= n || SEVERITY_RANK[f.severity] < SEVERITY_RANK.high) break;
    const k = perRule.get(f.ruleId) ?? 0;
    if (k >= 2) continue;
    perRule.set(f.ruleId, k + 1);
    picked.add(f);
  }
  for (const f of sorted) {
    if (picked.size >= n || SEVERITY_RANK[f.severity] < SEVERITY_RANK.high) break;
    picked.add(f);
  }
  // report order: `sorted` is already in it
  return sorted.filter((f) => picked.has(f));
}

export function buildModel(result: ReportInput, opts: ModelOptions = {}): ReportModel {
  const verbose = opts.verbose ?? false;
  const perRule = verbose ? Infinity : Math.max(1, opts.perRule ?? 5);
  const rules = ruleMap(result.rules);
  const sorted = sortedFindings(result.findings);
  const known = result.baseline ? new Set(result.baseline.fingerprints) : undefined;

  const meta: ReportModel['meta'] = [];
  for (const c of result.connectors) meta.push({ label: 'Source', value: sourceLine(c, verbose) });
  if (result.connectors.length === 0) meta.push({ label: 'Source', value: 'none' });
  meta.push({ label: 'As of', value: safeLine(result.asOf.replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, ' UTC')) });
  if (result.snapshotId !== undefined) meta.push({ label: 'Snapshot', value: `#${result.snapshotId}` });
  const config = configText(result);
  if (config) meta.push({ label: 'Config', value: config });
  const timedOut = timeoutNotes(result);
  if (result.deadlineSeconds !== undefined) {
    meta.push({
      label: 'Deadline',
      value: `--timeout ${result.deadlineSeconds} s${timedOut > 0 ? `: reached, ${plural(timedOut, 'source')} cut short` : ''}`,
    });
  }

  const groups: ModelSeverityGroup[] = [];
  const bySeverity = new Map<Severity, Map<string, Finding[]>>();
  for (const f of sorted) {
    let byRule = bySeverity.get(f.severity);
    if (!byRule) bySeverity.set(f.severity, (byRule = new Map()));
    const arr = byRule.get(f.ruleId);
    if (arr) arr.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  for (const s of SEVERITIES) {
    const byRule = bySeverity.get(s);
    if (!byRule) continue;
    let count = 0;
    const ruleGroups: ModelRuleGroup[] = [...byRule.entries()].map(([ruleId, fs]) => {
      count += fs.length;
      const items = fs.slice(0, perRule).map((f) => modelFinding(result, f, verbose, known));
      const g: ModelRuleGroup = { ruleId: safeLine(ruleId), count: fs.length, items, hidden: fs.length - items.length };
      const title = rules.get(ruleId)?.title;
      if (title) g.title = safeLine(title);
      return g;
    });
    groups.push({ severity: s, count, rules: ruleGroups });
  }

  const coverage: ModelCoverage[] = result.coverage.map((c) => ({
    incomplete: c.incomplete,
    head: safeLine(`${c.connector} ${c.source}${c.scope ? ` (${c.scope})` : ''}: ${c.reason}`),
    message: safeLine(c.message),
    impact: safeLine(c.impact),
  }));

  const hints = ['nhi inventory lists every identity and credential', 'nhi scan --format sarif -o nhi.sarif for GitHub code scanning'];
  if (!verbose && groups.some((g) => g.rules.some((r) => r.hidden > 0 || r.items.some((i) => i.moreEvidence > 0)))) {
    hints.push('--verbose shows every finding and all evidence');
  }

  const model: ReportModel = {
    title: `${safeLine(result.tool.name)} ${safeLine(result.tool.version)}`,
    meta,
    summary: safeLine(summaryLine(result)),
    incomplete: result.incomplete,
    topRisks: pickTopRisks(sorted, opts.topRisks ?? 5).map((f) => modelFinding(result, f, false, known)),
    groups,
    coverage,
    owasp: owaspCoverageText(scanOwaspCoverage(result)),
    drift: result.drift ? renderDriftText(result.drift, { max: verbose ? 1000 : 5 }).split('\n').map(safeLine) : result.driftUnavailable && result.driftUnavailable.reason !== 'first-snapshot' ? [renderDriftUnavailable(result.driftUnavailable)] : [],
    suppressed: result.suppressed?.length ?? 0,
    hints,
  };
  if (known && result.baseline) {
    const fresh = result.findings.filter((f) => !known.has(f.fingerprint)).length;
    model.baseline = `${fresh} new of ${result.findings.length} (baseline ${safeLine(result.baseline.file)})`;
  }
  if (result.deadlineSeconds !== undefined && timedOut > 0) {
    model.deadline = `The --timeout deadline of ${result.deadlineSeconds} s cut the scan short: ${plural(timedOut, 'source')} did not finish (marked timeout below).`;
  }
  return model;
}
