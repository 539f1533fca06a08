import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/wif-provider-unconditioned.js';
import { runRule } from './builders.js';
import { account, binding, gcpGraph, sa, saId } from './gcp-builders.js';

const POOL = 'projects/123456789/locations/global/workloadIdentityPools/gh';
const provider = (condition: string | undefined, issuer = 'https://token.actions.githubusercontent.com') => ({ name: `${POOL}/providers/p1`, displayName: 'p1', attributeCondition: condition, attributeMapping: { 'google.subject': 'assertion.sub' }, oidc: { issuerUri: issuer } });
const graph = (condition: string | undefined, issuer?: string) =>
  gcpGraph({
    serviceAccounts: [account('deployer')],
    pools: [{ name: POOL }],
    providers: [provider(condition, issuer)],
    saPolicies: { [sa('deployer')]: { bindings: [binding('roles/iam.workloadIdentityUser', `principalSet://iam.googleapis.com/${POOL}/attribute.repository/acme/app`)] } },
  });

describe('wif-provider-unconditioned', () => {
  it.each([
    ["assertion.repository == 'acme/app'"],
    ["assertion.repository_owner == 'acme' && assertion.ref == 'refs/heads/main'"],
  ])('valid: condition %s', (condition) => {
    expect(runRule(rule, graph(condition))).toEqual([]);
  });

  it.each([
    ['no condition, GitHub issuer', undefined, undefined, 'critical', 'has no attribute condition'],
    ['no condition, another issuer', undefined, 'https://gitlab.example.com', 'high', 'has no attribute condition'],
    ['owner-only condition', "assertion.repository_owner == 'acme'", undefined, 'medium', 'only checks the repository owner'],
  ])('invalid: %s', (_l, condition, issuer, severity, text) => {
    const [f] = runRule(rule, graph(condition, issuer));
    expect(f).toMatchObject({ nodeId: `gcp:wif-provider:${POOL}/providers/p1`, severity });
    expect(f.message).toContain(text);
    if (severity !== 'medium') expect(f.path).toEqual([`gcp:wif-provider:${POOL}/providers/p1`, saId('deployer')]);
  });
});
