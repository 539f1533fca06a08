/**
 * JSON report v1 (schema: reports/json/report-v1.schema.json, documented in docs/json-report.md).
 * Versioning: additive changes bump the minor version of `schemaVersion`; anything breaking moves to 2.0.0.
 */
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { Evidence, Finding, Severity, SourceLocation } from '../../src/model/types.js';
import { INFORMATION_URI } from '../../src/version.js';
import {
  compareCredentialRows,
  comparePrincipalRows,
  countIdentities,
  credentialRow,
  identityRef,
  principalRow,
  ruleCounts,
  ruleHelpUri,
  severityCounts,
  sortedFindings,
  type CredentialRow,
  type IdentityRef,
  type PrincipalRow,
  type ReportInput,
} from '../shared.js';

export const JSON_SCHEMA_VERSION = '1.1.0';

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
}

export interface JsonReportV1 {
  schemaVersion: string;
  tool: { name: string; version: string; informationUri: string };
  scan: {
    snapshotId: number | null;
    startedAt: string;
    finishedAt: string;
    asOf: string;
    incomplete: boolean;
    connectors: Array<{
      id: string;
      title: string;
      status: 'complete' | 'partial' | 'failed';
      target?: string;
      records: number;
      apiCalls: number;
      durationMs: number;
      error?: string;
    }>;
  };
  summary: {
    identities: number;
    principals: number;
    credentials: number;
    findings: { total: number; bySeverity: Record<Severity, number>; byRule: Record<string, number> };
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
    description: string;
    helpUri: string;
  }>;
}

function jsonFinding(graph: IdentityGraph, f: Finding): JsonFinding {
  const out: JsonFinding = {
    ruleId: f.ruleId,
    severity: f.severity,
    confidence: f.confidence,
    fingerprint: f.fingerprint,
    message: f.message,
    identity: identityRef(graph, f.nodeId),
    evidence: f.evidence.map((e) => {
      const ev: Evidence = { description: e.description };
      if (e.source) ev.source = { connector: e.source.connector, source: e.source.source, observedAt: e.source.observedAt };
      if (e.data !== undefined) ev.data = e.data;
      return ev;
    }),
  };
  if (f.discriminator !== undefined) out.discriminator = f.discriminator;
  if (f.path?.length) {
    out.path = f.path.map((id) => {
      const r = identityRef(graph, id);
      return r.type ? { id, name: r.name, type: r.type } : { id, name: r.name };
    });
  }
  if (f.location) out.location = { ...f.location };
  return out;
}

/** Build the v1 report object (exported for callers that post-process it; `renderJson` serialises it). */
export function buildJsonReport(result: ReportInput): JsonReportV1 {
  const { graph } = result;
  const counts = countIdentities(graph);
  const principals = [...graph.principals()].map((p) => principalRow(graph, p)).sort(comparePrincipalRows);
  const credentials = [...graph.credentials()].map((c) => credentialRow(graph, c)).sort(compareCredentialRows);
  const suppressed = result.suppressed ?? [];
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: result.tool.name, version: result.tool.version, informationUri: INFORMATION_URI },
    scan: {
      snapshotId: result.snapshotId ?? null,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      asOf: result.asOf,
      incomplete: result.incomplete,
      connectors: result.connectors.map((c) => {
        const run: JsonReportV1['scan']['connectors'][number] = {
          id: c.id,
          title: c.title,
          status: c.status,
          records: c.records,
          apiCalls: c.apiCalls,
          durationMs: c.durationMs,
        };
        if (c.target !== undefined) run.target = c.target;
        if (c.error !== undefined) run.error = c.error;
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
    findings: sortedFindings(result.findings).map((f) => jsonFinding(graph, f)),
    suppressed: sortedFindings(suppressed).map((f) => jsonFinding(graph, f)),
    coverage: result.coverage.map((c) => ({ ...c })),
    identities: [...principals, ...credentials],
    rules: [...result.rules]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((r) => ({
        id: r.id,
        title: r.title,
        severity: r.severity,
        confidence: r.confidence,
        category: r.category,
        platforms: [...r.platforms],
        description: r.description,
        helpUri: ruleHelpUri(r.id),
      })),
  };
}

const findingRef = (f: Finding) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, nodeId: f.nodeId, message: f.message });

/** Drift and baseline sections (present only when the scan has them). */
function extras(result: ReportInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const d = result.drift;
  if (d) {
    out.drift = {
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
    };
  }
  if (result.baseline) {
    const known = new Set(result.baseline.fingerprints);
    out.baseline = { file: result.baseline.file, known: known.size, newFindings: result.findings.filter((f) => !known.has(f.fingerprint)).length };
  }
  return out;
}

export function renderJson(result: ReportInput): string {
  return `${JSON.stringify({ ...buildJsonReport(result), ...extras(result) }, null, 2)}\n`;
}
