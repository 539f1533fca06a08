import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/sa-primitive-role.js';
import { runRule } from './builders.js';
import { account, binding, gcpGraph, P, sa, saId } from './gcp-builders.js';

describe('sa-primitive-role', () => {
  it.each([
    ['a narrow predefined role', [binding('roles/storage.objectViewer', `serviceAccount:${sa('app')}`)], {}],
    ['Editor held by a person, not a service account', [binding('roles/editor', 'user:a@b.example')], {}],
    ['ignored by glob', [binding('roles/editor', `serviceAccount:${sa('app')}`)], { ignore: ['app@*'] }],
  ])('valid: %s', (_l, bindings, options) => {
    expect(runRule(rule, gcpGraph({ serviceAccounts: [account('app')], policy: { bindings } }), options)).toEqual([]);
  });

  it.each([
    ['roles/owner', 'critical'],
    ['roles/editor', 'high'],
    ['roles/cloudsql.admin', 'high'],
  ])('invalid: %s', (role, severity) => {
    const [f] = runRule(rule, gcpGraph({ serviceAccounts: [account('app')], policy: { bindings: [binding(role, `serviceAccount:${sa('app')}`)] } }));
    expect(f).toMatchObject({ nodeId: saId('app'), severity, discriminator: `gcp:binding:projects/demo-proj/${role}` });
    expect(f.message).toBe(`Service account ${sa('app')} holds ${role} on projects/demo-proj`);
  });

  it('a grant inherited from a folder or the organization counts, and names where it is', () => {
    const g = gcpGraph({ serviceAccounts: [account('app')], ancestors: [{ resource: 'folders/42', policy: { bindings: [binding('roles/owner', `serviceAccount:${sa('app')}`)] } }, { resource: 'organizations/7', policy: { bindings: [binding('roles/editor', `serviceAccount:${sa('app')}`)] } }] });
    const fs = runRule(rule, g);
    expect(fs.map((f) => [f.discriminator, f.severity])).toEqual([
      ['gcp:binding:folders/42/roles/owner', 'critical'],
      ['gcp:binding:organizations/7/roles/editor', 'high'],
    ]);
    expect(fs[0].message).toBe(`Service account ${sa('app')} holds roles/owner on folders/42`);
  });

  it('a custom role counts by its permissions: one that can set the project IAM policy is admin, one that reads is not', () => {
    const roles = [
      { name: `projects/${P}/roles/iamManager`, title: 'IAM manager', includedPermissions: ['resourcemanager.projects.getIamPolicy', 'resourcemanager.projects.setIamPolicy'] },
      { name: `projects/${P}/roles/reader`, title: 'Reader', includedPermissions: ['resourcemanager.projects.getIamPolicy'] },
    ];
    const g = gcpGraph({ serviceAccounts: [account('app'), account('audit')], roles, policy: { bindings: [binding(`projects/${P}/roles/iamManager`, `serviceAccount:${sa('app')}`), binding(`projects/${P}/roles/reader`, `serviceAccount:${sa('audit')}`)] } });
    expect(runRule(rule, g).map((f) => [f.nodeId, f.severity])).toEqual([[saId('app'), 'high']]);
  });

  it('a deny policy naming the account is shown as evidence, not subtracted', () => {
    const g = gcpGraph({
      serviceAccounts: [account('app')],
      policy: { bindings: [binding('roles/editor', `serviceAccount:${sa('app')}`)] },
      denyPolicies: [{ name: 'policies/x/denypolicies/no-keys', displayName: 'no keys', rules: [{ denyRule: { deniedPrincipals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${sa('app')}`], deniedPermissions: ['iam.googleapis.com/serviceAccountKeys.create'] } }] }],
    });
    const [f] = runRule(rule, g);
    expect(f.severity).toBe('high');
    expect(f.evidence.map((e) => e.description)).toContain('Deny policy no keys denies iam.googleapis.com/serviceAccountKeys.create to this account.');
  });

  it('a service agent (system identity) is not reported', () => {
    const agent = 'service-123@gcp-sa-pubsub.iam.gserviceaccount.com';
    expect(runRule(rule, gcpGraph({ serviceAccounts: [{ email: agent, projectId: 'demo-proj' }], policy: { bindings: [binding('roles/editor', `serviceAccount:${agent}`)] } }))).toEqual([]);
  });
});
