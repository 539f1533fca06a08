/**
 * SARIF 2.1.0 for GitHub code scanning (docs/sarif.md). One run per file; identity findings get a stable pseudo-path
 * as their artifact location (GitHub rejects results with logical locations only) plus the cloud identifier as a
 * logical location; fingerprints are set here because there is no file for the uploader to hash.
 */
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { Confidence, CoverageNote, Finding, Severity } from '../../src/model/types.js';
import type { RuleMeta } from '../../src/rules/types.js';
import { INFORMATION_URI } from '../../src/version.js';
import { identityRef, pathText, ruleHelpUri, sortedFindings, type ReportInput } from '../shared.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** GitHub code scanning accepts at most 25,000 results per run. */
export const MAX_SARIF_RESULTS = 25_000;

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
  /** keep suppressed findings as results with `suppressions: [{ kind: 'external' }]` (GitHub ignores them) */
  includeSuppressed?: boolean;
  /** results per run before truncation (default and maximum 25,000) */
  maxResults?: number;
}

interface SarifMessage {
  text: string;
  markdown?: string;
}

interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  descriptor?: { id: string };
  properties?: Record<string, unknown>;
}

interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: string; 'security-severity': string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: Array<{
    physicalLocation: {
      artifactLocation: { uri: string };
      region: { startLine: number; startColumn?: number; endLine?: number; endColumn?: number };
    };
    logicalLocations: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
  }>;
  partialFingerprints: Record<string, string>;
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

/** `credential-not-rotated` → `CredentialNotRotated` (SARIF rule `name`). */
function pascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** Percent-encode everything outside RFC 3986 unreserved characters, so a segment can never add `/` or `..`. */
function segment(value: string | undefined, fallback: string): string {
  const v = value && value.length ? value : fallback;
  const enc = [...Buffer.from(v, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9_~-]/.test(c) || (c === '.' && v !== '.' && v !== '..') ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return enc;
}

/**
 * The stable pseudo-path of a node: `nhi/<platform>/<scope or _>/<type>/<name>`, e.g.
 * `nhi/aws/123456789012/iam-role/gha-deploy`. Unknown nodes fall back to `nhi/_/_/_/<encoded node id>`.
 */
export function pseudoPath(graph: IdentityGraph, nodeId: string): string {
  const n = graph.node(nodeId);
  if (!n) return ['nhi', '_', '_', '_', segment(nodeId, '_')].join('/');
  return ['nhi', segment(n.platform, '_'), segment(n.scope, '_'), segment(n.type, '_'), segment(n.name, segment(n.id, '_'))].join('/');
}

function ruleHelp(r: RuleInfo): { text: string; markdown: string } {
  const text = [r.description, '', `Risk: ${r.risk}`, '', `Remediation: ${r.remediation.text}`];
  const md = [r.description, '', '**Risk.** ' + r.risk, '', '**Remediation.** ' + r.remediation.text];
  if (r.remediation.cli) {
    text.push('', `CLI: ${r.remediation.cli}`);
    md.push('', '```sh', r.remediation.cli, '```');
  }
  if (r.remediation.terraform) {
    text.push('', `Terraform: ${r.remediation.terraform}`);
    md.push('', '```hcl', r.remediation.terraform, '```');
  }
  md.push('', `[Rule documentation](${ruleHelpUri(r.id)})`);
  return { text: text.join('\n'), markdown: md.join('\n') };
}

function ruleDescriptor(r: RuleInfo): SarifReportingDescriptor {
  const platforms = r.platforms.filter((p) => p !== '*');
  const tags = [...new Set(['security', r.category, ...platforms, 'non-human-identity'])].slice(0, 20);
  return {
    id: r.id,
    name: pascal(r.id),
    shortDescription: { text: r.title },
    fullDescription: { text: r.description },
    help: ruleHelp(r),
    helpUri: ruleHelpUri(r.id),
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
    description: `Findings of rule ${id}.`,
    risk: 'See the rule documentation.',
    remediation: { text: 'See the rule documentation.' },
  };
}

function resultFor(result: ReportInput, f: Finding, ruleIndex: number, suppressed: boolean): SarifResult {
  const { graph } = result;
  const ref = identityRef(graph, f.nodeId);
  const loc = f.location;
  const uri = loc?.uri ? loc.uri : pseudoPath(graph, f.nodeId);
  const region: SarifResult['locations'][number]['physicalLocation']['region'] = { startLine: loc?.startLine && loc.startLine > 0 ? loc.startLine : 1 };
  if (loc?.startColumn && loc.startColumn > 0) region.startColumn = loc.startColumn;
  if (loc?.endLine && loc.endLine >= region.startLine) region.endLine = loc.endLine;
  if (loc?.endColumn && loc.endColumn > 0) region.endColumn = loc.endColumn;

  const lines = [f.message];
  if (f.evidence[0]) lines.push(`Evidence: ${f.evidence[0].description}`);
  if (f.path?.length) lines.push(`Path: ${pathText(graph, f.path)}`);

  const properties: Record<string, unknown> = {
    identity: ref.id,
    identityName: ref.name,
    severity: f.severity,
    confidence: f.confidence,
    evidence: f.evidence.map((e) => e.description),
  };
  if (ref.type) properties.identityType = ref.type;
  if (ref.scope) properties.scope = ref.scope;
  if (f.path?.length) properties.path = [...f.path];

  const out: SarifResult = {
    ruleId: f.ruleId,
    ruleIndex,
    level: SEVERITY_TO_LEVEL[f.severity],
    message: { text: lines.join('\n') },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri }, region },
        logicalLocations: [{ name: ref.name, fullyQualifiedName: ref.externalId ?? ref.id, kind: 'resource' }],
      },
    ],
    partialFingerprints: {
      primaryLocationLineHash: `${f.fingerprint}:1`,
      'nhiFingerprint/v1': f.fingerprint,
    },
    properties,
  };
  if (suppressed) out.suppressions = [{ kind: 'external', status: 'accepted', justification: 'suppressed by an ignore entry in the nhi-drift configuration' }];
  return out;
}

