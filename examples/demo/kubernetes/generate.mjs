#!/usr/bin/env node
// Writes the demo EKS cluster "eks-prod" used by `nhi scan --demo`: the List that
// `kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings,pods -A -o json` prints.
// Deterministic (dates are fixed before the demo capture, 2026-11-01). The story:
// - kube-system/legacy-admin-bot is bound to cluster-admin and still has a legacy token Secret (never expires);
// - ci/deployer may create deployments and pods in every namespace: it can run a pod as any account, the admin bot too;
// - monitoring/prometheus may list Secrets cluster-wide: it can read the admin bot's token;
// - payments/api is annotated for IRSA; the AWS role eks-payments-api (examples/demo/aws) trusts exactly it;
// - payments/default mounts its token automatically and may read the namespace's Secrets.
// The one Secret value below is a made-up placeholder: nhi drops Secret data before anything else sees it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const md = (name, namespace, created, extra = {}) => ({ name, ...(namespace ? { namespace } : {}), uid: `uid-${namespace ?? 'cluster'}-${name}`, resourceVersion: '1', creationTimestamp: created, ...extra });
const sa = (ns, name, created, extra = {}) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: md(name, ns, created, extra.metadata), ...(extra.automount !== undefined ? { automountServiceAccountToken: extra.automount } : {}) });
const clusterRole = (name, created, rules, labels) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: md(name, undefined, created, labels ? { labels } : {}), rules });
const role = (ns, name, created, rules) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: md(name, ns, created), rules });
const subject = (ns, name) => ({ kind: 'ServiceAccount', name, namespace: ns });
const clusterBinding = (name, created, roleName, subjects) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: md(name, undefined, created), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects });
const binding = (ns, name, created, kind, roleName, subjects) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: md(name, ns, created), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName }, subjects });

const items = [
  // system and default accounts
  sa('kube-system', 'default', '2021-06-15T08:00:00Z'),
  sa('payments', 'default', '2024-02-01T09:00:00Z'),
  sa('ci', 'default', '2024-02-01T09:00:00Z'),
  sa('monitoring', 'default', '2024-02-01T09:00:00Z'),
  // the workloads' accounts
  sa('kube-system', 'legacy-admin-bot', '2021-06-15T08:00:00Z', { metadata: { labels: { team: 'platform' } } }),
  sa('ci', 'deployer', '2024-02-01T09:30:00Z', { metadata: { labels: { owner: 'platform-team' } } }),
  sa('monitoring', 'prometheus', '2024-03-10T12:00:00Z'),
  sa('payments', 'api', '2025-06-01T10:00:00Z', { metadata: { labels: { owner: 'payments-team' }, annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/eks-payments-api' } }, automount: true }),
  // the legacy token Secret of the admin bot (data: a placeholder the connector drops)
  {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: md('legacy-admin-bot-token', 'kube-system', '2021-06-15T08:00:05Z', { annotations: { 'kubernetes.io/service-account.name': 'legacy-admin-bot', 'kubernetes.io/service-account.uid': 'uid-kube-system-legacy-admin-bot' } }),
    data: { token: Buffer.from('demo-placeholder-not-a-token').toString('base64'), 'ca.crt': Buffer.from('demo-placeholder').toString('base64'), namespace: Buffer.from('kube-system').toString('base64') },
  },
  { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: md('payments-db', 'payments', '2025-06-01T10:00:00Z'), data: { password: Buffer.from('demo-placeholder').toString('base64') } },
  // roles
  clusterRole('cluster-admin', '2021-06-15T08:00:00Z', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }], { 'kubernetes.io/bootstrapping': 'rbac-defaults' }),
  clusterRole('deployer', '2024-02-01T09:30:00Z', [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
    { apiGroups: [''], resources: ['pods', 'services', 'configmaps'], verbs: ['get', 'list', 'create'] },
  ]),
  clusterRole('prometheus-reader', '2024-03-10T12:00:00Z', [{ apiGroups: [''], resources: ['pods', 'services', 'endpoints', 'secrets'], verbs: ['get', 'list', 'watch'] }]),
  role('payments', 'secret-reader', '2025-06-01T10:00:00Z', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
  // bindings
  clusterBinding('legacy-admin-bot', '2021-06-15T08:01:00Z', 'cluster-admin', [subject('kube-system', 'legacy-admin-bot')]),
  clusterBinding('ci-deployer', '2024-02-01T09:30:00Z', 'deployer', [subject('ci', 'deployer')]),
  clusterBinding('prometheus', '2024-03-10T12:00:00Z', 'prometheus-reader', [subject('monitoring', 'prometheus')]),
  binding('payments', 'default-secret-reader', '2025-06-01T10:00:00Z', 'Role', 'secret-reader', [subject('payments', 'default')]),
  // a pod of the payments API
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: md('payments-api-6c9d7-x2x8q', 'payments', '2026-10-30T10:00:00Z', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'payments-api-6c9d7', uid: 'uid-payments-payments-api-6c9d7', controller: true }] }),
    spec: { serviceAccountName: 'api', serviceAccount: 'api', containers: [{ name: 'api', image: 'registry.example/payments-api:2.4.1' }] },
  },
];

const list = { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
writeFileSync(path.join(here, 'eks-prod.json'), `${JSON.stringify(list, null, 4)}\n`);
console.log(`wrote demo cluster eks-prod: ${items.length} objects`);
