import type { IdentityGraph } from '../graph/graph.js';
import { edgeKey } from '../graph/graph.js';
import type { CoverageNote, CredentialNode, Finding, IdentityEdge, IdentityNode } from '../model/types.js';
import { safeLabel, safeLine } from '../util/text.js';

/** Edge types that change what an identity can do or who can become it. */
export const GRANT_EDGE_TYPES = new Set(['GRANTED', 'CAN_ASSUME', 'MEMBER_OF', 'FEDERATES_TO']);

export interface NodeRef {
  id: string;
  kind: IdentityNode['kind'];
  type: string;
  name: string;
  scope?: string;
}

export interface EdgeRef {
  type: string;
  from: string;
  to: string;
  fromName: string;
  toName: string;
}

/**
 * What changed since the earlier snapshot of the same targets.
 *
 * `notRechecked`: things the earlier snapshot had that the newer scan did not see, where the newer scan also has an
 * incomplete coverage note for their connector and scope (the source could not be read, timed out, was cut short).
 * They may be fixed or may only be unseen, so they are listed apart and never counted as resolved or removed.
 */
export interface Drift {
  /** the snapshot compared against, and the target ids both scans share (when known) */
  base: { snapshotId?: number; asOf?: string; targets?: string[] };
  findings: { new: Finding[]; resolved: Finding[]; notRechecked: Finding[]; unchanged: number };
  identities: { added: NodeRef[]; removed: NodeRef[]; notRechecked: NodeRef[] };
  credentials: {
    added: NodeRef[];
    removed: NodeRef[];
    /** became active, or were rotated (new creation date) */
    changed: NodeRef[];
    notRechecked: NodeRef[];
  };
  grants: { added: EdgeRef[]; removed: EdgeRef[]; notRechecked: EdgeRef[] };
  /** identities whose owner edge disappeared (owner tag removed or changed) */
  ownersGone: NodeRef[];
}

/**
 * Why a scan that was stored has no drift section (ScanResult.driftUnavailable). `message` is one sanitised line
 * without a prefix; renderers show it as `drift: <message>`.
 */
export interface DriftUnavailable {
  reason:
    | 'first-snapshot' // the store held no snapshot before this one
    | 'unidentified' // a connector run reported no target: this scan cannot be matched with another
    | 'no-earlier-snapshot' // no earlier snapshot of the same targets (with the same connectors)
    | 'store-error'; // the store could not be read; the message says why
  message: string;
}

/** `drift: <message>` for one line of text. */
export function renderDriftUnavailable(u: DriftUnavailable): string {
  return `drift: ${safeLine(u.message)}`;
}

function ref(n: IdentityNode): NodeRef {
  return { id: n.id, kind: n.kind, type: n.type, name: n.name, ...(n.scope ? { scope: n.scope } : {}) };
}

function edgeRef(e: IdentityEdge, g: IdentityGraph): EdgeRef {
  return { type: e.type, from: e.from, to: e.to, fromName: g.node(e.from)?.name ?? e.from, toName: g.node(e.to)?.name ?? e.to };
}

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
const byEdge = (a: EdgeRef, b: EdgeRef) => a.type.localeCompare(b.type) || a.from.localeCompare(b.from) || a.to.localeCompare(b.to);

/** Is this coverage note about the place this node (or finding) came from? */
function scopeMatches(noteScope: string | undefined, scope: string | undefined): boolean {
  if (noteScope === undefined || noteScope === '' || scope === undefined || scope === '') return true;
  return noteScope === scope || scope.startsWith(`${noteScope}/`) || noteScope.startsWith(`${scope}/`);
}

/**
 * Decides whether something the earlier snapshot had could have been seen by the newer scan: false when the newer
 * scan has an incomplete coverage note for one of its connectors (from the provenance, else the platform) whose scope
 * is its scope (a note without a scope covers the whole connector).
 */
function recheckTest(coverage: readonly CoverageNote[]): (connectors: Iterable<string>, scope: string | undefined) => boolean {
  const gaps = coverage.filter((c) => c.incomplete);
  if (gaps.length === 0) return () => true;
  return (connectors, scope) => {
    const ids = new Set(connectors);
    if (ids.size === 0) return false; // nothing says where it came from: an incomplete scan cannot vouch for it
    return !gaps.some((c) => ids.has(c.connector) && scopeMatches(c.scope, scope));
  };
}

function nodeConnectors(n: IdentityNode): string[] {
  const ids = (n.provenance ?? []).map((p) => p.connector).filter((c): c is string => typeof c === 'string' && c !== '');
  return ids.length > 0 ? ids : [n.platform];
}

