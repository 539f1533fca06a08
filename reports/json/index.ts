/**
 * JSON report v1 (schema: reports/json/report-v1.schema.json, documented in docs/json-report.md).
 * Versioning: additive changes bump the minor version of `schemaVersion`; anything breaking moves to 2.0.0.
 * The input is normalised first (reports/shared.ts), so the document validates whatever types the estate held.
 */
import { randomUUID } from 'node:crypto';
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { ConfigEffect, ShardRecord } from '../../src/model/result.js';
import type { Evidence, Finding, ScanTarget, Severity, SourceLocation } from '../../src/model/types.js';
import type { OwaspNhi, OwaspRiskCoverage } from '../../src/rules/owasp.js';
import { INFORMATION_URI } from '../../src/version.js';
import {
  baselineMarker,
  compareCredentialRows,
  comparePrincipalRows,
  countIdentities,
  credentialRow,
  identityRef,
  newFindingCount,
  normalizeInput,
  principalRow,
  ruleCounts,
  ruleDocPath,
  ruleMap,
  ruleOwasp,
  scanOwaspCoverage,
  severityCounts,
  sortedFindings,
  type CredentialRow,
  type IdentityRef,
  type PrincipalRow,
  type ReportInput,
  type SuppressedFinding,
  type SuppressionInfo,
} from '../shared.js';

export const JSON_SCHEMA_VERSION = '1.4.0';

/** Rule ids as the schema defines them (kebab-case). */
const RULE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface JsonFinding {
  ruleId: string;
  severity: Severity;
  confidence: Finding['confidence'];
  fingerprint: string;
  discriminator?: string;
  message: string;
  identity: IdentityRef;
  evidence: Evidence[];
  path?: Array<{ id: string; name: string; type?: string }>;
  location?: SourceLocation;
  /** with --baseline (since 1.2.0) */
  baselineState?: 'new' | 'unchanged';
  /** suppressed[] only, when the engine names the ignore entry (since 1.2.0) */
  suppression?: SuppressionInfo;
  /** the rule's OWASP NHI Top 10 (2025) risk ids (since 1.3.0) */
  owasp: OwaspNhi[];
}

export interface JsonConnectorRun {
  id: string;
  title: string;
  status: 'complete' | 'partial' | 'failed';
  target?: string;
  /** since 1.2.0 */
  targets: ScanTarget[];
  records: number;
  apiCalls: number;
  durationMs: number;
  error?: string;
  /** nhi merge: the shard the run read (since 1.4.0) */
  shard?: ShardRecord;
}

export interface JsonReportV1 {
  schemaVersion: string;
  /** informationUri: the project's home page, or "" while the package names none */
  tool: { name: string; version: string; informationUri: string };
  scan: {
    snapshotId: number | null;
    startedAt: string;
    finishedAt: string;
    asOf: string;
    incomplete: boolean;
    /** since 1.2.0 */
    deadlineSeconds?: number;
    connectors: JsonConnectorRun[];
  };
  summary: {
    identities: number;
    principals: number;
    credentials: number;
    /** `new`: with --baseline, findings not in it (since 1.2.0) */
    findings: { total: number; new?: number; bySeverity: Record<Severity, number>; byRule: Record<string, number> };
    suppressed: number;
    coverageGaps: number;
  };
  findings: JsonFinding[];
  suppressed: JsonFinding[];
  coverage: ReportInput['coverage'];
  identities: Array<PrincipalRow | CredentialRow>;
  rules: Array<{
    id: string;
    title: string;
    severity: Severity;
    confidence: Finding['confidence'];
    category: string;
    platforms: string[];
    /** OWASP NHI Top 10 (2025) risk ids (since 1.3.0) */
    owasp: OwaspNhi[];
    description: string;
    /** `docs/rules/<id>.md`, relative to the package root */
    helpUri: string;
  }>;
  drift?: Record<string, unknown>;
  driftUnavailable?: { reason: string; message: string };
  baseline?: { file: string; known: number; newFindings: number };
  /** since 1.2.0: what the configuration file changed (absent when none was read) */
  config?: ConfigEffect;
  /** since 1.3.0: which of the OWASP NHI Top 10 (2025) risks the scan covered, NHI1..NHI10 */
  owaspCoverage: OwaspRiskCoverage[];
}

