/** Helpers for the Google Cloud rules (not a rule itself). */
import type { IdentityGraph } from '../graph/graph.js';
import type { EntitlementNode, IdentityEdge, PrincipalNode } from '../model/types.js';

export interface BindingRef {
  binding: EntitlementNode;
  role: string;
  resource: string;
  condition?: string;
  edge: IdentityEdge;
}

/** Role bindings a member holds (member → binding GRANTED edges). */
export function bindingsOf(graph: IdentityGraph, memberId: string): BindingRef[] {
  const out: BindingRef[] = [];
  for (const e of graph.out(memberId, 'GRANTED')) {
    const b = graph.node(e.to);
    if (b?.kind !== 'entitlement' || b.type !== 'role-binding') continue;
    const doc = (b.document ?? {}) as { role?: string; resource?: string; condition?: { expression?: string } };
    if (!doc.role || !doc.resource) continue;
    out.push({ binding: b, role: doc.role, resource: doc.resource, condition: doc.condition?.expression, edge: e });
  }
  return out;
}

/** Customer service accounts (Google's service agents are system identities and skipped). */
export function* serviceAccounts(graph: IdentityGraph): Iterable<PrincipalNode> {
  for (const p of graph.principals()) if (p.platform === 'gcp' && p.type === 'service-account' && p.accountType !== 'system' && p.attributes?.external !== true) yield p;
}

export const PRIMITIVE = new Set(['roles/owner', 'roles/editor']);

export function isPrivileged(role: string, adminPattern: RegExp): boolean {
  return PRIMITIVE.has(role) || adminPattern.test(role);
}
