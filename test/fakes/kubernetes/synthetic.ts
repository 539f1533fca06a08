/**
 * A synthetic cluster for the fake API server and the benchmark, as the kubectl List (items with kind and apiVersion):
 * N service accounts across namespaces (50 per namespace, plus each namespace's `default`), a Role and RoleBindings per
 * namespace, the bootstrap ClusterRoles and a few custom ones with ClusterRoleBindings (some accounts cluster-admin),
 * legacy token Secrets with fake token values (and Opaque Secrets with fake values), one pod per account, and cloud
 * annotations (IRSA, GKE, AKS) on some accounts. Seeded: the same cluster for the same seed.
 */
import { mulberry32 } from '../../support/prng.js';

type Obj = Record<string, unknown>;

/** Every fake secret value starts with this (before base64): tests grep for it. */
export const SYNTHETIC_SECRET_MARK = 'nhi-synthetic-secret-value';

export interface SyntheticCluster {
  kind: 'List';
  apiVersion: 'v1';
  items: Obj[];
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const day = (n: number) => new Date(Date.UTC(2021, 0, 1) + n * 86_400_000).toISOString().replace('.000Z', 'Z');
const RBAC = 'rbac.authorization.k8s.io/v1';

export function syntheticCluster(opts: { serviceAccounts: number; seed?: number; perNamespace?: number }): SyntheticCluster {
  const rnd = mulberry32(opts.seed ?? 42);
  const per = opts.perNamespace ?? 50;
  const namespaces = Math.max(1, Math.ceil(opts.serviceAccounts / per));
  const items: Obj[] = [];
  const meta = (name: string, namespace: string | undefined, created: number, extra: Obj = {}): Obj => ({ name, ...(namespace ? { namespace } : {}), uid: `uid-${namespace ?? 'cluster'}-${name}`, resourceVersion: '1', creationTimestamp: day(created), ...extra });

  // cluster roles: the bootstrap ones and two custom
  const bootstrap = { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } };
  items.push({ apiVersion: RBAC, kind: 'ClusterRole', metadata: meta('cluster-admin', undefined, 0, bootstrap), rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }] });
  items.push({ apiVersion: RBAC, kind: 'ClusterRole', metadata: meta('edit', undefined, 0, bootstrap), rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'secrets', 'configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }] });
  items.push({ apiVersion: RBAC, kind: 'ClusterRole', metadata: meta('view', undefined, 0, bootstrap), rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'configmaps'], verbs: ['get', 'list', 'watch'] }] });
  items.push({ apiVersion: RBAC, kind: 'ClusterRole', metadata: meta('secret-reader', undefined, 30), rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] });
  items.push({ apiVersion: RBAC, kind: 'ClusterRole', metadata: meta('deployer', undefined, 30), rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }, { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] }] });

  let made = 0;
  const admins: Array<{ ns: string; name: string }> = [];
  const readers: Array<{ ns: string; name: string }> = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${String(n).padStart(4, '0')}`;
    items.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', ns, 10) });
    items.push({ apiVersion: RBAC, kind: 'Role', metadata: meta('app-config', ns, 20), rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }] });
    items.push({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: meta('db-credentials', ns, 40), data: { password: b64(`${SYNTHETIC_SECRET_MARK}-db-${n}`) } });
    const subjects: Obj[] = [];
    const editors: Obj[] = [];
    for (let i = 0; i < per && made < opts.serviceAccounts; i++, made++) {
      const name = `svc-${String(i).padStart(3, '0')}`;
      const created = 100 + Math.floor(rnd() * 1500);
      const r = rnd();
      const annotations: Record<string, string> = {};
      if (r < 0.04) annotations['eks.amazonaws.com/role-arn'] = `arn:aws:iam::123456789012:role/${ns}-${name}`;
      else if (r < 0.07) annotations['iam.gke.io/gcp-service-account'] = `${name}@acme-${ns}.iam.gserviceaccount.com`;
      else if (r < 0.09) annotations['azure.workload.identity/client-id'] = `6f1b9c2e-3d4a-4b5c-8d7e-${String(made).padStart(12, '0')}`;
      const labels = rnd() < 0.5 ? { team: ns, app: name } : { app: name };
      const legacy = rnd() < 0.05;
      items.push({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta(name, ns, created, { labels, ...(Object.keys(annotations).length ? { annotations } : {}) }),
        ...(rnd() < 0.2 ? { automountServiceAccountToken: false } : {}),
        ...(legacy ? { secrets: [{ name: `${name}-token` }] } : {}),
      });
      if (legacy) {
        items.push({
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/service-account-token',
          metadata: meta(`${name}-token`, ns, created + 1, { annotations: { 'kubernetes.io/service-account.name': name, 'kubernetes.io/service-account.uid': `uid-${ns}-${name}` } }),
          data: { token: b64(`${SYNTHETIC_SECRET_MARK}-token-${made}`), 'ca.crt': b64(`${SYNTHETIC_SECRET_MARK}-ca-${made}`), namespace: b64(ns) },
        });
      }
      items.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta(`${name}-7d9f8-${String(made).padStart(5, '0')}`, ns, 1700, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-7d9f8`, uid: 'x', controller: true }] }),
        spec: {
          serviceAccountName: name,
          serviceAccount: name,
          containers: [{ name: 'app', image: `registry.example/${name}:1.0`, env: [{ name: 'MODE', value: 'prod' }] }],
          ...(annotations['eks.amazonaws.com/role-arn'] ? { volumes: [{ name: 'aws-iam-token', projected: { sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' } }] } }] } : {}),
        },
        status: { phase: 'Running' },
      });
      const g = rnd();
      if (g < 0.01) admins.push({ ns, name });
      else if (g < 0.03) readers.push({ ns, name });
      else if (g < 0.2) editors.push({ kind: 'ServiceAccount', name, namespace: ns });
      else subjects.push({ kind: 'ServiceAccount', name });
    }
    items.push({ apiVersion: RBAC, kind: 'RoleBinding', metadata: meta('app-config', ns, 20), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'app-config' }, subjects });
    if (editors.length) items.push({ apiVersion: RBAC, kind: 'RoleBinding', metadata: meta('editors', ns, 20), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: editors });
  }
  items.push({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: meta('cluster-admin', undefined, 0, bootstrap), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }] });
  items.push({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: meta('platform-admins', undefined, 50), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: admins.map((a) => ({ kind: 'ServiceAccount', name: a.name, namespace: a.ns })) });
  items.push({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: meta('secret-readers', undefined, 50), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'secret-reader' }, subjects: readers.map((a) => ({ kind: 'ServiceAccount', name: a.name, namespace: a.ns })) });
  items.push({ apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: meta('all-sa-view', undefined, 50), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:serviceaccounts' }] });
  return { kind: 'List', apiVersion: 'v1', items };
}
