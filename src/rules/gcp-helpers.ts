/** Helpers for the Google Cloud rules (not a rule itself). */
import type { IdentityGraph } from '../graph/graph.js';
import type { EntitlementNode, IdentityEdge, PrincipalNode } from '../model/types.js';
import { ACT_AS_PERMISSIONS, customRolePermissions } from '../policy/gcp.js';

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

// moved to src/policy/gcp.ts (the escalation analysis uses them too); re-exported for the rules
export { PRIMITIVE, customRolePermissions, isPrivileged } from '../policy/gcp.js';

/** The act-as permissions a custom role holds (empty for predefined roles and unread definitions). */
export function actAsPermissions(graph: IdentityGraph, role: string): string[] {
  return (customRolePermissions(graph, role) ?? []).filter((p) => ACT_AS_PERMISSIONS.includes(p));
}
