/**
 * Helpers every renderer shares. Renderers are pure functions of a ScanResult: they never decide severity, never
 * read the clock and never print `attributes` blobs or policy documents wholesale (only names, ids, dates, scopes).
 *
 * Renderers do not trust their input either: names, ids and dates come from platforms and exports (untrusted,
 * sometimes of the wrong type), and a result may be rebuilt from an old snapshot. Every value a renderer prints goes
 * through one of the small coercion functions below (one per kind of field), and `normalizeInput` applies them to a
 * whole result once, so every format gets well-typed, bounded values and never throws on odd input.
 */
import { ownerOf } from '../src/graph/derive.js';
import { IdentityGraph, usageRecordStart } from '../src/graph/graph.js';
import type { ConfigEffect, ConnectorRun, ScanResult, ShardRecord } from '../src/model/result.js';
import type {
  AccountType,
  Confidence,
  CoverageNote,
  CoverageReason,
  CredentialNode,
  Evidence,
  Finding,
  IdentityNode,
  NodeKind,
  PrincipalNode,
  ScanTarget,
  Severity,
  SourceLocation,
} from '../src/model/types.js';
import { SEVERITIES, SEVERITY_RANK } from '../src/model/types.js';
import type { Drift, EdgeRef, NodeRef } from '../src/drift/diff.js';
import { fingerprint } from '../src/rules/runner.js';
import { WORKFLOW_FILES, expandPlatforms, owaspCoverage, owaspIds, type OwaspRiskCoverage } from '../src/rules/owasp.js';
import type { RuleMeta } from '../src/rules/types.js';
import { safeLine } from '../src/util/text.js';
import { countIdentities } from '../src/graph/identities.js';
import { codeHostIdName } from '../src/paths/codehost.js';

/** Why a suppressed finding was dropped, when the engine says (the `reason` of the matching `ignore:` entry). */
export interface SuppressionInfo {
  reason?: string;
  until?: string;
}

/** A finding dropped by an `ignore:` entry of the configuration. */
export type SuppressedFinding = Finding & { suppression?: SuppressionInfo };

/** What every renderer accepts: the engine's result, optionally with the findings suppressed by the config. */
export type ReportInput = ScanResult & { suppressed?: SuppressedFinding[] };

// ---------------------------------------------------------------------------------------------------------------
// Identities: which principals count

// one definition for every surface (store summary, snapshots, inventory, reports): see src/graph/identities.ts
export { NON_IDENTITY_TYPES, countIdentities, isIdentity } from '../src/graph/identities.js';

// ---------------------------------------------------------------------------------------------------------------
// Coercion at the renderer boundary: one function per kind of field

/** Longest text a report carries for one value (names, ids, messages); longer values end in `…`. */
export const MAX_TEXT = 10_000;

/**
 * Any value as report text: strings as they are, numbers, booleans and bigints spelled out; null, undefined,
 * objects, arrays and functions become `fallback` (an object never prints as `[object Object]` and never dumps its
 * content). Cut to `max` characters; lone surrogates become U+FFFD so every output is valid UTF-8.
 */
export function text(v: unknown, fallback = '', max = MAX_TEXT): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number') s = Number.isFinite(v) ? String(v) : fallback;
  else if (typeof v === 'bigint' || typeof v === 'boolean') s = String(v);
  else return fallback;
  if (s.length > max) {
    s = s.slice(0, Math.max(0, max - 1));
    if (/[\ud800-\udbff]$/.test(s)) s = s.slice(0, -1);
    s += '…';
  }
  // Node 20 has the ES2024 well-formedness methods: much cheaper than a regular expression on every string
  const w = s as string & { isWellFormed(): boolean; toWellFormed(): string };
  return w.isWellFormed() ? s : w.toWellFormed();
}

/** `text`, but undefined for a missing or empty value (optional fields are left out rather than printed empty). */
export function optText(v: unknown, max = MAX_TEXT): string | undefined {
  const s = text(v, '', max);
  return s === '' ? undefined : s;
}

/** A list of texts: non-arrays are empty, entries that are not text are dropped, at most `limit` entries. */
export function textList(v: unknown, limit = 1_000): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v) {
    if (out.length >= limit) break;
    const s = optText(x);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** A count: a non-negative safe integer (fractions are cut), anything else 0. */
export function count(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) return 0;
  return Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER);
}

/** A line or column number: an integer >= 1 (a numeric string is read), otherwise undefined. */
export function lineNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** A boolean: true/false (also the strings and 1/0), anything else `fallback`. */
export function bool(v: unknown, fallback: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 1) return true;
  if (v === 'false' || v === 0) return false;
  return fallback;
}

