import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/identity-unused.js';
import { GraphBuilder, OTHER_ACCOUNT, daysAgo, runRule } from './builders.js';
import { account, gcpGraph } from './gcp-builders.js';

describe('identity-unused', () => {
  it.each<[string, (b: GraphBuilder) => void]>([
    ['role used last week', (b) => b.role('app', { lastUsedAt: daysAgo(7) })],
    ['role with unknown last use', (b) => b.role('app')],
    ['role never used, created 2 days ago', (b) => b.role('new', { lastUsedAt: null, createdAt: daysAgo(2) })],
    ['service-linked role never used', (b) => b.role('AWSServiceRoleForSupport', { path: '/aws-service-role/support.amazonaws.com/', lastUsedAt: null })],
    [
      'user whose old key is idle but console login is recent',
      (b) => {
        const u = b.user('alice', { passwordEnabled: true });
        b.accessKey(u, 'AKIA1', { lastUsedAt: daysAgo(300) });
        b.password(u, { lastUsedAt: daysAgo(3) });
      },
    ],
    [
      'a group and the root user are not identities here',
      (b) => {
        b.group('g');
        b.accessKey(b.root(), 'AKIAROOT', { lastUsedAt: daysAgo(500) });
      },
    ],
    [
      'role of an account outside the scan',
      (b) => {
        b.account(OTHER_ACCOUNT, false);
        b.role('theirs', { acct: OTHER_ACCOUNT, lastUsedAt: daysAgo(500) });
      },
    ],
  ])('valid: %s', (_label, build) => {
    const b = new GraphBuilder();
    b.account();
    build(b);
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('invalid: role last used 200 days ago', () => {
    const b = new GraphBuilder();
    const r = b.role('old-app', { lastUsedAt: daysAgo(200) });
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'low', nodeId: r });
    expect(findings[0].message).toContain('IAM role old-app has not been used for 200 days');
    expect(findings[0].evidence[0].data).toMatchObject({ lastUsedAt: daysAgo(200) });
  });

  it('invalid: role never used, created a year ago', () => {
    const b = new GraphBuilder();
    const r = b.role('never', { lastUsedAt: null, createdAt: daysAgo(365) });
    const [f] = runRule(rule, b.graph);
    expect(f).toMatchObject({ nodeId: r, confidence: 'medium' });
    expect(f.message).toContain('never been used since it was created 365 days ago');
  });

  it('invalid: user whose only key is idle (activity comes from credentials)', () => {
    const b = new GraphBuilder();
    const u = b.user('ci');
    const k = b.accessKey(u, 'AKIA1', { lastUsedAt: daysAgo(120) });
    const [f] = runRule(rule, b.graph);
    expect(f.nodeId).toBe(u);
    expect(f.evidence[0].data).toMatchObject({ credentialId: k });
  });

  it('honours unusedDays', () => {
    const b = new GraphBuilder();
    b.role('app', { lastUsedAt: daysAgo(40) });
    expect(runRule(rule, b.graph)).toEqual([]);
    expect(runRule(rule, b.graph, { unusedDays: 30 })).toHaveLength(1);
  });
});

describe('identity-unused: a usage record that starts after the identity was created (GCP Policy Analyzer)', () => {
  const noAuth = (startDaysAgo: number) => [{ activity: { serviceAccount: { serviceAccountId: account('app').uniqueId } }, observationPeriod: { startTime: daysAgo(startDaysAgo), endTime: daysAgo(0) } }];
  it.each([
    ['the record spans 60 days: too short to call the account unused', 60, undefined],
    ['the record spans 90 days (the threshold) with no authentication', 90, 'has no recorded activity since'],
    ['the record spans 120 days with no authentication', 120, "when the platform's usage record starts (120 days)"],
  ])('%s', (_l, start, text) => {
    const found = runRule(rule, gcpGraph({ serviceAccounts: [account('app')], saActivity: noAuth(start) }));
    if (!text) expect(found).toEqual([]);
    else expect(found.map((f) => f.message)).toEqual([expect.stringContaining(text)]);
  });
});
