import { describe, expect, it } from 'vitest';
import { deriveOwnership } from '../../src/graph/derive.js';
import { rule as credentialNotRotated } from '../../src/rules/credential-not-rotated.js';
import { rule as credentialUnused } from '../../src/rules/credential-unused.js';
import { rule as identityUnowned } from '../../src/rules/identity-unowned.js';
import { rule as identityUnused } from '../../src/rules/identity-unused.js';
import { rule as multipleActiveKeys } from '../../src/rules/multiple-active-keys.js';
import { daysAgo, runRule } from './builders.js';
import { account, gcpGraph, sa, saId } from './gcp-builders.js';

// The platform-neutral rules on Google Cloud shapes, as the gcp connector maps them.
const key = (id: string, type: string, createdDaysAgo: number) => ({ name: `projects/p/serviceAccounts/${sa('app')}/keys/${id}`, keyType: type, validAfterTime: daysAgo(createdDaysAgo), validBeforeTime: '9999-12-31T23:59:59Z' });

describe('neutral rules on GCP service accounts and keys', () => {
  it('credential-not-rotated and credential-unused judge user-managed keys and leave system-managed ones alone', () => {
    const keys = { [sa('app')]: [key('um1', 'USER_MANAGED', 200), key('sm1', 'SYSTEM_MANAGED', 200), key('sm2', 'SYSTEM_MANAGED', 5)] };
    const keyActivity = [{ fullResourceName: `//iam.googleapis.com/projects/p/serviceAccounts/${sa('app')}/keys/sm1`, activity: { lastAuthenticatedTime: daysAgo(1) }, observationPeriod: { startTime: daysAgo(300), endTime: daysAgo(0) } }];
    const g = gcpGraph({ serviceAccounts: [account('app')], keys, keyActivity });
    expect(runRule(credentialNotRotated, g).map((f) => f.discriminator)).toEqual([`gcp:sa-key:${sa('app')}/um1`]);
    // the user-managed key has no activity in a record that spans its whole life: never used
    expect(runRule(credentialUnused, g).map((f) => f.discriminator)).toEqual([`gcp:sa-key:${sa('app')}/um1`]);
    expect(runRule(multipleActiveKeys, g)).toEqual([]); // system-managed keys do not count as a second key
  });

  it('identity-unused reads Policy Analyzer last authentication; no activity export → no claim', () => {
    const act = (days: number | null) => [{ activity: { lastAuthenticatedTime: days === null ? undefined : daysAgo(days), serviceAccount: { serviceAccountId: account('app').uniqueId } }, observationPeriod: { startTime: daysAgo(90), endTime: daysAgo(0) } }];
    expect(runRule(identityUnused, gcpGraph({ serviceAccounts: [account('app')], saActivity: act(200) }))[0]).toMatchObject({ nodeId: saId('app') });
    expect(runRule(identityUnused, gcpGraph({ serviceAccounts: [account('app')], saActivity: act(3) }))).toEqual([]);
    expect(runRule(identityUnused, gcpGraph({ serviceAccounts: [account('app')] }))).toEqual([]);
  });

  it('identity-unowned: owner tags come from the description; service agents and people are not judged', () => {
    const g = gcpGraph({
      serviceAccounts: [account('owned', { description: 'owner: data-team' }), account('orphan', { description: 'nightly job' }), { email: 'service-1@gcp-sa-pubsub.iam.gserviceaccount.com', projectId: 'demo-proj' }],
      policy: { bindings: [{ role: 'roles/viewer', members: ['user:a@acme.example'] }] },
    });
    deriveOwnership(g, ['owner', 'team']);
    expect(runRule(identityUnowned, g).map((f) => f.nodeId)).toEqual([saId('orphan')]);
  });
});