/** One value of a closed set, or `fallback`. */
export function oneOf<T extends string, F extends T | undefined>(v: unknown, allowed: readonly T[], fallback: F): T | F {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$/;

/**
 * A date as the reports print it: ISO-8601 UTC with milliseconds (`2026-03-01T06:00:00.000Z`). Accepts ISO strings,
 * the `2022-08-07 12:56:48+00:00` form some exports use, a date alone (UTC midnight), a time without zone (read as
 * UTC, never as local time) and Date objects. Anything else (impossible dates such as February 30, years outside
 * 0000-9999, numbers, free text) is undefined: an unknown date, never a made-up one.
 */
export function isoDate(v: unknown): string | undefined {
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isFinite(t) && v.getUTCFullYear() >= 0 && v.getUTCFullYear() <= 9999 ? v.toISOString() : undefined;
  }
  if (typeof v !== 'string' || v.length > 64) return undefined;
  const m = DATE_RE.exec(v.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const daysInMonth = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return undefined;
    offset = sign * (oh * 60 + om);
  }
  const ms = Math.floor(Number(`0${frac || '.0'}`) * 1000);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offset, second, ms);
  const out = date.getUTCFullYear();
  return out >= 0 && out <= 9999 ? date.toISOString() : undefined;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** A date where `null` means "never": null stays null, a readable date is ISO, anything else undefined (unknown). */
export function nullableDate(v: unknown): string | null | undefined {
  return v === null ? null : isoDate(v);
}

const MAX_DEPTH = 8;
const MAX_ITEMS = 1_000;

/**
 * Machine-readable evidence data made JSON-safe and bounded: strings through `text`, non-finite numbers become null,
 * bigints become strings, Dates ISO strings, undefined / functions / symbols are dropped, cycles become
 * `"[circular]"`, nesting deeper than 8 levels `"[nested]"`, at most 1,000 entries per array or object.
 * Returns undefined for a value JSON cannot hold at all.
 */
export function jsonData(v: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
      return text(v);
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'boolean':
      return v;
    case 'bigint':
      return String(v);
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v instanceof Date) return isoDate(v) ?? null;
  const obj = v as object;
  if (seen.has(obj)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[nested]';
  seen.add(obj);
  try {
    // a value that is already plain JSON within the limits comes back as it is (no copy: the findings of a large
    // estate are not held twice while a report is written); anything changed makes a fresh copy
    if (Array.isArray(obj)) {
      const items = obj.slice(0, MAX_ITEMS).map((x) => jsonData(x, depth + 1, seen) ?? null);
      return items.length === obj.length && items.every((x, i) => x === obj[i]) && Object.getPrototypeOf(obj) === Array.prototype ? obj : items;
    }
    const keys = Object.keys(obj);
    const entries: Array<[string, unknown]> = [];
    let same = keys.length <= MAX_ITEMS && (Object.getPrototypeOf(obj) === Object.prototype || Object.getPrototypeOf(obj) === null);
    for (const k of keys.slice(0, MAX_ITEMS)) {
      const orig = (obj as Record<string, unknown>)[k];
      const val = jsonData(orig, depth + 1, seen);
      const key = text(k, '', 1_000);
      if (val !== orig || key !== k) same = false;
      if (val !== undefined) entries.push([key, val]);
    }
    return same ? obj : Object.fromEntries(entries);
  } finally {
    seen.delete(obj);
  }
}

/** A plain JSON object (evidence `data`, property bags), or undefined when the value is not an object. */
export function jsonObject(v: unknown): Record<string, unknown> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return undefined;
  return jsonData(v) as Record<string, unknown>;
}

const CONFIDENCES: readonly Confidence[] = ['high', 'medium', 'low'];
const STATUSES: readonly ConnectorRun['status'][] = ['complete', 'partial', 'failed'];
const NODE_KINDS: readonly NodeKind[] = ['principal', 'credential', 'entitlement', 'resource', 'workload'];
const ACCOUNT_TYPES: readonly AccountType[] = ['human', 'service', 'system', 'unknown'];
export const COVERAGE_REASONS: readonly CoverageReason[] = [
  'permission-denied',
  'api-disabled',
  'throttled',
  'not-found',
  'unsupported',
  'unavailable',
  'invalid-input',
  'timeout',
  'error',
];

/** Severity of a finding or rule: unknown values are `info` (the gate never counts them either). */
export function severity(v: unknown): Severity {
  return oneOf(v, SEVERITIES, 'info');
}

export function confidence(v: unknown): Confidence {
  return oneOf(v, CONFIDENCES, 'low');
}

const rec = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

// ---------------------------------------------------------------------------------------------------------------
// Normalising a whole result

function normalizeEvidence(v: unknown): Evidence[] {
  if (!Array.isArray(v)) return [];
  const out: Evidence[] = [];
  for (const raw of v) {
    if (out.length >= 100) break;
    if (typeof raw === 'string') {
      out.push({ description: text(raw) });
      continue;
    }
    const e = rec(raw);
    if (!e) continue;
    const ev: Evidence = { description: text(e.description) };
    const src = rec(e.source);
    if (src) ev.source = { connector: text(src.connector), source: text(src.source), observedAt: text(src.observedAt) };
    const data = jsonObject(e.data);
    if (data !== undefined) ev.data = data;
    out.push(ev);
  }
  return out;
}

