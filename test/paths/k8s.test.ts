import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listItems, mapCluster } from '../../connectors/kubernetes/map.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { graphAnalysis } from '../../src/paths/index.js';
import { K8S_METHODS, k8sEdges } from '../../src/paths/k8s.js';
import { rule } from '../../src/rules/privilege-escalation.js';
import { runRule } from '../rules/builders.js';

const NOW = new Date('2026-11-01T00:00:00Z');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sa = (ns: string, name: string) => `k8s:service-account:prod/${ns}/${name}`;

function graphOf(items: unknown[]): IdentityGraph {
  return IdentityGraph.from(mapCluster(items, { cluster: 'prod', source: 'file:prod.json', now: NOW }));
}
const fixture = () => graphOf(listItems(JSON.parse(readFileSync(path.join(root, 'test', 'fixtures', 'kubernetes', 'cluster.json'), 'utf8'))));

const account = (ns: string, name: string) => ({ kind: 'ServiceAccount', metadata: { namespace: ns, name } });
const role = (name: string, rules: object[]) => ({ kind: 'ClusterRole', metadata: { name }, rules });
const bindCluster = (name: string, roleName: string, ns: string, saName: string) => ({ kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: saName, namespace: ns }] });
const bindNs = (ns: string, name: string, roleName: string, saName: string) => ({ kind: 'RoleBinding', metadata: { namespace: ns, name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [{ kind: 'ServiceAccount', name: saName, namespace: ns }] });
const ADMIN = role('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);

describe('Kubernetes escalation paths', () => {
  it('on the fixture: a secret reader and a pod creator reach the cluster-admin account in one hop each', () => {
    const g = fixture();
    const { paths } = graphAnalysis(g, NOW);
    expect(paths.admins.has(sa('kube-system', 'legacy-admin-bot'))).toBe(true);
    expect(paths.pathToAdmin(sa('ci', 'deployer'))?.hops.map((h) => h.edge.method)).toEqual(['k8s-read-token-secret', 'k8s-read-token-secret']);
    expect(paths.pathToAdmin(sa('monitoring', 'prometheus'))?.hops.map((h) => h.edge.method)).toEqual(['k8s-create-pod', 'k8s-create-pod']);
    const found = runRule(rule, g, undefined, NOW).map((f) => f.nodeId).sort();
    expect(found).toEqual([sa('ci', 'deployer'), sa('monitoring', 'prometheus')]);
  });

  it.each([
    ['create pods in the namespace → its accounts', [role('pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }]), bindNs('team', 'b', 'pods', 'dev')], 'team', 'k8s-create-pod'],
    ['create deployments (a controller makes the pod)', [role('deploy', [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }]), bindNs('team', 'b', 'deploy', 'dev')], 'team', 'k8s-create-pod'],
    ['patch cronjobs (change the pod template)', [role('cron', [{ apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['patch'] }]), bindNs('team', 'b', 'cron', 'dev')], 'team', 'k8s-create-pod'],
    ['impersonate serviceaccounts', [role('imp', [{ apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] }]), bindNs('team', 'b', 'imp', 'dev')], 'team', 'k8s-impersonate'],
    ['create serviceaccounts/token', [role('tok', [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }]), bindNs('team', 'b', 'tok', 'dev')], 'team', 'k8s-token-request'],
  ])('%s', (_l, items, ns, method) => {
    const g = graphOf([account('team', 'dev'), account(ns, 'ops'), ADMIN, bindNs(ns, 'ops-admin', 'cluster-admin', 'ops'), ...(items as object[])]);
    const e = k8sEdges(g);
    expect(e.find((x) => x.from === sa('team', 'dev'))?.method).toBe(method);
    // a namespaced cluster-admin binding is not cluster admin, so no path to admin; the hub still leads to ops
    const { paths } = graphAnalysis(g, NOW);
    expect(paths.reachable(sa('team', 'dev')).map((r) => r.id)).toContain(sa(ns, 'ops'));
  });

  it('bind / escalate on clusterroles everywhere is admin of the cluster; the same in one namespace, or limited by resourceNames, is not', () => {
    const everywhere = graphOf([account('team', 'dev'), role('binder', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'] }]), bindCluster('b', 'binder', 'team', 'dev')]);
    expect(k8sEdges(everywhere).find((x) => x.from === sa('team', 'dev'))).toMatchObject({ to: 'meta:admin:k8s:prod', method: 'k8s-bind-escalate' });
    const oneNs = graphOf([account('team', 'dev'), role('binder', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }]), bindNs('team', 'b', 'binder', 'dev')]);
    expect(k8sEdges(oneNs).filter((x) => x.from === sa('team', 'dev'))).toEqual([]);
    const named = graphOf([account('team', 'dev'), role('r', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['app-config'] }]), bindCluster('b', 'r', 'team', 'dev')]);
    expect(k8sEdges(named).filter((x) => x.from === sa('team', 'dev'))).toEqual([]);
  });

  it('reading secrets reaches only accounts with a legacy token Secret; every method is documented', () => {
    const g = graphOf([
      account('team', 'dev'),
      account('team', 'with-token'),
      account('team', 'no-token'),
      { kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { namespace: 'team', name: 'with-token-token', annotations: { 'kubernetes.io/service-account.name': 'with-token' } } },
      role('reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]),
      bindNs('team', 'b', 'reader', 'dev'),
    ]);
    const reach = graphAnalysis(g, NOW).paths.reachable(sa('team', 'dev')).map((r) => r.id);
    expect(reach).toContain(sa('team', 'with-token'));
    expect(reach).not.toContain(sa('team', 'no-token'));
    const doc = readFileSync(path.join(root, 'docs', 'connectors', 'kubernetes.md'), 'utf8');
    for (const m of K8S_METHODS) expect(doc, m.id).toContain(`\`${m.id}\``);
  });
});