function jsonFinding(graph: IdentityGraph, f: SuppressedFinding, state: 'new' | 'unchanged' | undefined, owasp: OwaspNhi[]): JsonFinding {
  const out: JsonFinding = {
    ruleId: f.ruleId,
    severity: f.severity,
    confidence: f.confidence,
    fingerprint: f.fingerprint,
    message: f.message,
    identity: identityRef(graph, f.nodeId),
    evidence: f.evidence.map((e) => ({ ...e })),
  } as JsonFinding;
  if (f.discriminator !== undefined) out.discriminator = f.discriminator;
  if (f.path?.length) {
    out.path = f.path.map((id) => {
      const r = identityRef(graph, id);
      return r.type ? { id, name: r.name, type: r.type } : { id, name: r.name };
    });
  }
  if (f.location) out.location = { ...f.location };
  if (state) out.baselineState = state;
  if (f.suppression) out.suppression = { ...f.suppression };
  out.owasp = [...owasp];
  return out;
}

function rows<T, U>(items: readonly T[], build: (t: T) => U, lazy?: boolean): U[] {
  if (!lazy) return items.map(build);
  return (function* () {
    for (const t of items) yield build(t);
  })() as unknown as U[];
}

function* concat<T>(...lists: ReadonlyArray<readonly T[]>): Iterable<T> {
  for (const l of lists) yield* l;
}

const findingRef = (f: Finding) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, nodeId: f.nodeId, message: f.message });

/** Build the v1 report object (exported for callers that post-process it; `renderJson` serialises it). */
export function buildJsonReport(input: ReportInput, opts: { lazy?: boolean } = {}): JsonReportV1 {
  const result = normalizeInput(input);
  const { graph } = result;
  const counts = countIdentities(graph);
  const principals = [...graph.principals()].map((p) => principalRow(graph, p)).sort(comparePrincipalRows);
  const credentials = [...graph.credentials()].map((c) => credentialRow(graph, c)).sort(compareCredentialRows);
  const suppressed = result.suppressed ?? [];
  const mark = baselineMarker(result);
  const fresh = newFindingCount(result);
  const byRule = ruleMap(result.rules);
  const owaspOf = (f: Finding) => ruleOwasp(byRule, f.ruleId);

  const report: JsonReportV1 = {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: result.tool.name, version: result.tool.version, informationUri: INFORMATION_URI ?? '' },
    scan: {
      snapshotId: result.snapshotId ?? null,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      asOf: result.asOf,
      incomplete: result.incomplete,
      connectors: result.connectors.map((c) => {
        const run: JsonConnectorRun = {
          id: c.id,
          title: c.title,
          status: c.status,
          targets: c.targets.map((t) => ({ ...t })),
          records: c.records,
          apiCalls: c.apiCalls,
          durationMs: c.durationMs,
        };
        if (c.target !== undefined) run.target = c.target;
        if (c.error !== undefined) run.error = c.error;
        if (c.shard) run.shard = { ...c.shard, targets: c.shard.targets.map((t) => ({ ...t })) };
        return run;
      }),
    },
    summary: {
      identities: counts.identities,
      principals: counts.principals,
      credentials: counts.credentials,
      findings: { total: result.findings.length, bySeverity: severityCounts(result.findings), byRule: ruleCounts(result.findings) },
      suppressed: suppressed.length,
      coverageGaps: result.coverage.filter((c) => c.incomplete).length,
    },
    // lazy (for renderJsonChunks): iterables that build each entry when it is written
    findings: rows(sortedFindings(result.findings), (f) => jsonFinding(graph, f, mark(f), owaspOf(f)), opts.lazy),
    suppressed: rows(sortedFindings(suppressed), (f) => jsonFinding(graph, f, mark(f), owaspOf(f)), opts.lazy),
    coverage: result.coverage.map((c) => ({ ...c })),
    identities: opts.lazy ? (concat<PrincipalRow | CredentialRow>(principals, credentials) as unknown as Array<PrincipalRow | CredentialRow>) : [...principals, ...credentials],
    rules: [...result.rules]
      // ids outside the documented form cannot come from the rule registry (its meta-test enforces the form)
      .filter((r) => RULE_ID.test(r.id))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((r) => ({
        id: r.id,
        title: r.title,
        severity: r.severity,
        confidence: r.confidence,
        category: r.category,
        platforms: [...r.platforms],
        owasp: [...r.owasp],
        description: r.description,
        helpUri: ruleDocPath(r.id),
      })),
    owaspCoverage: [],
  };
  if (result.deadlineSeconds !== undefined) report.scan.deadlineSeconds = result.deadlineSeconds;
  if (fresh !== undefined) report.summary.findings.new = fresh;

  const d = result.drift;
  if (d) {
    report.drift = {
      baseSnapshotId: d.base.snapshotId ?? null,
      baseAsOf: d.base.asOf ?? null,
      newFindings: d.findings.new.map(findingRef),
      resolvedFindings: d.findings.resolved.map(findingRef),
      identitiesAdded: d.identities.added,
      identitiesRemoved: d.identities.removed,
      credentialsAdded: d.credentials.added,
      credentialsRemoved: d.credentials.removed,
      credentialsChanged: d.credentials.changed,
      grantsAdded: d.grants.added,
      grantsRemoved: d.grants.removed,
      ownersGone: d.ownersGone,
      notRecheckedFindings: d.findings.notRechecked.map(findingRef),
      identitiesNotRechecked: d.identities.notRechecked,
      credentialsNotRechecked: d.credentials.notRechecked,
      grantsNotRechecked: d.grants.notRechecked,
      ...(d.base.targets ? { baseTargets: d.base.targets } : {}),
    };
  }
  if (result.driftUnavailable) report.driftUnavailable = { reason: result.driftUnavailable.reason, message: result.driftUnavailable.message };
  if (result.baseline) {
    report.baseline = { file: result.baseline.file, known: new Set(result.baseline.fingerprints).size, newFindings: fresh ?? 0 };
  }
  if (result.config) report.config = { ...result.config };
  report.owaspCoverage = scanOwaspCoverage(result);
  return report;
}

