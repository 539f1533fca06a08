import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/k8s-service-account-cluster-admin.js';
import { runRule } from './builders.js';
import { ADMIN_RULES, k8s, k8sGraph, READ_PODS, saId } from './k8s-builders.js';

const base = [k8s.sa('ops', 'bot'), k8s.clusterRole('cluster-admin', ADMIN_RULES), k8s.clusterRole('reader', READ_PODS)];

describe('k8s-service-account-cluster-admin', () => {
  it.each([
    ['a read-only ClusterRoleBinding', [k8s.clusterRoleBinding('r', 'reader', [k8s.subject('ops', 'bot')])]],
    ['look-alike: cluster-admin bound to a group of people', [k8s.clusterRoleBinding('admins', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }])]],
    ['look-alike: cluster-admin bound to a user', [k8s.clusterRoleBinding('alice', 'cluster-admin', [{ kind: 'User', name: 'alice@example.com' }])]],
    ['look-alike: * verbs on pods only', [k8s.clusterRole('pods-all', [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }]), k8s.clusterRoleBinding('p', 'pods-all', [k8s.subject('ops', 'bot')])]],
    ['look-alike: * on * limited to resourceNames', [k8s.clusterRole('named', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'], resourceNames: ['one'] }]), k8s.clusterRoleBinding('n', 'named', [k8s.subject('ops', 'bot')])]],
  ])('valid: %s', (_l, extra) => {
    expect(runRule(rule, k8sGraph([...base, ...extra]))).toEqual([]);
  });

  it('invalid: a ClusterRoleBinding to cluster-admin is critical', () => {
    const [f, ...rest] = runRule(rule, k8sGraph([...base, k8s.clusterRoleBinding('bot-admin', 'cluster-admin', [k8s.subject('ops', 'bot')])]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: saId('ops', 'bot'), severity: 'critical', discriminator: 'k8s:cluster-role-binding:c1/bot-admin' });
    expect(f.message).toBe('Service account ops/bot is bound to cluster-admin on the whole cluster by ClusterRoleBinding bot-admin');
  });

  it('invalid: a RoleBinding to cluster-admin in one namespace is high', () => {
    const [f] = runRule(rule, k8sGraph([...base, k8s.roleBinding('tools', 'ns-admin', 'ClusterRole', 'cluster-admin', [k8s.subject('ops', 'bot')])]));
    expect(f).toMatchObject({ severity: 'high', discriminator: 'k8s:role-binding:c1/tools/ns-admin' });
    expect(f.message).toContain('on namespace tools');
  });

  it('invalid: a custom ClusterRole with * on * is reported by name', () => {
    const [f] = runRule(rule, k8sGraph([...base, k8s.clusterRole('god', ADMIN_RULES), k8s.clusterRoleBinding('g', 'god', [k8s.subject('ops', 'bot')])]));
    expect(f.message).toContain('ClusterRole god (* on *)');
  });

  it('invalid: the system:serviceaccounts group gives every account cluster-admin', () => {
    const found = runRule(rule, k8sGraph([...base, k8s.sa('web', 'default'), k8s.clusterRoleBinding('all', 'cluster-admin', [{ kind: 'Group', name: 'system:serviceaccounts' }])]));
    expect(found.map((f) => f.nodeId).sort()).toEqual([saId('ops', 'bot'), saId('web', 'default')]);
  });
});
