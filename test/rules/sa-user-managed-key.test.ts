import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/sa-user-managed-key.js';
import { daysAgo, runRule } from './builders.js';
import { account, binding, gcpGraph, sa, saId } from './gcp-builders.js';

const key = (type: string, disabled = false) => ({ name: `projects/p/serviceAccounts/${sa('ci')}/keys/abc123`, keyType: type, validAfterTime: daysAgo(300), validBeforeTime: '9999-12-31T23:59:59Z', disabled });

describe('sa-user-managed-key', () => {
  it.each([
    ['no keys', {}],
    ['only a system-managed key', { keys: { [sa('ci')]: [key('SYSTEM_MANAGED')] } }],
    ['a disabled user-managed key', { keys: { [sa('ci')]: [key('USER_MANAGED', true)] } }],
  ])('valid: %s', (_l, d) => {
    expect(runRule(rule, gcpGraph({ serviceAccounts: [account('ci')], ...d }))).toEqual([]);
  });

  it.each([
    ['a user-managed key', [], 'medium'],
    ['a user-managed key on an Editor', [binding('roles/editor', `serviceAccount:${sa('ci')}`)], 'high'],
    ['a user-managed key on a *Admin role', [binding('roles/storage.admin', `serviceAccount:${sa('ci')}`)], 'high'],
  ])('invalid: %s', (_l, bindings, severity) => {
    const [f] = runRule(rule, gcpGraph({ serviceAccounts: [account('ci')], keys: { [sa('ci')]: [key('USER_MANAGED')] }, policy: { bindings } }));
    expect(f).toMatchObject({ nodeId: saId('ci'), severity, discriminator: `gcp:sa-key:${sa('ci')}/abc123` });
    expect(f.message).toContain(`Service account ${sa('ci')} has a user-managed key abc123`);
  });
});