function coverageNotification(c: CoverageNote): SarifNotification {
  const where = c.scope ? ` (${c.scope})` : '';
  return {
    level: c.incomplete ? 'warning' : 'note',
    message: { text: `${c.connector}: ${c.source}${where}: ${c.message}. Impact: ${c.impact}` },
    descriptor: { id: `coverage/${c.reason}` },
    properties: {
      connector: c.connector,
      source: c.source,
      ...(c.scope ? { scope: c.scope } : {}),
      reason: c.reason,
      impact: c.impact,
      incomplete: c.incomplete,
    },
  };
}

/** `nhi/aws-prod` + run → `nhi/aws-prod/<run>`; the run part comes from the snapshot id or the evaluation time. */
export function automationId(result: ReportInput, category: string | undefined): string {
  const cat = (category ?? 'nhi').trim().replace(/\/+$/, '') || 'nhi';
  const run = result.snapshotId !== undefined ? `snapshot-${result.snapshotId}` : result.asOf.replace(/[^0-9TZ]/g, '');
  return `${cat}/${run}`;
}

export function buildSarif(result: ReportInput, opts: SarifOptions = {}): SarifLog {
  const max = Math.min(Math.max(opts.maxResults ?? MAX_SARIF_RESULTS, 0), MAX_SARIF_RESULTS);
  const kept = sortedFindings(result.findings).map((f) => ({ f, suppressed: false }));
  const supp = opts.includeSuppressed ? sortedFindings(result.suppressed ?? []).map((f) => ({ f, suppressed: true })) : [];
  const all = [...kept, ...supp];

  // rules: the ones that ran, sorted by id, plus placeholders for any rule id only findings mention
  const metas: RuleInfo[] = [...result.rules].sort((a, b) => a.id.localeCompare(b.id));
  const known = new Set(metas.map((r) => r.id));
  for (const { f } of all) {
    if (!known.has(f.ruleId)) {
      known.add(f.ruleId);
      metas.push(placeholderRule(f.ruleId, f));
    }
  }
  const index = new Map(metas.map((r, i) => [r.id, i]));

  const shown = all.slice(0, max);
  const notifications: SarifNotification[] = result.coverage.map(coverageNotification);
  if (all.length > shown.length) {
    notifications.push({
      level: 'warning',
      message: {
        text: `${all.length - shown.length} of ${all.length} results were left out: GitHub code scanning accepts at most ${max} results per run (lowest severities dropped first). Use --format json for the full list.`,
      },
      descriptor: { id: 'sarif/results-truncated' },
    });
  }
  for (const c of result.connectors) {
    if (c.status === 'failed') {
      notifications.push({
        level: 'error',
        message: { text: `${c.id}: the ${c.title} scan failed${c.error ? `: ${c.error}` : ''}` },
        descriptor: { id: 'connector/failed' },
      });
    }
  }

  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: result.tool.name,
        version: result.tool.version,
        semanticVersion: result.tool.version,
        informationUri: INFORMATION_URI,
        rules: metas.map(ruleDescriptor),
      },
    },
    automationDetails: { id: automationId(result, opts.category) },
    invocations: [
      {
        executionSuccessful: !result.connectors.some((c) => c.status === 'failed'),
        startTimeUtc: result.startedAt,
        endTimeUtc: result.finishedAt,
        toolExecutionNotifications: notifications,
      },
    ],
    results: shown.map(({ f, suppressed }) => resultFor(result, f, index.get(f.ruleId)!, suppressed)),
    properties: {
      asOf: result.asOf,
      incomplete: result.incomplete,
      ...(result.snapshotId !== undefined ? { snapshotId: result.snapshotId } : {}),
    },
  };
  return { $schema: SARIF_SCHEMA_URI, version: SARIF_VERSION, runs: [run] };
}

export function renderSarif(result: ReportInput, opts: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(result, opts), null, 2)}\n`;
}
