/**
 * Helpers every renderer shares. Renderers are pure functions of a ScanResult: they never decide severity, never
 * read the clock and never print `attributes` blobs or policy documents wholesale (only names, ids, dates, scopes).
 */
import { ownerOf } from '../src/graph/derive.js';
import { usageRecordStart, type IdentityGraph } from '../src/graph/graph.js';
import type { ScanResult } from '../src/model/result.js';
import type { CredentialNode, Finding, IdentityNode, PrincipalNode, Severity } from '../src/model/types.js';
import { SEVERITIES, SEVERITY_RANK } from '../src/model/types.js';
import type { RuleMeta } from '../src/rules/types.js';
import { INFORMATION_URI } from '../src/version.js';

/** What every renderer accepts: the engine's result, optionally with the findings suppressed by the config. */
export type ReportInput = ScanResult & { suppressed?: Finding[] };

/**
 * Principal types that are not identities on their own: a group only carries grants; `anyone`, cloud service
 * principals and identity providers are trust anchors, not something a workload authenticates as. They stay in the
 * graph and the inventory but are not counted as identities.
 */
export const NON_IDENTITY_TYPES: ReadonlySet<string> = new Set([
  'iam-group',
  'group',
  'anyone',
  'service-principal',
  'oidc-provider',
  'saml-provider',
]);

/** One printable line: ANSI escape sequences are dropped, other control characters and line breaks become spaces. */
export function oneLine(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}

export function isIdentity(n: IdentityNode): n is PrincipalNode {
  return n.kind === 'principal' && !NON_IDENTITY_TYPES.has(n.type);
}

export function countIdentities(graph: IdentityGraph): { identities: number; principals: number; credentials: number } {
  let identities = 0;
  let principals = 0;
  let credentials = 0;
  for (const n of graph.nodes.values()) {
    if (n.kind === 'principal') {
      principals++;
      if (isIdentity(n)) identities++;
    } else if (n.kind === 'credential') credentials++;
  }
  return { identities, principals, credentials };
}

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const out = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) out[f.severity]++;
  return out;
}

export function ruleCounts(findings: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of [...findings].sort((a, b) => a.ruleId.localeCompare(b.ruleId))) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  return out;
}

/** Findings in report order: severity (highest first), rule, subject, discriminator. Does not mutate the input. */
export function sortedFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.nodeId.localeCompare(b.nodeId) ||
      (a.discriminator ?? '').localeCompare(b.discriminator ?? '') ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}

export function ruleMap(rules: readonly RuleMeta[]): Map<string, RuleMeta> {
  return new Map(rules.map((r) => [r.id, r]));
}

/** The documentation page of a rule. */
export function ruleHelpUri(ruleId: string): string {
  return `${INFORMATION_URI}/blob/main/docs/rules/${encodeURIComponent(ruleId)}.md`;
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
  const platform = parts.length >= 3 ? parts[0] : undefined;
  const type = parts.length >= 3 ? parts[1] : undefined;
  const native = parts.length >= 3 ? parts.slice(2).join(':') : id;
  const name = native.split('/').filter(Boolean).pop() ?? native;
  return { id, name, platform, type };
}

export function identityRef(graph: IdentityGraph, nodeId: string): IdentityRef {
  const n = graph.node(nodeId);
  if (!n) return refFromId(nodeId);
  const ref: IdentityRef = { id: n.id, name: n.name, kind: n.kind, type: n.type, platform: n.platform };
  if (n.scope !== undefined) ref.scope = n.scope;
  if (n.externalId !== undefined) ref.externalId = n.externalId;
  if (n.kind === 'credential') {
    const h = graph.holderOf(n.id);
    if (h) ref.holder = { id: h.id, name: h.name, type: h.type };
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
export function dayOrSentinel(iso: string | null | undefined, recordedSince?: string): string {
  if (iso === null) return recordedSince ? `none since ${recordedSince.slice(0, 10)}` : 'never';
  if (iso === undefined || iso === '') return 'unknown';
  return iso.slice(0, 10);
}

/** Targets of the scan, one per connector run: `aws (demo estate)`. */
export function targets(result: ScanResult): string[] {
  return result.connectors.map((c) => (c.target ? `${c.id} (${c.target})` : c.id));
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

/** Owner name of a node (OWNED_BY edge), if any. */
export function ownerName(graph: IdentityGraph, nodeId: string): string | undefined {
  return ownerOf(graph, nodeId);
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

export function principalRow(graph: IdentityGraph, p: PrincipalNode): PrincipalRow {
  const row: PrincipalRow = {
    id: p.id,
    kind: 'principal',
    platform: p.platform,
    type: p.type,
    name: p.name,
    accountType: p.accountType,
    credentialCount: graph.credentialsOf(p.id).length,
  };
  if (p.externalId !== undefined) row.externalId = p.externalId;
  if (p.scope !== undefined) row.scope = p.scope;
  if (p.createdAt !== undefined) row.createdAt = p.createdAt;
  if (p.disabled !== undefined) row.disabled = p.disabled;
  const activity = graph.lastActivity(p.id);
  if (activity) row.lastActivityAt = activity.lastUsedAt;
  const since = activity?.lastUsedAt === null ? usageRecordStart(activity.sources) : undefined;
  if (since && (!p.createdAt || p.createdAt < since)) row.usageRecordedSince = since;
  const owner = ownerOf(graph, p.id);
  if (owner !== undefined) row.owner = owner;
  return row;
}

export function credentialRow(graph: IdentityGraph, c: CredentialNode): CredentialRow {
  const row: CredentialRow = {
    id: c.id,
    kind: 'credential',
    platform: c.platform,
    type: c.type,
    credentialType: c.credentialType,
    name: c.name,
    active: c.active,
  };
  if (c.externalId !== undefined) row.externalId = c.externalId;
  if (c.scope !== undefined) row.scope = c.scope;
  const h = graph.holderOf(c.id);
  if (h) row.holder = { id: h.id, name: h.name, type: h.type };
  if (c.createdAt !== undefined) row.createdAt = c.createdAt;
  if (c.lastRotatedAt !== undefined) row.lastRotatedAt = c.lastRotatedAt;
  if (c.lastUsedAt !== undefined) row.lastUsedAt = c.lastUsedAt;
  const since = c.lastUsedAt === null ? usageRecordStart([c]) : undefined;
  if (since && (!c.createdAt || c.createdAt < since)) row.usageRecordedSince = since;
  if (c.expiresAt !== undefined) row.expiresAt = c.expiresAt;
  return row;
}

const cmp = (a: string | undefined, b: string | undefined) => (a ?? '').localeCompare(b ?? '');

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
