/**
 * SARIF 2.1.0 for GitHub code scanning (docs/sarif.md). One run per file; identity findings get a stable pseudo-path
 * as their artifact location (GitHub rejects results with logical locations only) plus the cloud identifier as a
 * logical location; fingerprints are set here because there is no file for the uploader to hash.
 *
 * The input is normalised first (reports/shared.ts) and everything GitHub constrains is enforced here: artifact URIs
 * are percent-encoded URI references, regions hold integers >= 1 only, every message text is non-empty, every result's
 * ruleIndex points at its ruleId, at most 25,000 results and 25,000 rules per run, 20 tags per rule, 1,000 characters
 * of rule description, and the file stays under 10 MB gzipped (results are dropped, least severe first, and a
 * notification says so).
 */
import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { ConfigEffect } from '../../src/model/result.js';
import type { Confidence, CoverageNote, Finding, Severity } from '../../src/model/types.js';
import { owaspIds, type OwaspNhi } from '../../src/rules/owasp.js';
import type { RuleMeta } from '../../src/rules/types.js';
import { INFORMATION_URI } from '../../src/version.js';
import {
  baselineMarker,
  identityRef,
  newFindingCount,
  normalizeInput,
  pathText,
  ruleDocPath,
  scanTargets,
  sortedFindings,
  targetLabel,
  text,
  type ReportInput,
  type SuppressedFinding,
} from '../shared.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** GitHub code scanning accepts at most 25,000 results per run. */
export const MAX_SARIF_RESULTS = 25_000;
/** ... and at most 25,000 rules per run. */
export const MAX_SARIF_RULES = 25_000;
/** ... and SARIF files of at most 10 MB gzipped (kept under 10,000,000 bytes, a little below 10 MiB). */
export const MAX_SARIF_GZIP_BYTES = 10_000_000;
/** Tool notifications kept per run (coverage notes beyond this are counted in one summary notification). */
export const MAX_SARIF_NOTIFICATIONS = 1_000;

export type SarifLevel = 'error' | 'warning' | 'note';

/** Severity → SARIF level (what GitHub shows as Error / Warning / Note for non-security views). */
export const SEVERITY_TO_LEVEL: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * Severity → `security-severity` (GitHub: ≥ 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low).
 * `info` gets 0.0, which GitHub shows without a security severity.
 */
export const SEVERITY_TO_SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/** Rule confidence → SARIF `precision`. */
export const CONFIDENCE_TO_PRECISION: Readonly<Record<Confidence, 'high' | 'medium' | 'low'>> = {
  high: 'high',
  medium: 'medium',
  low: 'low',
};

export interface SarifOptions {
  /** runAutomationDetails category (default `nhi`): one upload per category replaces the previous one */
  category?: string;
  /**
   * keep suppressed findings as results with `suppressions: [{ kind: 'external', status: 'accepted' }]`, which
   * GitHub code scanning shows as closed (dismissed) alerts (default true: a suppression stays visible)
   */
  includeSuppressed?: boolean;
  /** results per run before truncation (default and maximum 25,000) */
  maxResults?: number;
  /** largest gzipped size of the rendered file (default and maximum MAX_SARIF_GZIP_BYTES) */
  maxBytes?: number;
}

interface SarifMessage {
  text: string;
  markdown?: string;
}

interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  descriptor?: { id: string };
  associatedRule?: { id: string };
  properties?: Record<string, unknown>;
}

interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: string; 'security-severity': string };
}

interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string }; region: SarifRegion };
    logicalLocations: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
  }>;
  partialFingerprints: Record<string, string>;
  baselineState?: 'new' | 'unchanged';
  properties: Record<string, unknown>;
  suppressions?: Array<{ kind: 'external'; status: 'accepted'; justification: string }>;
}

export interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<Record<string, unknown>>;
}

/** What a rule descriptor is built from (RuleMeta without the options schema). */
type RuleInfo = Omit<RuleMeta, 'options'>;

/** The SARIF tag of an OWASP NHI Top 10 risk: `owasp-nhi:NHI7`. */
export function owaspTag(id: OwaspNhi): string {
  return `owasp-nhi:${id}`;
}

/** `credential-not-rotated` → `CredentialNotRotated` (SARIF rule `name`). */
function pascal(id: string): string {
  const name = id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  return name || 'Rule';
}