/**
 * What changed between two scans of the same estate: findings by fingerprint, identities and credentials by id,
 * grants and trust by edge. Pure: both graphs are already loaded. `current.coverage` (default: the graph's notes)
 * decides what the newer scan could not re-check (see Drift.notRechecked).
 */
export function diffScans(
  base: { graph: IdentityGraph; findings: Finding[]; snapshotId?: number; asOf?: string; targets?: string[] },
  current: { graph: IdentityGraph; findings: Finding[]; coverage?: readonly CoverageNote[] },
): Drift {
  const rechecked = recheckTest(current.coverage ?? current.graph.coverage);
  const nodeRechecked = (n: IdentityNode | undefined) => (n ? rechecked(nodeConnectors(n), n.scope) : true);
  const findingRechecked = (f: Finding) => {
    const n = base.graph.node(f.nodeId);
    if (n) return nodeRechecked(n);
    const from = new Set<string>();
    for (const e of f.evidence ?? []) if (e?.source?.connector) from.add(e.source.connector);
    const platform = f.nodeId.split(':')[0];
    if (platform && f.nodeId.includes(':')) from.add(platform);
    return rechecked(from, undefined);
  };

  const oldFp = new Set(base.findings.map((f) => f.fingerprint));
  const newFp = new Set(current.findings.map((f) => f.fingerprint));
  const added = current.findings.filter((f) => !oldFp.has(f.fingerprint));
  const gone = base.findings.filter((f) => !newFp.has(f.fingerprint));
  const resolved = gone.filter(findingRechecked);
  const findingsNotRechecked = gone.filter((f) => !findingRechecked(f));

  const identities = { added: [] as NodeRef[], removed: [] as NodeRef[], notRechecked: [] as NodeRef[] };
  const credentials = { added: [] as NodeRef[], removed: [] as NodeRef[], changed: [] as NodeRef[], notRechecked: [] as NodeRef[] };
  for (const n of current.graph.nodes.values()) {
    const before = base.graph.node(n.id);
    if (n.kind === 'principal' && !before) identities.added.push(ref(n));
    if (n.kind === 'credential') {
      if (!before) credentials.added.push(ref(n));
      else if (before.kind === 'credential') {
        const b = before as CredentialNode;
        if ((n.active && !b.active) || (n.createdAt && b.createdAt && n.createdAt !== b.createdAt)) credentials.changed.push(ref(n));
      }
    }
  }
  for (const n of base.graph.nodes.values()) {
    if (current.graph.node(n.id)) continue;
    const seen = nodeRechecked(n);
    if (n.kind === 'principal') (seen ? identities.removed : identities.notRechecked).push(ref(n));
    if (n.kind === 'credential') (seen ? credentials.removed : credentials.notRechecked).push(ref(n));
  }

  const grants = { added: [] as EdgeRef[], removed: [] as EdgeRef[], notRechecked: [] as EdgeRef[] };
  const baseEdges = new Set(base.graph.edges.filter((e) => GRANT_EDGE_TYPES.has(e.type)).map(edgeKey));
  const curEdges = new Set<string>();
  for (const e of current.graph.edges) {
    if (!GRANT_EDGE_TYPES.has(e.type)) continue;
    const k = edgeKey(e);
    curEdges.add(k);
    if (!baseEdges.has(k)) grants.added.push(edgeRef(e, current.graph));
  }
  for (const e of base.graph.edges) {
    if (!GRANT_EDGE_TYPES.has(e.type) || curEdges.has(edgeKey(e))) continue;
    const seen = nodeRechecked(base.graph.node(e.from)) && nodeRechecked(base.graph.node(e.to));
    (seen ? grants.removed : grants.notRechecked).push(edgeRef(e, base.graph));
  }

  const ownersGone: NodeRef[] = [];
  for (const n of current.graph.nodes.values()) {
    if (n.kind !== 'principal' || !base.graph.node(n.id)) continue;
    const had = base.graph.out(n.id, 'OWNED_BY').length > 0;
    const has = current.graph.out(n.id, 'OWNED_BY').length > 0;
    // an owner tag that could not be read this time (tags call denied) is not an owner gone
    if (had && !has && nodeRechecked(n)) ownersGone.push(ref(n));
  }

  return {
    base: { snapshotId: base.snapshotId, asOf: base.asOf, ...(base.targets ? { targets: [...base.targets] } : {}) },
    findings: { new: added, resolved, notRechecked: findingsNotRechecked, unchanged: current.findings.length - added.length },
    identities: { added: identities.added.sort(byId), removed: identities.removed.sort(byId), notRechecked: identities.notRechecked.sort(byId) },
    credentials: {
      added: credentials.added.sort(byId),
      removed: credentials.removed.sort(byId),
      changed: credentials.changed.sort(byId),
      notRechecked: credentials.notRechecked.sort(byId),
    },
    grants: { added: grants.added.sort(byEdge), removed: grants.removed.sort(byEdge), notRechecked: grants.notRechecked.sort(byEdge) },
    ownersGone: ownersGone.sort(byId),
  };
}

