/**
 * Tiny Kubernetes estates for the k8s-* rule tests: items in the shape kubectl prints, mapped by the connector's own
 * mapping (connectors/kubernetes/map.ts), so the rules are tested against exactly what the connector emits.
 */
import { mapCluster } from '../../connectors/kubernetes/map.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { NOW } from './builders.js';

type Item = Record<string, unknown>;
const RBAC = 'rbac.authorization.k8s.io/v1';
const md = (name: string, namespace?: string, created = '2024-01-01T00:00:00Z') => ({ name, ...(namespace ? { namespace } : {}), creationTimestamp: created });

export const k8s = {
  sa: (ns: string, name: string, extra: Item = {}): Item => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: md(name, ns), ...extra }),
  tokenSecret: (ns: string, name: string, saName: string, type = 'kubernetes.io/service-account-token'): Item => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type,
    metadata: { ...md(name, ns, '2021-01-01T00:00:00Z'), annotations: { 'kubernetes.io/service-account.name': saName } },
  }),
  clusterRole: (name: string, rules: Item[]): Item => ({ apiVersion: RBAC, kind: 'ClusterRole', metadata: md(name), rules }),
  role: (ns: string, name: string, rules: Item[]): Item => ({ apiVersion: RBAC, kind: 'Role', metadata: md(name, ns), rules }),
  clusterRoleBinding: (name: string, role: string, subjects: Item[]): Item => ({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: md(name), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects }),
  roleBinding: (ns: string, name: string, roleKind: 'Role' | 'ClusterRole', role: string, subjects: Item[]): Item => ({ apiVersion: RBAC, kind: 'RoleBinding', metadata: md(name, ns), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role }, subjects }),
  subject: (ns: string, name: string): Item => ({ kind: 'ServiceAccount', name, namespace: ns }),
  pod: (ns: string, name: string, sa?: string, spec: Item = {}): Item => ({ apiVersion: 'v1', kind: 'Pod', metadata: md(name, ns), spec: { ...(sa ? { serviceAccountName: sa } : {}), containers: [{ name: 'app', image: 'app:1' }], ...spec } }),
};

export const ADMIN_RULES = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }];
export const READ_PODS = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }];
export const READ_SECRETS = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }];

export function k8sGraph(items: Item[]): IdentityGraph {
  return IdentityGraph.from(mapCluster(structuredClone(items), { cluster: 'c1', source: 'file:c1.json', now: NOW }));
}

export const saId = (ns: string, name: string) => `k8s:service-account:c1/${ns}/${name}`;