function normalizeLocation(v: unknown): SourceLocation | undefined {
  const l = rec(v);
  const uri = l ? optText(l.uri, 4_096) : undefined;
  if (!l || uri === undefined) return undefined;
  const loc: SourceLocation = { uri };
  const startLine = lineNumber(l.startLine);
  const startColumn = lineNumber(l.startColumn);
  const endLine = lineNumber(l.endLine);
  const endColumn = lineNumber(l.endColumn);
  if (startLine !== undefined) loc.startLine = startLine;
  if (startColumn !== undefined) loc.startColumn = startColumn;
  if (endLine !== undefined && endLine >= (startLine ?? 1)) loc.endLine = endLine;
  if (endColumn !== undefined) loc.endColumn = endColumn;
  return loc;
}

/** A finding with every field well-typed; undefined for a value that is not a finding at all. */
export function normalizeFinding(v: unknown): SuppressedFinding | undefined {
  const f = rec(v);
  if (!f) return undefined;
  const ruleId = optText(f.ruleId, 200) ?? 'unknown-rule';
  const nodeId = text(f.nodeId);
  const discriminator = optText(f.discriminator);
  const out: SuppressedFinding = {
    ruleId,
    severity: severity(f.severity),
    confidence: confidence(f.confidence),
    nodeId,
    message: optText(f.message) ?? `Finding of rule ${ruleId}`,
    evidence: normalizeEvidence(f.evidence),
    // the runner's own definition, so a finding that lost its fingerprint keeps the same identity
    fingerprint: optText(f.fingerprint, 200) ?? fingerprint(ruleId, nodeId, discriminator),
  };
  if (discriminator !== undefined) out.discriminator = discriminator;
  const path = textList(f.path, 100);
  if (path.length) out.path = path;
  const location = normalizeLocation(f.location);
  if (location) out.location = location;
  const s = rec(f.suppression);
  if (s) {
    const info: SuppressionInfo = {};
    const reason = optText(s.reason, 1_000);
    const until = optText(s.until, 64);
    if (reason !== undefined) info.reason = reason;
    if (until !== undefined) info.until = until;
    out.suppression = info;
  }
  return out;
}

function normalizeFindings(v: unknown): SuppressedFinding[] {
  if (!Array.isArray(v)) return [];
  const out: SuppressedFinding[] = [];
  for (const x of v) {
    const f = normalizeFinding(x);
    if (f) out.push(f);
  }
  return out;
}

export function normalizeCoverage(v: unknown): CoverageNote | undefined {
  const c = rec(v);
  if (!c) return undefined;
  const note: CoverageNote = {
    connector: text(c.connector, 'unknown', 200) || 'unknown',
    source: text(c.source, 'unknown', 1_000) || 'unknown',
    reason: oneOf(c.reason, COVERAGE_REASONS, 'error'),
    message: text(c.message),
    impact: text(c.impact),
    // a note that does not say is taken as a gap: better a scan marked incomplete than a gap nobody sees
    incomplete: bool(c.incomplete, true),
  };
  const scope = optText(c.scope, 1_000);
  if (scope !== undefined) note.scope = scope;
  return note;
}

export function normalizeTarget(v: unknown): ScanTarget | undefined {
  const t = rec(v);
  const id = t ? optText(t.id, 1_000) : undefined;
  if (!t || id === undefined) return undefined;
  return { id, platform: text(t.platform, '', 200), kind: text(t.kind, '', 200), name: optText(t.name, 1_000) ?? id };
}

