import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/sa-impersonation-broad.js';
import { runRule } from './builders.js';
import { account, binding, gcpGraph, sa } from './gcp-builders.js';

describe('sa-impersonation-broad', () => {
  it('valid: token creator on one service account for a named user', () => {
    const g = gcpGraph({ serviceAccounts: [account('app')], saPolicies: { [sa('app')]: { bindings: [binding('roles/iam.serviceAccountTokenCreator', 'user:dev@acme.example')] } } });
    expect(runRule(rule, g)).toEqual([]);
  });

  it.each([
    ['token creator at project level', { policy: { bindings: [binding('roles/iam.serviceAccountTokenCreator', 'group:eng@acme.example')] } }, 'high', 'on projects/demo-proj (every service account in it)'],
    ['service account user at project level', { policy: { bindings: [binding('roles/iam.serviceAccountUser', 'user:a@acme.example')] } }, 'high', 'roles/iam.serviceAccountUser'],
    ['token creator on one account for allAuthenticatedUsers', { saPolicies: { [sa('app')]: { bindings: [binding('roles/iam.serviceAccountTokenCreator', 'allAuthenticatedUsers')] } } }, 'critical', 'granted to allAuthenticatedUsers'],
    ['workload identity user on one account for a whole domain', { saPolicies: { [sa('app')]: { bindings: [binding('roles/iam.workloadIdentityUser', 'domain:acme.example')] } } }, 'high', 'domain:acme.example'],
  ])('invalid: %s', (_l, d, severity, text) => {
    const [f, ...rest] = runRule(rule, gcpGraph({ serviceAccounts: [account('app')], ...d }));
    expect(rest).toEqual([]);
    expect(f.severity).toBe(severity);
    expect(f.message).toContain(text);
  });

  it('a custom role counts by its permissions: key creation at project level is broad, reading accounts is not', () => {
    const roles = [
      { name: 'projects/demo-proj/roles/keyMaker', includedPermissions: ['iam.serviceAccountKeys.create'] },
      { name: 'projects/demo-proj/roles/saReader', includedPermissions: ['iam.serviceAccounts.get', 'iam.serviceAccounts.list'] },
    ];
    const g = gcpGraph({ serviceAccounts: [account('app')], roles, policy: { bindings: [binding('projects/demo-proj/roles/keyMaker', 'group:ops@acme.example'), binding('projects/demo-proj/roles/saReader', 'group:all@acme.example')] } });
    expect(runRule(rule, g).map((f) => f.message)).toEqual(['projects/demo-proj/roles/keyMaker is granted on projects/demo-proj (every service account in it) to group:ops@acme.example']);
  });

  it('the public grant also lets the member act as the account (CAN_ASSUME edge)', () => {
    const g = gcpGraph({ serviceAccounts: [account('app')], saPolicies: { [sa('app')]: { bindings: [binding('roles/iam.serviceAccountTokenCreator', 'allUsers')] } } });
    expect(g.in(`gcp:service-account:${sa('app')}`, 'CAN_ASSUME').map((e) => e.from)).toEqual(['gcp:all-users']);
  });
});
