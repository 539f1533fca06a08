/**
 * Helpers shared by the Microsoft Entra ID / Azure rules (not a rule itself): the workload identities the entra
 * connector maps (connectors/entra/map.ts) and what they were granted.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityEdge, IdentityNode, PrincipalNode } from '../model/types.js';

/** Entra types that are workload identities the customer runs (applications, managed identities, other service principals). */
export const ENTRA_WORKLOAD_TYPES: ReadonlySet<string> = new Set(['application', 'managed-identity', 'app-service-principal']);

/** Entra workload identities of the customer (Microsoft's first-party apps left out). */
export function* entraWorkloads(graph: IdentityGraph): Iterable<PrincipalNode> {
  for (const p of graph.principals()) {
    if (p.platform !== 'entra' || !ENTRA_WORKLOAD_TYPES.has(p.type) || p.accountType === 'system') continue;
    yield p;
  }
}

/** GRANTED edges of a principal whose entitlement has the given type, with the entitlement. */
export function grantsOf(graph: IdentityGraph, principalId: string, entitlementType: string): Array<{ edge: IdentityEdge; entitlement: IdentityNode }> {
  const out: Array<{ edge: IdentityEdge; entitlement: IdentityNode }> = [];
  for (const e of graph.out(principalId, 'GRANTED')) {
    const n = graph.node(e.to);
    if (n?.type === entitlementType) out.push({ edge: e, entitlement: n });
  }
  return out;
}