const UNRESERVED = /[A-Za-z0-9_~.-]/;

/** Percent-encode every byte outside the RFC 3986 unreserved characters (so `/`, `%`, `#`, `?`, spaces are encoded). */
function encodeBytes(value: string): string {
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && UNRESERVED.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** One pseudo-path segment: encoded, never `.`/`..`, never empty, at most 200 source characters. */
function segment(value: unknown, fallback: string): string {
  const v = text(value, '', 200) || fallback;
  const enc = encodeBytes(v);
  return enc === '.' || enc === '..' ? enc.replace(/\./g, '%2E') : enc;
}

/**
 * A repository-relative file path as a SARIF `artifactLocation.uri`: a valid URI reference that keeps `/` between
 * segments and percent-encodes everything else outside the unreserved characters (spaces, `%`, `#`, `?`, `:`,
 * non-ASCII, control characters). Backslashes become `/`, a leading `./` and repeated slashes are dropped (a
 * leading `//` would read as a host). Undefined when nothing is left.
 */
export function artifactUri(path: string): string | undefined {
  const p = path.replace(/\\/g, '/').replace(/\/{2,}/g, '/').replace(/^(\.\/)+/, '');
  const uri = p.split('/').map(encodeBytes).join('/');
  return uri === '' || uri === '/' ? undefined : uri;
}

/**
 * The stable pseudo-path of a node: `nhi/<platform>/<scope or _>/<type>/<name>`, e.g.
 * `nhi/aws/123456789012/iam-role/gha-deploy`. Unknown nodes fall back to `nhi/_/_/_/<encoded node id>`.
 */
export function pseudoPath(graph: IdentityGraph, nodeId: string): string {
  const n = graph.node(nodeId) as unknown as Record<string, unknown> | undefined;
  if (!n || typeof n !== 'object') return ['nhi', '_', '_', '_', segment(nodeId, '_')].join('/');
  return ['nhi', segment(n.platform, '_'), segment(n.scope, '_'), segment(n.type, '_'), segment(n.name, segment(n.id, '_'))].join('/');
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function ruleHelp(r: RuleInfo): { text: string; markdown: string } {
  const doc = ruleDocPath(r.id);
  const txt = [r.description, '', `Risk: ${r.risk}`, '', `Remediation: ${r.remediation.text}`];
  const md = [r.description, '', '**Risk.** ' + r.risk, '', '**Remediation.** ' + r.remediation.text];
  if (r.remediation.cli) {
    txt.push('', `CLI: ${r.remediation.cli}`);
    md.push('', '```sh', r.remediation.cli.replace(/```/g, "'''"), '```');
  }
  if (r.remediation.terraform) {
    txt.push('', `Terraform: ${r.remediation.terraform}`);
    md.push('', '```hcl', r.remediation.terraform.replace(/```/g, "'''"), '```');
  }
  txt.push('', `Rule documentation: ${doc} in the nhi-drift package.`);
  md.push('', `Rule documentation: \`${doc}\` in the nhi-drift package.`);
  return { text: txt.join('\n'), markdown: md.join('\n') };
}

function ruleDescriptor(r: RuleInfo): SarifReportingDescriptor {
  const platforms = r.platforms.filter((p) => p !== '*');
  // OWASP NHI Top 10 ids as `owasp-nhi:NHI7` (before the platforms, so the 20-tag cut never drops them)
  const owasp = owaspIds(r.owasp).map(owaspTag);
  const tags = [...new Set(['security', r.category, ...owasp, ...platforms, 'non-human-identity'].filter((t) => t !== ''))].slice(0, 20);
  return {
    id: r.id,
    name: pascal(r.id),
    shortDescription: { text: cut(r.title, 1_000) || r.id },
    // GitHub shows at most 1,000 characters of the full description
    fullDescription: { text: cut(r.description, 1_000) || r.id },
    help: ruleHelp(r),
    defaultConfiguration: { level: SEVERITY_TO_LEVEL[r.severity] },
    properties: {
      tags,
      precision: CONFIDENCE_TO_PRECISION[r.confidence],
      'security-severity': SEVERITY_TO_SECURITY_SEVERITY[r.severity],
    },
  };
}

/** A rule seen in findings but absent from result.rules still needs a descriptor (ruleIndex must point somewhere). */
function placeholderRule(id: string, f: Finding): RuleInfo {
  return {
    id,
    title: id,
    severity: f.severity,
    confidence: f.confidence,
    category: 'security',
    platforms: ['*'],
    owasp: [],
    description: `Findings of rule ${id}.`,
    risk: 'See the rule documentation.',
    remediation: { text: 'See the rule documentation.' },
  };
}

function region(f: Finding): SarifRegion {
  const loc = f.location;
  const r: SarifRegion = { startLine: loc?.startLine ?? 1 };
  if (loc?.startColumn !== undefined) r.startColumn = loc.startColumn;
  if (loc?.endLine !== undefined && loc.endLine >= r.startLine) r.endLine = loc.endLine;
  const sameLine = (r.endLine ?? r.startLine) === r.startLine;
  if (loc?.endColumn !== undefined && (!sameLine || loc.endColumn >= (r.startColumn ?? 1))) r.endColumn = loc.endColumn;
  return r;
}

interface Shown {
  f: SuppressedFinding;
  suppressed: boolean;
}

function suppressionJustification(f: SuppressedFinding, config: ConfigEffect | undefined): string {
  const where = config?.file ? ` in ${config.file}` : ' in the nhi-drift configuration';
  const reason = f.suppression?.reason ? `: ${f.suppression.reason}` : '';
  return cut(`suppressed by an ignore entry${where}${reason}`, 2_000);
}

function resultFor(result: ReportInput, { f, suppressed }: Shown, ruleIndex: number, state: 'new' | 'unchanged' | undefined): SarifResult {
  const { graph } = result;
  const ref = identityRef(graph, f.nodeId);
  const uri = (f.location ? artifactUri(f.location.uri) : undefined) ?? pseudoPath(graph, f.nodeId);

  const lines = [cut(f.message, 4_000)];
  if (f.evidence[0]?.description) lines.push(`Evidence: ${cut(f.evidence[0].description, 2_000)}`);
  if (f.path?.length) lines.push(`Path: ${cut(pathText(graph, f.path), 2_000)}`);
  let message = lines.join('\n');
  if (message.trim() === '') message = `Finding of rule ${f.ruleId} on ${ref.name}`;

  const name = cut(ref.name, 1_000);
  const properties: Record<string, unknown> = {
    identity: cut(ref.id, 2_000),
    identityName: name,
    severity: f.severity,
    confidence: f.confidence,
    evidence: f.evidence.slice(0, 20).map((e) => cut(e.description, 1_000)),
  };
  if (ref.type) properties.identityType = cut(ref.type, 200);
  if (ref.scope) properties.scope = cut(ref.scope, 1_000);
  if (f.path?.length) properties.path = f.path.map((p) => cut(p, 2_000));

  const out: SarifResult = {
    ruleId: f.ruleId,
    ruleIndex,
    level: SEVERITY_TO_LEVEL[f.severity],
    message: { text: message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri }, region: region(f) },
        logicalLocations: [{ name: name || '_', fullyQualifiedName: cut(ref.externalId ?? ref.id, 2_000) || '_', kind: 'resource' }],
      },
    ],
    partialFingerprints: {
      primaryLocationLineHash: `${f.fingerprint}:1`,
      'nhiFingerprint/v1': f.fingerprint,
    },
    properties,
  };
  if (state) out.baselineState = state;
  if (suppressed) out.suppressions = [{ kind: 'external', status: 'accepted', justification: suppressionJustification(f, result.config) }];
  return out;
}

function coverageNotification(c: CoverageNote): SarifNotification {
  const where = c.scope ? ` (${cut(c.scope, 500)})` : '';
  return {
    level: c.incomplete ? 'warning' : 'note',
    message: { text: cut(`${c.connector}: ${cut(c.source, 500)}${where}: ${cut(c.message, 1_000)}. Impact: ${cut(c.impact, 500)}`, 2_500) },
    descriptor: { id: `coverage/${c.reason}` },
    properties: {
      connector: c.connector,
      source: cut(c.source, 1_000),
      ...(c.scope ? { scope: cut(c.scope, 1_000) } : {}),
      reason: c.reason,
      impact: cut(c.impact, 1_000),
      incomplete: c.incomplete,
    },
  };
}

/** What the configuration file changed, as tool configuration notifications (one per disabled rule / override). */
function configNotifications(config: ConfigEffect | undefined, suppressedShown: boolean): SarifNotification[] {
  if (!config) return [];
  if (config.ignored) {
    return [{ level: 'note', message: { text: 'The configuration file was ignored (--no-config): every rule ran with its defaults and nothing was suppressed.' }, descriptor: { id: 'config/ignored' } }];
  }
  const file = config.file ?? 'the configuration';
  const out: SarifNotification[] = [];
  for (const id of config.disabledRules) {
    out.push({ level: 'warning', message: { text: `Rule ${id} is disabled by ${file}: its findings are not reported.` }, descriptor: { id: 'config/rule-disabled' }, associatedRule: { id } });
  }
  for (const [id, sev] of Object.entries(config.severityOverrides)) {
    out.push({ level: 'note', message: { text: `The severity of rule ${id} is set to ${sev || 'an unknown value'} by ${file}.` }, descriptor: { id: 'config/severity-override' }, associatedRule: { id } });
  }
  if (config.ignoreEntries > 0 || config.suppressedFindings > 0) {
    const shown = suppressedShown && config.suppressedFindings > 0 ? '; they are included as suppressed results (closed alerts in GitHub code scanning)' : '';
    out.push({
      level: config.suppressedFindings > 0 ? 'warning' : 'note',
      message: { text: `${config.suppressedFindings} finding(s) suppressed by ${config.activeIgnoreEntries} active of ${config.ignoreEntries} ignore entries in ${file}${shown}.` },
      descriptor: { id: 'config/suppressions' },
    });
  }
  return out.slice(0, MAX_SARIF_NOTIFICATIONS);
}

/** `nhi/aws-prod` + run → `nhi/aws-prod/<run>`; the run part comes from the snapshot id or the evaluation time. */
export function automationId(result: ReportInput, category: string | undefined): string {
  const cat = text(category ?? 'nhi', 'nhi', 500).trim().replace(/\/+$/, '') || 'nhi';
  const run = result.snapshotId !== undefined ? `snapshot-${result.snapshotId}` : text(result.asOf).replace(/[^0-9TZ]/g, '') || 'run';
  return `${cat}/${run}`;
}

interface BuildState {
  /** why results were left out beyond the per-run limit: the file size */
  sizeLimited?: boolean;
}

/**
 * The log with `runs[0].results` left out (set to `marker`, written where the results go) and the results as a lazy
 * iterable: each result object is built when it is written.
 */
function buildParts(result: ReportInput, opts: SarifOptions, state: BuildState, marker: string): { log: SarifLog; results: Iterable<SarifResult> } {
  const max = Math.min(Math.max(Math.floor(opts.maxResults ?? MAX_SARIF_RESULTS), 0), MAX_SARIF_RESULTS);
  const includeSuppressed = opts.includeSuppressed ?? true;
  const kept: Shown[] = sortedFindings(result.findings).map((f) => ({ f, suppressed: false }));
  const supp: Shown[] = includeSuppressed ? sortedFindings(result.suppressed ?? []).map((f) => ({ f, suppressed: true })) : [];
  const all = [...kept, ...supp];
  const shown = all.slice(0, max);

  // rules: the ones that ran, sorted by id, plus placeholders for any rule id only the shown results mention
  let metas: RuleInfo[] = [...result.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (metas.length > MAX_SARIF_RULES) {
    const used = new Set(shown.map((s) => s.f.ruleId));
    metas = metas.filter((r) => used.has(r.id));
  }
  const index = new Map(metas.map((r, i) => [r.id, i]));
  for (const { f } of shown) {
    if (!index.has(f.ruleId)) {
      index.set(f.ruleId, metas.length);
      metas.push(placeholderRule(f.ruleId, f));
    }
  }

  const notifications: SarifNotification[] = result.coverage.slice(0, MAX_SARIF_NOTIFICATIONS).map(coverageNotification);
  if (result.coverage.length > MAX_SARIF_NOTIFICATIONS) {
    notifications.push({
      level: 'warning',
      message: { text: `${result.coverage.length - MAX_SARIF_NOTIFICATIONS} more coverage notes are left out of this file; --format json lists them all.` },
      descriptor: { id: 'sarif/notifications-truncated' },
    });
  }
  if (all.length > shown.length) {
    const why = state.sizeLimited
      ? `GitHub code scanning accepts SARIF files of at most 10 MB gzipped`
      : `GitHub code scanning accepts at most ${max} results per run`;
    notifications.push({
      level: 'warning',
      message: { text: `${all.length - shown.length} of ${all.length} results were left out: ${why} (lowest severities dropped first). Use --format json for the full list.` },
      descriptor: { id: 'sarif/results-truncated' },
    });
  }
  for (const c of result.connectors) {
    if (c.status === 'failed') {
      notifications.push({
        level: 'error',
        message: { text: cut(`${c.id}: the ${c.title} scan failed${c.error ? `: ${c.error}` : ''}`, 2_500) },
        descriptor: { id: 'connector/failed' },
      });
    }
  }

  const invocation: Record<string, unknown> = {
    executionSuccessful: !result.connectors.some((c) => c.status === 'failed'),
    startTimeUtc: result.startedAt,
    endTimeUtc: result.finishedAt,
    toolExecutionNotifications: notifications,
  };
  const configNotes = configNotifications(result.config, includeSuppressed);
  if (configNotes.length) invocation.toolConfigurationNotifications = configNotes;
  const invocationProps: Record<string, unknown> = {};
  if (result.config) invocationProps.config = { ...result.config };
  if (result.deadlineSeconds !== undefined) invocationProps.deadlineSeconds = result.deadlineSeconds;
  if (Object.keys(invocationProps).length) invocation.properties = invocationProps;

  const driver: Record<string, unknown> = { name: result.tool.name, version: result.tool.version };
  if (/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(result.tool.version)) driver.semanticVersion = result.tool.version;
  if (INFORMATION_URI) driver.informationUri = INFORMATION_URI;
  driver.rules = metas.map(ruleDescriptor);

  const targets = scanTargets(result);
  const automationDetails: Record<string, unknown> = { id: automationId(result, opts.category) };
  if (targets.length) {
    const labels = targets.map(targetLabel);
    const shownLabels = labels.slice(0, 20).join(' · ');
    automationDetails.description = { text: `Scanned ${shownLabels}${labels.length > 20 ? ` and ${labels.length - 20} more` : ''}` };
  }

  const mark = baselineMarker(result);
  const runProps: Record<string, unknown> = {
    asOf: result.asOf,
    incomplete: result.incomplete,
    ...(result.snapshotId !== undefined ? { snapshotId: result.snapshotId } : {}),
    targets,
  };
  if (result.baseline) {
    runProps.baseline = { file: result.baseline.file, known: new Set(result.baseline.fingerprints).size, newFindings: newFindingCount(result) ?? 0 };
  }

  const run: Record<string, unknown> = {
    tool: { driver },
    automationDetails,
    invocations: [invocation],
    results: marker,
    properties: runProps,
  };
  const results = (function* () {
    for (const s of shown) yield resultFor(result, s, index.get(s.f.ruleId)!, mark(s.f));
  })();
  return { log: { $schema: SARIF_SCHEMA_URI, version: SARIF_VERSION, runs: [run] }, results };
}

/**
 * The SARIF log as one object (for callers that post-process it). `state.sizeLimited` says the results beyond
 * `maxResults` were left out for the file size (the wording of the truncation notification; see renderSarif).
 */
export function buildSarif(result: ReportInput, opts: SarifOptions = {}, state: BuildState = {}): SarifLog {
  const { log, results } = buildParts(normalizeInput(result), opts, state, '');
  log.runs[0].results = [...results];
  return log;
}

/**
 * A result as it sits in the pretty-printed log (root → runs[] → run → results[] → the result, eight spaces in):
 * stringified inside four arrays, the arrays cut off (28 characters before, 20 after). Faster than re-indenting.
 */
function nestedResult(r: SarifResult): string {
  const nested = JSON.stringify([[[[r]]]], null, 2);
  return nested.slice(28, nested.length - 20);
}

/**
 * One rendering of the log with at most `opts.maxResults` results, in pieces of about `chunkChars` characters: the
 * small parts (rules, notifications, properties) are serialised together, the results one at a time. Joined, the
 * pieces are exactly `JSON.stringify(buildSarif(input, opts, state), null, 2)` plus a newline.
 */
function* sarifPass(input: ReportInput, opts: SarifOptions, state: BuildState, chunkChars: number): Generator<string> {
  // a marker no estate can spell: a fresh random id per rendering
  const marker = `\u0000nhi-sarif-${randomUUID()}`;
  const { log, results } = buildParts(input, opts, state, marker);
  const head = JSON.stringify(log, null, 2);
  const quoted = JSON.stringify(marker);
  const at = head.indexOf(quoted);
  let buf = head.slice(0, at);
  let first = true;
  for (const r of results) {
    buf += `${first ? '[' : ','}\n        ${nestedResult(r)}`;
    first = false;
    if (buf.length >= chunkChars) {
      yield buf;
      buf = '';
    }
  }
  buf += first ? '[]' : '\n      ]';
  yield `${buf}${head.slice(at + quoted.length)}\n`;
}

/** The gzipped size of a text given in pieces, counted as the pieces go through the compressor (nothing kept). */
async function gzippedSize(pieces: Iterable<string>): Promise<number> {
  let size = 0;
  await pipeline(
    Readable.from(pieces),
    createGzip(),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done();
      },
    }),
  );
  return size;
}

function limits(input: ReportInput, opts: SarifOptions): { limit: number; total: number; max: number } {
  return {
    limit: Math.min(Math.max(opts.maxBytes ?? MAX_SARIF_GZIP_BYTES, 1), MAX_SARIF_GZIP_BYTES),
    total: input.findings.length + ((opts.includeSuppressed ?? true) ? (input.suppressed?.length ?? 0) : 0),
    max: Math.min(Math.max(Math.floor(opts.maxResults ?? MAX_SARIF_RESULTS), 0), MAX_SARIF_RESULTS),
  };
}

/** The result limit of the next try when a rendering of `shown` results gzips to `zipped` bytes over `limit`. */
function shrink(shown: number, limit: number, zipped: number): number {
  // shrink in proportion, with a margin
  return Math.min(shown - 1, Math.floor((shown * limit * 0.9) / zipped));
}

/**
 * The SARIF file as text. When it would exceed GitHub's size limit (gzipped), results are dropped, least severe
 * first, until it fits, and a `sarif/results-truncated` notification says how many. The same text as the joined
 * pieces of renderSarifChunks.
 */
export function renderSarif(result: ReportInput, opts: SarifOptions = {}): string {
  const input = normalizeInput(result);
  const { limit, total } = limits(input, opts);
  let { max } = limits(input, opts);
  let state: BuildState = {};
  for (;;) {
    const out = [...sarifPass(input, { ...opts, maxResults: max }, state, Infinity)].join('');
    if (Buffer.byteLength(out) <= limit) return out;
    const zipped = gzipSync(out).length;
    const shown = Math.min(max, total);
    if (zipped <= limit || shown === 0) return out;
    max = shrink(shown, limit, zipped);
    // say why results are missing
    state = { sizeLimited: true };
  }
}

/**
 * The SARIF file as renderSarif writes it, in pieces of about `chunkChars` characters, so a report of a large estate
 * never exists as one string: results are serialised one at a time. A file within the size limit uncompressed is
 * rendered once (its pieces are held, at most the limit); a larger one is rendered and gzipped piece by piece to
 * measure it (nothing kept), shrunk as renderSarif does when it is over, then rendered again as it is written.
 */
export async function* renderSarifChunks(result: ReportInput, opts: SarifOptions = {}, chunkChars = 1 << 20): AsyncIterable<string> {
  const input = normalizeInput(result);
  const { limit, total } = limits(input, opts);
  let { max } = limits(input, opts);
  let state: BuildState = {};
  for (;;) {
    const pass = (): Iterable<string> => sarifPass(input, { ...opts, maxResults: max }, state, chunkChars);
    const held: string[] = [];
    let bytes = 0;
    for (const piece of pass()) {
      bytes += Buffer.byteLength(piece);
      if (bytes > limit) break;
      held.push(piece);
    }
    if (bytes <= limit) {
      yield* held;
      return;
    }
    held.length = 0;
    const zipped = await gzippedSize(pass());
    const shown = Math.min(max, total);
    if (zipped <= limit || shown === 0) {
      yield* pass();
      return;
    }
    max = shrink(shown, limit, zipped);
    state = { sizeLimited: true };
  }
}