/** Targets, deduplicated by id and sorted (the contract of ConnectorRun.targets, enforced again here). */
export function normalizeTargets(v: unknown): ScanTarget[] {
  if (!Array.isArray(v)) return [];
  const byId = new Map<string, ScanTarget>();
  for (const x of v) {
    const t = normalizeTarget(x);
    if (t && !byId.has(t.id)) byId.set(t.id, t);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function normalizeConnector(v: unknown): ConnectorRun | undefined {
  const c = rec(v);
  if (!c) return undefined;
  const id = text(c.id, 'unknown', 200) || 'unknown';
  const byOp = rec(c.callsByOperation);
  // fromEntries defines own properties, so a key such as __proto__ stays a plain key
  const calls: Record<string, number> = byOp ? Object.fromEntries(Object.keys(byOp).slice(0, 1_000).map((k) => [text(k, '', 200), count(byOp[k])])) : {};
  const run: ConnectorRun = {
    id,
    title: optText(c.title, 200) ?? id,
    status: oneOf(c.status, STATUSES, 'partial'),
    apiCalls: count(c.apiCalls),
    callsByOperation: calls,
    records: count(c.records),
    durationMs: typeof c.durationMs === 'number' && Number.isFinite(c.durationMs) && c.durationMs >= 0 ? c.durationMs : 0,
    targets: normalizeTargets(c.targets),
  };
  const target = optText(c.target, 1_000);
  const error = optText(c.error, 4_000);
  if (target !== undefined) run.target = target;
  if (error !== undefined) run.error = error;
  const shard = normalizeShard(c.shard);
  if (shard) run.shard = shard;
  return run;
}

/** A merged run's shard record: file name, snapshot id, as-of time, targets (each with its connector). */
function normalizeShard(v: unknown): ShardRecord | undefined {
  const s = rec(v);
  const file = s ? optText(s.file, 1_000) : undefined;
  if (!s || file === undefined || !Number.isSafeInteger(s.snapshotId)) return undefined;
  const targets = Array.isArray(s.targets)
    ? s.targets.flatMap((x) => {
        const t = normalizeTarget(x);
        return t ? [{ connector: text(rec(x)!.connector, '', 200), ...t }] : [];
      })
    : [];
  return { file, snapshotId: s.snapshotId as number, asOf: text(s.asOf, '', 100), targets };
}

function normalizeRule(v: unknown): RuleMeta | undefined {
  const r = rec(v);
  const id = r ? optText(r.id, 200) : undefined;
  if (!r || id === undefined) return undefined;
  const title = optText(r.title, 1_000) ?? id;
  const rem = rec(r.remediation);
  const remediation: RuleMeta['remediation'] = { text: text(rem?.text) };
  const cli = optText(rem?.cli);
  const terraform = optText(rem?.terraform);
  if (cli !== undefined) remediation.cli = cli;
  if (terraform !== undefined) remediation.terraform = terraform;
  return {
    id,
    title,
    severity: severity(r.severity),
    confidence: confidence(r.confidence),
    category: optText(r.category, 200) ?? 'security',
    platforms: textList(r.platforms, 50),
    owasp: owaspIds(r.owasp),
    description: optText(r.description) ?? title,
    risk: text(r.risk),
    remediation,
    options: r.options as RuleMeta['options'],
  };
}

function normalizeNodeRef(v: unknown): NodeRef | undefined {
  const n = rec(v);
  if (!n) return undefined;
  const id = text(n.id);
  const ref: NodeRef = { id, kind: text(n.kind) as NodeRef['kind'], type: text(n.type), name: optText(n.name) ?? id };
  const scope = optText(n.scope);
  if (scope !== undefined) ref.scope = scope;
  return ref;
}

function normalizeEdgeRef(v: unknown): EdgeRef | undefined {
  const e = rec(v);
  if (!e) return undefined;
  const from = text(e.from);
  const to = text(e.to);
  return { type: text(e.type), from, to, fromName: optText(e.fromName) ?? from, toName: optText(e.toName) ?? to };
}

function list<T>(v: unknown, f: (x: unknown) => T | undefined): T[] {
  if (!Array.isArray(v)) return [];
  const out: T[] = [];
  for (const x of v) {
    const y = f(x);
    if (y !== undefined) out.push(y);
  }
  return out;
}

function normalizeDrift(v: unknown): Drift | undefined {
  const d = rec(v);
  if (!d) return undefined;
  const base = rec(d.base) ?? {};
  const findings = rec(d.findings) ?? {};
  const identities = rec(d.identities) ?? {};
  const credentials = rec(d.credentials) ?? {};
  const grants = rec(d.grants) ?? {};
  const out: Drift = {
    base: {},
    findings: {
      new: normalizeFindings(findings.new),
      resolved: normalizeFindings(findings.resolved),
      notRechecked: normalizeFindings(findings.notRechecked),
      unchanged: count(findings.unchanged),
    },
    identities: {
      added: list(identities.added, normalizeNodeRef),
      removed: list(identities.removed, normalizeNodeRef),
      notRechecked: list(identities.notRechecked, normalizeNodeRef),
    },
    credentials: {
      added: list(credentials.added, normalizeNodeRef),
      removed: list(credentials.removed, normalizeNodeRef),
      changed: list(credentials.changed, normalizeNodeRef),
      notRechecked: list(credentials.notRechecked, normalizeNodeRef),
    },
    grants: {
      added: list(grants.added, normalizeEdgeRef),
      removed: list(grants.removed, normalizeEdgeRef),
      notRechecked: list(grants.notRechecked, normalizeEdgeRef),
    },
    ownersGone: list(d.ownersGone, normalizeNodeRef),
  };
  const snapshotId = snapshotNumber(base.snapshotId);
  const asOf = isoDate(base.asOf);
  if (snapshotId !== undefined) out.base.snapshotId = snapshotId;
  if (asOf !== undefined) out.base.asOf = asOf;
  const targets = list(base.targets, (t) => optText(t, 1_000));
  if (Array.isArray(base.targets)) out.base.targets = targets;
  return out;
}

function normalizeConfig(v: unknown): ConfigEffect | undefined {
  const c = rec(v);
  if (!c) return undefined;
  const o = rec(c.severityOverrides);
  const overrides: Record<string, string> = o ? Object.fromEntries(Object.keys(o).slice(0, 1_000).map((k) => [text(k, '', 200), text(o[k], '', 200)])) : {};
  const out: ConfigEffect = {} as ConfigEffect;
  const file = optText(c.file, 4_096);
  if (file !== undefined) out.file = file;
  if (c.ignored === true) out.ignored = true;
  Object.assign(out, {
    disabledRules: textList(c.disabledRules),
    severityOverrides: overrides,
    ignoreEntries: count(c.ignoreEntries),
    activeIgnoreEntries: count(c.activeIgnoreEntries),
    suppressedFindings: count(c.suppressedFindings),
  });
  const failOn = optText(c.failOn, 200);
  if (failOn !== undefined) out.failOn = failOn;
  return out;
}

function snapshotNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

const EPOCH = new Date(0).toISOString();

function isGraph(v: unknown): v is IdentityGraph {
  return v instanceof IdentityGraph || (!!rec(v) && (v as IdentityGraph).nodes instanceof Map && typeof (v as IdentityGraph).node === 'function');
}

/**
 * The result with every field a renderer reads well-typed and bounded (see the coercion functions above). The graph
 * is passed through: node fields are coerced where they are read (identityRef, principalRow, credentialRow).
 * Idempotent and pure; every renderer calls it first.
 */
export function normalizeInput(input: ReportInput): ReportInput {
  // the work is proportional to the findings and their evidence: a result this function made is not done again
  // (render() normalises, then the renderer it calls asks again)
  if (input !== null && typeof input === 'object' && NORMALIZED.has(input)) return input;
  const out = normalizeFresh(input);
  NORMALIZED.add(out);
  return out;
}

/** Results normalizeInput made (weak: none is kept alive by this). */
const NORMALIZED = new WeakSet<object>();

function normalizeFresh(input: ReportInput): ReportInput {
  const r = (rec(input) ?? {}) as Record<string, unknown>;
  const tool = rec(r.tool);
  const connectors = list(r.connectors, normalizeConnector);
  const coverage = list(r.coverage, normalizeCoverage);
  // scan times come from the engine's clock; should one be unreadable, fall back to another, never to "now"
  const startedAt = isoDate(r.startedAt);
  const finishedAt = isoDate(r.finishedAt);
  const asOf = isoDate(r.asOf);
  const anyDate = asOf ?? startedAt ?? finishedAt ?? EPOCH;
  const out: ReportInput = {
    tool: { name: optText(tool?.name, 200) ?? 'nhi-drift', version: optText(tool?.version, 200) ?? '0.0.0' },
    startedAt: startedAt ?? anyDate,
    finishedAt: finishedAt ?? startedAt ?? anyDate,
    asOf: asOf ?? anyDate,
    connectors,
    incomplete: bool(r.incomplete, coverage.some((c) => c.incomplete) || connectors.some((c) => c.status === 'failed')),
    graph: isGraph(r.graph) ? r.graph : new IdentityGraph(),
    findings: normalizeFindings(r.findings),
    coverage,
    rules: [],
  };
  const seenRules = new Set<string>();
  for (const rule of list(r.rules, normalizeRule)) {
    if (seenRules.has(rule.id)) continue;
    seenRules.add(rule.id);
    out.rules.push(rule);
  }
  if (r.suppressed !== undefined) out.suppressed = normalizeFindings(r.suppressed);
  const snapshotId = snapshotNumber(r.snapshotId);
  if (snapshotId !== undefined) out.snapshotId = snapshotId;
  const drift = normalizeDrift(r.drift);
  if (drift) out.drift = drift;
  const du = rec(r.driftUnavailable);
  const reasons = ['first-snapshot', 'unidentified', 'no-earlier-snapshot', 'store-error'] as const;
  if (du && (reasons as readonly unknown[]).includes(du.reason)) {
    out.driftUnavailable = { reason: du.reason as (typeof reasons)[number], message: text(du.message, '', 2_000) };
  }
  const baseline = rec(r.baseline);
  if (baseline) out.baseline = { file: optText(baseline.file, 4_096) ?? 'baseline', fingerprints: textList(baseline.fingerprints, Number.MAX_SAFE_INTEGER) };
  const config = normalizeConfig(r.config);
  if (config) out.config = config;
  if (typeof r.deadlineSeconds === 'number' && Number.isFinite(r.deadlineSeconds) && r.deadlineSeconds > 0) out.deadlineSeconds = r.deadlineSeconds;
  if (rec(r.timings)) out.timings = r.timings as ScanResult['timings'];
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Text helpers

/** One printable line (untrusted text for a terminal): escape sequences dropped, control characters become spaces. */
export function oneLine(v: unknown): string {
  return safeLine(text(v));
}

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) out[severity(f.severity)]++;
  return out;
}

/** The order of String.prototype.localeCompare (default locale and options), without building a collator per call. */
const collator = new Intl.Collator();
const cmpText = (a: unknown, b: unknown): number => collator.compare(text(a), text(b));

export function ruleCounts(findings: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of [...findings].sort((a, b) => cmpText(a.ruleId, b.ruleId))) {
    const id = text(f.ruleId);
    out[id] = (out[id] ?? 0) + 1;
  }
  return out;
}

