import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/k8s-legacy-service-account-token.js';
import { runRule } from './builders.js';
import { ADMIN_RULES, k8s, k8sGraph, READ_PODS, READ_SECRETS, saId } from './k8s-builders.js';

const token = 'k8s:k8s-token-secret:c1/ops/bot-token';

describe('k8s-legacy-service-account-token', () => {
  it.each([
    ['an account without token Secrets', [k8s.sa('ops', 'bot')]],
    ['look-alike: an Opaque Secret', [k8s.sa('ops', 'bot'), k8s.tokenSecret('ops', 'bot-token', 'bot', 'Opaque')]],
    ['look-alike: a dockerconfigjson Secret', [k8s.sa('ops', 'bot'), k8s.tokenSecret('ops', 'bot-token', 'bot', 'kubernetes.io/dockerconfigjson')]],
    ['look-alike: a pod with a projected token', [k8s.sa('ops', 'bot'), k8s.pod('ops', 'p', 'bot', { volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] })]],
  ])('valid: %s', (_l, items) => {
    expect(runRule(rule, k8sGraph(items))).toEqual([]);
  });

  it.each([
    ['no rights', [], 'low', 'no RBAC rights in this scan'],
    ['read-only rights', [k8s.clusterRole('r', READ_PODS), k8s.clusterRoleBinding('r', 'r', [k8s.subject('ops', 'bot')])], 'medium', '1 RBAC rule(s)'],
    ['rights that read secrets', [k8s.role('ops', 's', READ_SECRETS), k8s.roleBinding('ops', 's', 'Role', 's', [k8s.subject('ops', 'bot')])], 'high', 'rights that escalate (read secrets)'],
    ['cluster-admin', [k8s.clusterRole('cluster-admin', ADMIN_RULES), k8s.clusterRoleBinding('a', 'cluster-admin', [k8s.subject('ops', 'bot')])], 'critical', 'cluster-admin rights'],
  ])('invalid: a legacy token of an account with %s', (_l, rbac, severity, what) => {
    const [f, ...rest] = runRule(rule, k8sGraph([k8s.sa('ops', 'bot'), k8s.tokenSecret('ops', 'bot-token', 'bot'), ...rbac]));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: token, severity });
    expect(f.message).toBe(`Legacy token Secret ops/bot-token of service account ops/bot never expires (created 2021-01-01); the account holds ${what}`);
  });

  it('invalid: a token whose account is not in the scan is still reported, low', () => {
    const [f] = runRule(rule, k8sGraph([k8s.tokenSecret('ops', 'bot-token', 'gone')]));
    expect(f).toMatchObject({ nodeId: token, severity: 'low' });
    expect(f.message).toContain('service account gone (not in the scan)');
    expect(saId('ops', 'gone')).toBe('k8s:service-account:c1/ops/gone');
  });
});