/** Things the newer scan could not re-check (see Drift.notRechecked). */
export function notRecheckedCount(d: Drift): number {
  return (
    (d.findings.notRechecked?.length ?? 0) +
    (d.identities.notRechecked?.length ?? 0) +
    (d.credentials.notRechecked?.length ?? 0) +
    (d.grants.notRechecked?.length ?? 0)
  );
}

/** True when nothing changed and nothing went un-re-checked. */
export function driftIsEmpty(d: Drift): boolean {
  return (
    d.findings.new.length + d.findings.resolved.length + d.identities.added.length + d.identities.removed.length +
      d.credentials.added.length + d.credentials.removed.length + d.credentials.changed.length + d.grants.added.length +
      d.grants.removed.length + d.ownersGone.length + notRecheckedCount(d) ===
    0
  );
}

/**
 * Plain-text drift summary (for `nhi diff` and the terminal report). Every value that came from an estate or a store
 * (names, types, messages, rule ids, dates) goes through safeLine: no escape sequence, control character or line
 * break of theirs reaches the terminal.
 */
export function renderDriftText(d: Drift, opts: { max?: number } = {}): string {
  const max = opts.max ?? 10;
  const lines: string[] = [];
  const asOf = d.base.asOf ? safeLine(d.base.asOf).slice(0, 10) : undefined;
  const base = d.base.snapshotId ? `snapshot ${d.base.snapshotId}${asOf ? ` (${asOf})` : ''}` : 'the baseline';
  if (driftIsEmpty(d)) return `No change since ${base}.`;
  lines.push(`Changes since ${base}:`);
  const list = <T>(title: string, items: T[] | undefined, fmt: (x: T) => string) => {
    if (!items || items.length === 0) return;
    lines.push(`  ${title} (${items.length})`);
    for (const x of items.slice(0, max)) lines.push(`    ${fmt(x)}`);
    if (items.length > max) lines.push(`    … and ${items.length - max} more`);
  };
  const s = (v: unknown) => safeLabel(v, 300);
  const finding = (f: Finding) => `[${s(f.severity)}] ${s(f.ruleId)}: ${s(f.message)}`;
  const node = (n: NodeRef) => `${s(n.type)} ${s(n.name)}`;
  const edge = (e: EdgeRef) => `${s(e.fromName)} ${s(e.type)} ${s(e.toName)}`;
  list('new findings', d.findings.new, (f) => `+ ${finding(f)}`);
  list('resolved findings', d.findings.resolved, (f) => `- ${finding(f)}`);
  list('new identities', d.identities.added, (n) => `+ ${node(n)}`);
  list('removed identities', d.identities.removed, (n) => `- ${node(n)}`);
  list('new credentials', d.credentials.added, (n) => `+ ${node(n)}`);
  list('rotated or re-activated credentials', d.credentials.changed, (n) => `~ ${node(n)}`);
  list('removed credentials', d.credentials.removed, (n) => `- ${node(n)}`);
  list('new grants and trust', d.grants.added, (e) => `+ ${edge(e)}`);
  list('removed grants and trust', d.grants.removed, (e) => `- ${edge(e)}`);
  list('owners gone', d.ownersGone, (n) => `! ${node(n)} has no owner tag any more`);
  list('findings not re-checked (their source could not be read this time)', d.findings.notRechecked, (f) => `? ${finding(f)}`);
  const unseen = (d.identities.notRechecked?.length ?? 0) + (d.credentials.notRechecked?.length ?? 0) + (d.grants.notRechecked?.length ?? 0);
  if (unseen > 0) {
    lines.push(
      `  not re-checked: ${d.identities.notRechecked?.length ?? 0} identities, ${d.credentials.notRechecked?.length ?? 0} credentials and ` +
        `${d.grants.notRechecked?.length ?? 0} grants were not seen, but their source could not be read this time (not counted as removed)`,
    );
  }
  return lines.join('\n');
}