const rank = (s: unknown): number => SEVERITY_RANK[severity(s)];

/** Findings in report order: severity (highest first), rule, subject, discriminator. Does not mutate the input. */
export function sortedFindings<F extends Finding>(findings: readonly F[]): F[] {
  return [...findings].sort(
    (a, b) =>
      rank(b.severity) - rank(a.severity) ||
      cmpText(a.ruleId, b.ruleId) ||
      cmpText(a.nodeId, b.nodeId) ||
      cmpText(a.discriminator, b.discriminator) ||
      cmpText(a.fingerprint, b.fingerprint),
  );
}

export function ruleMap(rules: readonly RuleMeta[]): Map<string, RuleMeta> {
  return new Map(rules.map((r) => [r.id, r]));
}

/**
 * The documentation page of a rule, as a path inside the nhi-drift package (the docs ship with it). Reports name
 * this path instead of linking to a web page the project does not have.
 */
export function ruleDocPath(ruleId: string): string {
  return `docs/rules/${encodeURIComponent(ruleId)}.md`;
}

/** The identity a finding is about, reduced to the fields reports print. */
export interface IdentityRef {
  id: string;
  name: string;
  kind?: IdentityNode['kind'];
  type?: string;
  platform?: string;
  scope?: string;
  externalId?: string;
  /** for credentials: the principal holding it */
  holder?: { id: string; name: string; type: string };
}

