import { describe, expect, it } from 'vitest';
import { rule as credentialNoExpiry } from '../../src/rules/credential-no-expiry.js';
import { rule as credentialNotRotated } from '../../src/rules/credential-not-rotated.js';
import { rule as credentialUnused } from '../../src/rules/credential-unused.js';
import { rule as identityUnowned } from '../../src/rules/identity-unowned.js';
import { rule as identityUnused } from '../../src/rules/identity-unused.js';
import { daysAgo, runRule } from './builders.js';
import { appNode, application, entraGraph, managedIdentity, secret, servicePrincipal } from './entra-builders.js';

// The platform-neutral rules on Entra ID shapes, as the entra connector maps them.
const user = (id: string, enabled: boolean) => ({ '@odata.type': '#microsoft.graph.user', id, userPrincipalName: `${id}@acme.example`, accountEnabled: enabled });

describe('neutral rules on Entra applications', () => {
  it('credential-not-rotated and credential-no-expiry judge client secrets; credential-unused makes no claim', () => {
    const g = entraGraph({
      applications: [application(1, { passwordCredentials: [secret('old', 200, 1300), secret('new', 10, 170)], keyCredentials: [{ keyId: 'cert', startDateTime: daysAgo(400), endDateTime: daysAgo(-400) }] })],
      servicePrincipals: [servicePrincipal(1)],
    });
    expect(runRule(credentialNotRotated, g).map((f) => f.discriminator)).toEqual([`entra:client-secret:${'11111111-2222-3333-4444-555555555555'}/old`]);
    expect(runRule(credentialNoExpiry, g).map((f) => [f.nodeId.split('/').pop(), f.severity])).toEqual([['old', 'low']]);
    expect(runRule(credentialUnused, g)).toEqual([]);
  });

  it('identity-unowned: no owner, or only disabled owners; unknown owners and managed identities make no claim', () => {
    const g = entraGraph({
      applications: [application(1), application(2), application(3), application(4)],
      servicePrincipals: [servicePrincipal(1), servicePrincipal(2), servicePrincipal(3), servicePrincipal(4), managedIdentity(1)],
      owners: { a1: [user('ada', true)], a2: [user('gone', false)], a3: [] },
    });
    const f = runRule(identityUnowned, g);
    expect(f.map((x) => [x.nodeId, x.message])).toEqual([
      [appNode(2), 'application app2 has no enabled owner (1 disabled: gone@acme.example)'],
      [appNode(3), 'application app3 has no owner'],
    ]);
  });

  it('identity-unused reads the last sign-in per service principal; no sign-in report, no claim', () => {
    const signIn = (days: number | null) => [{ appId: 'c1', lastSignInActivity: { lastSignInDateTime: days === null ? null : daysAgo(days) } }];
    const base = { applications: [application(1)], servicePrincipals: [servicePrincipal(1)] };
    expect(runRule(identityUnused, entraGraph({ ...base, signIns: signIn(200) })).map((f) => f.nodeId)).toEqual([appNode(1)]);
    expect(runRule(identityUnused, entraGraph({ ...base, signIns: signIn(3) }))).toEqual([]);
    expect(runRule(identityUnused, entraGraph({ ...base, signIns: signIn(null) })).map((f) => f.message)).toEqual([expect.stringMatching(/has never been used/)]);
    expect(runRule(identityUnused, entraGraph(base))).toEqual([]);
  });
});
