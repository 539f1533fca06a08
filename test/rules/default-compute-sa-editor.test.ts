import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/default-compute-sa-editor.js';
import { runRule } from './builders.js';
import { account, binding, gcpGraph, sa } from './gcp-builders.js';

const COMPUTE = '123456789-compute@developer.gserviceaccount.com';

describe('default-compute-sa-editor', () => {
  it.each([
    ['default compute account with a narrow role', binding('roles/logging.logWriter', `serviceAccount:${COMPUTE}`)],
    ['Editor on another service account (sa-primitive-role reports it)', binding('roles/editor', `serviceAccount:${sa('app')}`)],
  ])('valid: %s', (_l, b) => {
    expect(runRule(rule, gcpGraph({ serviceAccounts: [{ email: COMPUTE, projectId: 'demo-proj' }, account('app')], policy: { bindings: [b] } }))).toEqual([]);
  });

  it.each(['roles/editor', 'roles/owner'])('invalid: the default compute account holds %s', (role) => {
    const [f] = runRule(rule, gcpGraph({ serviceAccounts: [{ email: COMPUTE, projectId: 'demo-proj' }], policy: { bindings: [binding(role, `serviceAccount:${COMPUTE}`)] } }));
    expect(f).toMatchObject({ nodeId: `gcp:service-account:${COMPUTE}`, severity: 'high' });
    expect(f.message).toBe(`The default compute service account ${COMPUTE} holds ${role} on projects/demo-proj`);
  });
});
