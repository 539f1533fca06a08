import type { IdentityGraph } from '../graph/graph.js';
import { edgeKey } from '../graph/graph.js';
import type { CredentialNode, Finding, IdentityEdge, IdentityNode } from '../model/types.js';

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

export interface Drift {
  /** the snapshot compared against */
  base: { snapshotId?: number; asOf?: string };
  findings: { new: Finding[]; resolved: Finding[]; unchanged: number };
  identities: { added: NodeRef[]; removed: NodeRef[] };
  credentials: { added: NodeRef[]; removed: NodeRef[]; /** became active, or were rotated (new creation date) */ changed: NodeRef[] };
  grants: { added: EdgeRef[]; removed: EdgeRef[] };
  /** identities whose owner edge disappeared (owner tag removed or changed) */
  ownersGone: NodeRef[];
}

function ref(n: IdentityNode): NodeRef {
  return { id: n.id, kind: n.kind, type: n.type, name: n.name, ...(n.scope ? { scope: n.scope } : {}) };
}

function edgeRef(e: IdentityEdge, g: IdentityGraph): EdgeRef {
  return { type: e.type, from: e.from, to: e.to, fromName: g.node(e.from)?.name ?? e.from, toName: g.node(e.to)?.name ?? e.to };
}

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
const byEdge = (a: EdgeRef, b: EdgeRef) => a.type.localeCompare(b.type) || a.from.localeCompare(b.from) || a.to.localeCompare(b.to);

/**
 * What changed between two scans of the same estate: findings by fingerprint, identities and credentials by id,
 * grants and trust by edge. Pure: both graphs are already loaded.
 */
export function diffScans(
  base: { graph: IdentityGraph; findings: Finding[]; snapshotId?: number; asOf?: string },
  current: { graph: IdentityGraph; findings: Finding[] },
): Drift {
  const oldFp = new Set(base.findings.map((f) => f.fingerprint));
  const newFp = new Set(current.findings.map((f) => f.fingerprint));
  const added = current.findings.filter((f) => !oldFp.has(f.fingerprint));
  const resolved = base.findings.filter((f) => !newFp.has(f.fingerprint));

  const identities = { added: [] as NodeRef[], removed: [] as NodeRef[] };
  const credentials = { added: [] as NodeRef[], removed: [] as NodeRef[], changed: [] as NodeRef[] };
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
    if (n.kind === 'principal') identities.removed.push(ref(n));
    if (n.kind === 'credential') credentials.removed.push(ref(n));
  }

  const grants = { added: [] as EdgeRef[], removed: [] as EdgeRef[] };
  const baseEdges = new Set(base.graph.edges.filter((e) => GRANT_EDGE_TYPES.has(e.type)).map(edgeKey));
  const curEdges = new Set<string>();
  for (const e of current.graph.edges) {
    if (!GRANT_EDGE_TYPES.has(e.type)) continue;
    const k = edgeKey(e);
    curEdges.add(k);
    if (!baseEdges.has(k)) grants.added.push(edgeRef(e, current.graph));
  }
  for (const e of base.graph.edges) {
    if (GRANT_EDGE_TYPES.has(e.type) && !curEdges.has(edgeKey(e))) grants.removed.push(edgeRef(e, base.graph));
  }

  const ownersGone: NodeRef[] = [];
  for (const n of current.graph.nodes.values()) {
    if (n.kind !== 'principal' || !base.graph.node(n.id)) continue;
    const had = base.graph.out(n.id, 'OWNED_BY').length > 0;
    const has = current.graph.out(n.id, 'OWNED_BY').length > 0;
    if (had && !has) ownersGone.push(ref(n));
  }

  return {
    base: { snapshotId: base.snapshotId, asOf: base.asOf },
    findings: { new: added, resolved, unchanged: current.findings.length - added.length },
    identities: { added: identities.added.sort(byId), removed: identities.removed.sort(byId) },
    credentials: { added: credentials.added.sort(byId), removed: credentials.removed.sort(byId), changed: credentials.changed.sort(byId) },
    grants: { added: grants.added.sort(byEdge), removed: grants.removed.sort(byEdge) },
    ownersGone: ownersGone.sort(byId),
  };
}

/** True when nothing changed. */
export function driftIsEmpty(d: Drift): boolean {
  return (
    d.findings.new.length + d.findings.resolved.length + d.identities.added.length + d.identities.removed.length +
      d.credentials.added.length + d.credentials.removed.length + d.credentials.changed.length + d.grants.added.length +
      d.grants.removed.length + d.ownersGone.length ===
    0
  );
}

/** Plain-text drift summary (for `nhi diff` and the terminal report). */
export function renderDriftText(d: Drift, opts: { max?: number } = {}): string {
  const max = opts.max ?? 10;
  const lines: string[] = [];
  const base = d.base.snapshotId ? `snapshot ${d.base.snapshotId}${d.base.asOf ? ` (${d.base.asOf.slice(0, 10)})` : ''}` : 'the baseline';
  if (driftIsEmpty(d)) return `No change since ${base}.`;
  lines.push(`Changes since ${base}:`);
  const list = <T>(title: string, items: T[], fmt: (x: T) => string) => {
    if (items.length === 0) return;
    lines.push(`  ${title} (${items.length})`);
    for (const x of items.slice(0, max)) lines.push(`    ${fmt(x)}`);
    if (items.length > max) lines.push(`    … and ${items.length - max} more`);
  };
  list('new findings', d.findings.new, (f) => `+ [${f.severity}] ${f.ruleId}: ${f.message}`);
  list('resolved findings', d.findings.resolved, (f) => `- [${f.severity}] ${f.ruleId}: ${f.message}`);
  list('new identities', d.identities.added, (n) => `+ ${n.type} ${n.name}`);
  list('removed identities', d.identities.removed, (n) => `- ${n.type} ${n.name}`);
  list('new credentials', d.credentials.added, (n) => `+ ${n.type} ${n.name}`);
  list('rotated or re-activated credentials', d.credentials.changed, (n) => `~ ${n.type} ${n.name}`);
  list('removed credentials', d.credentials.removed, (n) => `- ${n.type} ${n.name}`);
  list('new grants and trust', d.grants.added, (e) => `+ ${e.fromName} ${e.type} ${e.toName}`);
  list('removed grants and trust', d.grants.removed, (e) => `- ${e.fromName} ${e.type} ${e.toName}`);
  list('owners gone', d.ownersGone, (n) => `! ${n.type} ${n.name} has no owner tag any more`);
  return lines.join('\n');
}
