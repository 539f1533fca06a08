import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/k8s-default-service-account-automount.js';
import { runRule } from './builders.js';
import { k8s, k8sGraph, READ_PODS, READ_SECRETS, saId } from './k8s-builders.js';

const viewer = [k8s.clusterRole('viewer', READ_PODS)];
const bindDefault = (ns = 'web') => k8s.roleBinding(ns, 'default-view', 'ClusterRole', 'viewer', [{ kind: 'ServiceAccount', name: 'default' }]);

describe('k8s-default-service-account-automount', () => {
  it.each([
    ['the default account without rights, pods mount it', [k8s.sa('web', 'default'), k8s.pod('web', 'p')]],
    ['look-alike: rights, but automountServiceAccountToken: false on the account', [k8s.sa('web', 'default', { automountServiceAccountToken: false }), ...viewer, bindDefault(), k8s.pod('web', 'p')]],
    ['look-alike: an account named default-ish with rights', [k8s.sa('web', 'default-app'), ...viewer, k8s.roleBinding('web', 'b', 'ClusterRole', 'viewer', [{ kind: 'ServiceAccount', name: 'default-app' }])]],
    ['look-alike: a binding to default in another namespace only', [k8s.sa('web', 'default'), ...viewer, bindDefault('other')]],
  ])('valid: %s', (_l, items) => {
    expect(runRule(rule, k8sGraph(items))).toEqual([]);
  });

  it('invalid: rights and a pod that mounts the token: high, with the pods', () => {
    const [f, ...rest] = runRule(rule, k8sGraph([k8s.sa('web', 'default'), ...viewer, bindDefault(), k8s.pod('web', 'p1'), k8s.pod('web', 'p2', undefined, { automountServiceAccountToken: false })]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: saId('web', 'default'), severity: 'high' });
    expect(f.message).toBe('The default service account web/default holds 1 RBAC rule(s) through 1 binding(s) and its token is mounted automatically (1 pod(s) in the scan mount it)');
    expect(f.evidence[0].data).toMatchObject({ pods: ['web/p1'] });
  });

  it('invalid: rights and no pod in the scan: medium (the next pod mounts it)', () => {
    const [f] = runRule(rule, k8sGraph([k8s.sa('web', 'default'), ...viewer, bindDefault()]));
    expect(f.severity).toBe('medium');
  });

  it('invalid: rights that escalate (read secrets) are critical', () => {
    const [f] = runRule(rule, k8sGraph([k8s.sa('web', 'default'), k8s.role('web', 's', READ_SECRETS), k8s.roleBinding('web', 's', 'Role', 's', [{ kind: 'ServiceAccount', name: 'default' }]), k8s.pod('web', 'p')]));
    expect(f.severity).toBe('critical');
  });
});
