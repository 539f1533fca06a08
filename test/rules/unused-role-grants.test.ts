import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/unused-role-grants.js';
import { runRule } from './builders.js';
import { account, binding, gcpGraph, sa, saId } from './gcp-builders.js';

const rec = (member: string, role: string, added?: string[], resource = '//cloudresourcemanager.googleapis.com/projects/123456789') => ({ description: 'unused in 90 days', content: { overview: { member, removedRole: role, addedRoles: added, resource } } });

describe('unused-role-grants', () => {
  it.each([
    ['no Recommender data: no claim', []],
    ['a recommendation for another member', [rec('user:a@b.example', 'roles/editor')]],
    ['a recommendation for another project', [rec(`serviceAccount:${sa('app')}`, 'roles/editor', undefined, '//cloudresourcemanager.googleapis.com/projects/999')]],
  ])('valid: %s', (_l, recommendations) => {
    expect(runRule(rule, gcpGraph({ serviceAccounts: [account('app')], policy: { bindings: [binding('roles/editor', `serviceAccount:${sa('app')}`)] }, recommendations }))).toEqual([]);
  });

  it.each([
    ['remove', undefined, 'suggests to remove it'],
    ['replace', ['roles/storage.objectViewer'], 'replace it with roles/storage.objectViewer'],
  ])('invalid: %s', (_l, added, text) => {
    const [f] = runRule(rule, gcpGraph({ serviceAccounts: [account('app')], policy: { bindings: [binding('roles/editor', `serviceAccount:${sa('app')}`)] }, recommendations: [rec(`serviceAccount:${sa('app')}`, 'roles/editor', added)] }));
    expect(f).toMatchObject({ nodeId: saId('app'), severity: 'low', confidence: 'medium' });
    expect(f.message).toContain(text);
  });
});
