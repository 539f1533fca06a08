/** Shared reading of the Kubernetes connector's graph (connectors/kubernetes/map.ts) for the k8s-* rules. */
import type { IdentityGraph } from '../graph/graph.js';
import type { EntitlementNode, PrincipalNode } from '../model/types.js';

export interface K8sRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  /** `*` = cluster-wide (ClusterRoleBinding) */
  namespace: string;
  binding: string;
  role: string;
}

export function* k8sServiceAccounts(graph: IdentityGraph): Iterable<PrincipalNode> {
  for (const p of graph.principals()) if (p.platform === 'k8s' && p.type === 'service-account') yield p;
}

export function effectiveRules(sa: { attributes?: Record<string, unknown> }): K8sRule[] {
  const r = sa.attributes?.effectiveRules;
  return Array.isArray(r) ? (r as K8sRule[]) : [];
}

const has = (list: string[] | undefined, ...values: string[]) => (list ?? []).some((v) => v === '*' || values.includes(v));

/** `*` verbs on `*` resources in every API group (what cluster-admin grants). */
export function isWildcard(r: Pick<K8sRule, 'verbs' | 'resources' | 'apiGroups' | 'resourceNames'>): boolean {
  return r.verbs.includes('*') && (r.resources ?? []).includes('*') && (r.apiGroups ?? []).includes('*') && !r.resourceNames?.length;
}

/** A rule that lets its holder become someone else or raise its own rights (see docs/connectors/kubernetes.md). */
export function escalationKind(r: K8sRule): string | undefined {
  if (isWildcard(r)) return '* on *';
  const core = has(r.apiGroups, '');
  const rbac = has(r.apiGroups, 'rbac.authorization.k8s.io');
  if (core && has(r.resources, 'pods') && has(r.verbs, 'create')) return 'create pods';
  if (core && has(r.resources, 'secrets') && has(r.verbs, 'get', 'list')) return 'read secrets';
  if (core && has(r.resources, 'serviceaccounts/token') && has(r.verbs, 'create')) return 'create service account tokens';
  if (has(r.verbs, 'impersonate')) return 'impersonate';
  if (rbac && has(r.verbs, 'bind', 'escalate')) return 'bind or escalate roles';
  return undefined;
}

/** How much an account can do: `admin` (cluster-wide * on *), `escalation`, `some` rights, or `none`. */
export function rightsLevel(rules: K8sRule[]): 'admin' | 'escalation' | 'some' | 'none' {
  if (rules.some((r) => r.namespace === '*' && isWildcard(r))) return 'admin';
  if (rules.some((r) => escalationKind(r))) return 'escalation';
  return rules.length ? 'some' : 'none';
}

/** The bindings an account is granted through, with the role each references. */
export function k8sBindingsOf(graph: IdentityGraph, saId: string): Array<{ binding: EntitlementNode; roleRef: { kind: string; name: string }; role?: EntitlementNode }> {
  const out: Array<{ binding: EntitlementNode; roleRef: { kind: string; name: string }; role?: EntitlementNode }> = [];
  for (const e of graph.out(saId, 'GRANTED')) {
    const b = graph.node(e.to);
    if (!b || b.kind !== 'entitlement' || (b.type !== 'role-binding' && b.type !== 'cluster-role-binding')) continue;
    const doc = b.document as { roleRef?: { kind: string; name: string } } | undefined;
    if (!doc?.roleRef) continue;
    const roleEdge = graph.out(b.id, 'GRANTED')[0];
    const role = roleEdge ? graph.node(roleEdge.to) : undefined;
    out.push({ binding: b, roleRef: doc.roleRef, role: role?.kind === 'entitlement' ? role : undefined });
  }
  return out;
}