export function renderJson(result: ReportInput): string {
  return [...renderJsonChunks(result)].join('');
}

/** The top-level arrays that can hold one entry per finding or identity: streamed element by element. */
const STREAMED = ['findings', 'suppressed', 'identities'] as const;

/**
 * The report as `renderJson` prints it, in pieces: the large arrays (findings, suppressed findings, identities) are
 * serialised one element at a time, so a report of a hundred thousand identities never exists as one string (or
 * one object tree) in memory. Joined, the pieces are exactly `JSON.stringify(buildJsonReport(result), null, 2)`
 * plus a newline.
 */
export function* renderJsonChunks(result: ReportInput, chunkChars = 1 << 20): Iterable<string> {
  const report = buildJsonReport(result, { lazy: true });
  const lazy = report as unknown as Record<string, unknown>;
  const arrays = new Map<string, Iterable<unknown>>();
  // a marker no estate can spell: a fresh random id per report
  const nonce = randomUUID();
  STREAMED.forEach((k, i) => {
    arrays.set(k, lazy[k] as Iterable<unknown>);
    lazy[k] = `\u0000nhi-stream-${nonce}-${i}`;
  });
  const head = JSON.stringify(report, null, 2);
  let rest = head;
  let buf = '';
  for (let i = 0; i < STREAMED.length; i++) {
    const marker = JSON.stringify(`\u0000nhi-stream-${nonce}-${i}`);
    const at = rest.indexOf(marker);
    buf += rest.slice(0, at);
    rest = rest.slice(at + marker.length);
    let first = true;
    for (const el of arrays.get(STREAMED[i])!) {
      // the element as it sits two levels deep (four spaces in): stringified inside two arrays, the arrays cut off
      const nested = JSON.stringify([[el]], null, 2);
      buf += `${first ? '[\n' : ',\n'}    ${nested.slice(10, nested.length - 6)}`;
      first = false;
      if (buf.length >= chunkChars) {
        yield buf;
        buf = '';
      }
    }
    buf += first ? '[]' : '\n  ]';
  }
  yield `${buf}${rest}\n`;
}