/** Fallback for a node id the graph does not hold: `aws:iam-user:arn:...:user/x` → type `iam-user`, name `x`. */
function refFromId(id: string): IdentityRef {
  const parts = id.split(':');
  const ref: IdentityRef = { id, name: id };
  if (parts.length >= 3) {
    if (parts[0]) ref.platform = parts[0];
    if (parts[1]) ref.type = parts[1];
  }
  const native = parts.length >= 3 ? parts.slice(2).join(':') : id;
  ref.name = native.split('/').filter(Boolean).pop() ?? native;
  if (!ref.name) ref.name = id || '(unknown identity)';
  return ref;
}

function holderRef(graph: IdentityGraph, credentialId: unknown): IdentityRef['holder'] {
  const h = graph.holderOf(credentialId as string);
  if (!h) return undefined;
  const id = text(h.id);
  return { id, name: optText(h.name) ?? id, type: text(h.type) };
}

export function identityRef(graph: IdentityGraph, nodeId: string): IdentityRef {
  const n = graph.node(nodeId) as unknown;
  const node = rec(n);
  if (!node) {
    // ids that stand for a job of a workflow, or for anyone who can comment on a repository (not graph nodes)
    const ref = refFromId(text(nodeId));
    const named = codeHostIdName(graph, text(nodeId));
    if (named) ref.name = text(named);
    return ref;
  }
  const id = optText(node.id) ?? text(nodeId);
  const ref: IdentityRef = { id, name: optText(node.name) ?? refFromId(id).name };
  const kind = oneOf(node.kind, NODE_KINDS, undefined);
  const type = optText(node.type, 200);
  const platform = optText(node.platform, 200);
  const scope = optText(node.scope);
  const externalId = optText(node.externalId);
  if (kind !== undefined) ref.kind = kind;
  if (type !== undefined) ref.type = type;
  if (platform !== undefined) ref.platform = platform;
  if (scope !== undefined) ref.scope = scope;
  if (externalId !== undefined) ref.externalId = externalId;
  if (kind === 'credential') {
    const holder = holderRef(graph, node.id);
    if (holder) ref.holder = holder;
  }
  return ref;
}

/** `ci-bot (iam-user, 123456789012)`; credentials name their holder: `AKIA… (access-key of iam-user ci-bot, 1234…)`. */
export function identityLabel(ref: IdentityRef): string {
  const bits: string[] = [];
  if (ref.holder) bits.push(`${ref.type ?? 'credential'} of ${ref.holder.type} ${ref.holder.name}`);
  else if (ref.type) bits.push(ref.type);
  if (ref.scope) bits.push(ref.scope);
  return bits.length ? `${ref.name} (${bits.join(', ')})` : ref.name;
}

/** A delegation path as names: `gha-deploy → admin-role`. */
export function pathText(graph: IdentityGraph, path: readonly string[]): string {
  return path.map((id) => identityRef(graph, id).name).join(' → ');
}

/** Dates for people: null = never, undefined = unknown, otherwise the ISO day. */
export function dayOrSentinel(iso: unknown, recordedSince?: unknown): string {
  if (iso === null) {
    const since = isoDate(recordedSince);
    return since ? `none since ${since.slice(0, 10)}` : 'never';
  }
  const d = isoDate(iso);
  return d === undefined ? 'unknown' : d.slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------------
// What was scanned

const PLATFORM_LABEL: Record<string, string> = { aws: 'AWS', gcp: 'GCP', github: 'GitHub', gitlab: 'GitLab', workflows: 'workflows', k8s: 'Kubernetes', entra: 'Entra ID', azure: 'Azure' };

/** `AWS account 123456789012`, `GitHub org acme`, `GCP project acme-prod` (raw text: escape for the output). */
export function targetLabel(t: ScanTarget): string {
  const platform = PLATFORM_LABEL[t.platform] ?? t.platform;
  return [platform, t.kind, t.name].filter((s) => s !== '').join(' ');
}

/** Every target of the scan, deduplicated by id and sorted. */
export function scanTargets(result: ScanResult): ScanTarget[] {
  return normalizeTargets(result.connectors.flatMap((c) => (Array.isArray(c.targets) ? c.targets : [])));
}

/**
 * What the scan covered, for people: one label per target the platforms identified (`AWS account 123456789012`);
 * a run without targets (it failed before it could tell, or comes from an older snapshot) is named by its connector
 * and label: `aws (demo estate)`.
 */
export function targets(result: ScanResult): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const c of result.connectors) {
    const ts = normalizeTargets(c.targets);
    const labels = ts.length ? ts.map(targetLabel) : [c.target ? `${c.id} (${c.target})` : c.id];
    for (const l of labels) {
      if (seen.has(l)) continue;
      seen.add(l);
      out.push(l);
    }
  }
  return out;
}

/**
 * The platforms the scan read, as rules spell them: the platforms of the targets of every connector run that did not
 * fail, and the connector ids themselves (a run that could not name its targets still read its platform), with
 * aliases expanded (kubernetes for k8s, entra for azure). The workflow-file connector is `workflows` whatever its
 * targets say: a checkout of a GitHub repository is not a scan of GitHub's identities.
 */
export function scannedPlatforms(result: ScanResult): Set<string> {
  const names: string[] = [];
  for (const c of result.connectors) {
    if (c.status === 'failed') continue;
    names.push(c.id);
    if (c.id !== WORKFLOW_FILES) names.push(...normalizeTargets(c.targets).map((t) => t.platform));
  }
  return expandPlatforms(names);
}

/** Which of the OWASP NHI Top 10 risks this scan covered (the rules that ran and the platforms read): NHI1..NHI10. */
export function scanOwaspCoverage(result: ScanResult): OwaspRiskCoverage[] {
  return owaspCoverage(result.rules, scannedPlatforms(result));
}

/** The OWASP NHI ids of a rule that ran (empty for a rule the result does not describe). */
export function ruleOwasp(rules: ReadonlyMap<string, RuleMeta>, ruleId: string): ReturnType<typeof owaspIds> {
  return owaspIds(rules.get(ruleId)?.owasp);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The summary line shared by the text, ink and markdown reports. */
export function summaryLine(result: ReportInput): string {
  const c = countIdentities(result.graph);
  const counts = severityCounts(result.findings);
  const bySeverity = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  const findings = result.findings.length === 0 ? 'no findings' : `${plural(result.findings.length, 'finding')} (${bySeverity.join(', ')})`;
  return `Scanned ${plural(c.identities, 'identity', 'identities')} and ${plural(c.credentials, 'credential')}: ${findings}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Baseline and configuration

/** With a baseline: whether a finding is new (its fingerprint is not in the baseline) or unchanged; else undefined. */
export function baselineMarker(result: ReportInput): (f: Finding) => 'new' | 'unchanged' | undefined {
  if (!result.baseline) return () => undefined;
  const known = new Set(result.baseline.fingerprints);
  return (f) => (known.has(f.fingerprint) ? 'unchanged' : 'new');
}

/** Findings not in the baseline (the ones the gate counts); undefined without a baseline. */
export function newFindingCount(result: ReportInput): number | undefined {
  if (!result.baseline) return undefined;
  const known = new Set(result.baseline.fingerprints);
  return result.findings.filter((f) => !known.has(f.fingerprint)).length;
}

/**
 * What the configuration did, in one sentence (raw text: escape for the output), or undefined when no file was read:
 * `Configuration nhi.config.yaml: 2 rules disabled (a, b); 1 severity override (c → low); 3 findings suppressed by
 * 2 of 2 ignore entries; fail-on high.`
 */
export function configSummary(config: ConfigEffect | undefined): string | undefined {
  if (!config) return undefined;
  if (config.ignored) return 'Configuration ignored (--no-config): every rule ran with its defaults and nothing was suppressed.';
  const parts: string[] = [];
  if (config.disabledRules.length) parts.push(`${plural(config.disabledRules.length, 'rule')} disabled (${config.disabledRules.join(', ')})`);
  const overrides = Object.entries(config.severityOverrides);
  if (overrides.length) parts.push(`${plural(overrides.length, 'severity override')} (${overrides.map(([id, s]) => `${id} → ${s}`).join(', ')})`);
  if (config.ignoreEntries > 0 || config.suppressedFindings > 0) {
    parts.push(
      `${plural(config.suppressedFindings, 'finding')} suppressed by ${config.activeIgnoreEntries} of ${plural(config.ignoreEntries, 'ignore entry', 'ignore entries')}`,
    );
  }
  if (config.failOn) parts.push(`fail-on ${config.failOn}`);
  const file = config.file ?? 'defaults';
  return `Configuration ${file}: ${parts.length ? parts.join('; ') : 'no rule disabled, no severity changed, nothing suppressed'}.`;
}

/** Owner name of a node (OWNED_BY edge), if any. */
export function ownerName(graph: IdentityGraph, nodeId: string): string | undefined {
  return optText(ownerOf(graph, nodeId));
}

// ---------------------------------------------------------------------------------------------------------------
// Inventory rows (shared by `nhi inventory --format json` and the JSON report's identities[])

export interface PrincipalRow {
  id: string;
  kind: 'principal';
  platform: string;
  type: string;
  name: string;
  externalId?: string;
  scope?: string;
  accountType: PrincipalNode['accountType'];
  createdAt?: string;
  disabled?: boolean;
  /** most recent activity: ISO, null = never; absent = unknown */
  lastActivityAt?: string | null;
  /** with lastActivityAt null: the usage record only starts here (no activity since), not at creation */
  usageRecordedSince?: string;
  owner?: string;
  credentialCount: number;
}

export interface CredentialRow {
  id: string;
  kind: 'credential';
  platform: string;
  type: string;
  credentialType: string;
  name: string;
  externalId?: string;
  scope?: string;
  holder?: { id: string; name: string; type: string };
  active: boolean;
  createdAt?: string;
  lastRotatedAt?: string;
  /** ISO, null = never used; absent = unknown */
  lastUsedAt?: string | null;
  /** with lastUsedAt null: the usage record only starts here (no use since), not at creation */
  usageRecordedSince?: string;
  /** ISO, null = never expires; absent = unknown */
  expiresAt?: string | null;
}

/** The graph's last-activity answer, or undefined when a malformed usage record makes it unreadable. */
function lastActivityOf(graph: IdentityGraph, id: string): ReturnType<IdentityGraph['lastActivity']> {
  try {
    return graph.lastActivity(id);
  } catch {
    return undefined;
  }
}

function recordStart(sources: Parameters<typeof usageRecordStart>[0]): string | undefined {
  try {
    return isoDate(usageRecordStart(sources));
  } catch {
    return undefined;
  }
}

export function principalRow(graph: IdentityGraph, p: PrincipalNode): PrincipalRow {
  const id = text(p.id);
  const row: PrincipalRow = {
    id,
    kind: 'principal',
    platform: text(p.platform, '', 200),
    type: text(p.type, '', 200),
    name: optText(p.name) ?? refFromId(id).name,
    accountType: oneOf(p.accountType, ACCOUNT_TYPES, 'unknown'),
    credentialCount: graph.credentialsOf(p.id).length,
  };
  const externalId = optText(p.externalId);
  const scope = optText(p.scope);
  const createdAt = isoDate(p.createdAt);
  if (externalId !== undefined) row.externalId = externalId;
  if (scope !== undefined) row.scope = scope;
  if (createdAt !== undefined) row.createdAt = createdAt;
  if (typeof p.disabled === 'boolean') row.disabled = p.disabled;
  const activity = lastActivityOf(graph, p.id);
  const last = activity ? nullableDate(activity.lastUsedAt) : undefined;
  if (last !== undefined) row.lastActivityAt = last;
  const since = last === null && activity ? recordStart(activity.sources) : undefined;
  if (since && (!createdAt || createdAt < since)) row.usageRecordedSince = since;
  const owner = ownerName(graph, p.id);
  if (owner !== undefined) row.owner = owner;
  return row;
}

export function credentialRow(graph: IdentityGraph, c: CredentialNode): CredentialRow {
  const id = text(c.id);
  const type = text(c.type, '', 200);
  const row: CredentialRow = {
    id,
    kind: 'credential',
    platform: text(c.platform, '', 200),
    type,
    credentialType: optText(c.credentialType, 200) ?? type,
    name: optText(c.name) ?? refFromId(id).name,
    // a credential whose state is unreadable is taken as active: it may still work
    active: bool(c.active, true),
  };
  const externalId = optText(c.externalId);
  const scope = optText(c.scope);
  if (externalId !== undefined) row.externalId = externalId;
  if (scope !== undefined) row.scope = scope;
  const holder = holderRef(graph, c.id);
  if (holder) row.holder = holder;
  const createdAt = isoDate(c.createdAt);
  const lastRotatedAt = isoDate(c.lastRotatedAt);
  const lastUsedAt = nullableDate(c.lastUsedAt);
  const expiresAt = nullableDate(c.expiresAt);
  if (createdAt !== undefined) row.createdAt = createdAt;
  if (lastRotatedAt !== undefined) row.lastRotatedAt = lastRotatedAt;
  if (lastUsedAt !== undefined) row.lastUsedAt = lastUsedAt;
  const since = lastUsedAt === null ? recordStart([c]) : undefined;
  if (since && (!createdAt || createdAt < since)) row.usageRecordedSince = since;
  if (expiresAt !== undefined) row.expiresAt = expiresAt;
  return row;
}

const cmp = (a: string | undefined, b: string | undefined) => collator.compare(a ?? '', b ?? '');

export function comparePrincipalRows(a: PrincipalRow, b: PrincipalRow): number {
  return cmp(a.platform, b.platform) || cmp(a.scope, b.scope) || cmp(a.type, b.type) || cmp(a.name, b.name) || cmp(a.id, b.id);
}

export function compareCredentialRows(a: CredentialRow, b: CredentialRow): number {
  return (
    cmp(a.platform, b.platform) ||
    cmp(a.scope, b.scope) ||
    cmp(a.holder?.name, b.holder?.name) ||
    cmp(a.credentialType, b.credentialType) ||
    cmp(a.name, b.name) ||
    cmp(a.id, b.id)
  );
}
