import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/credential-unused.js';
import { GraphBuilder, type KeyOpts, daysAgo, runRule } from './builders.js';
import { account, gcpGraph, P, sa } from './gcp-builders.js';

describe('credential-unused', () => {
  it.each<[string, KeyOpts]>([
    ['used yesterday', { createdAt: daysAgo(300), lastUsedAt: daysAgo(1) }],
    ['used 90 days ago (at the limit)', { createdAt: daysAgo(300), lastUsedAt: daysAgo(90) }],
    ['never used but created 3 days ago (grace)', { createdAt: daysAgo(3), lastUsedAt: null }],
    ['last use unknown', { createdAt: daysAgo(300) }],
    ['inactive and never used', { active: false, createdAt: daysAgo(300), lastUsedAt: null }],
  ])('valid: %s', (_label, key) => {
    const b = new GraphBuilder();
    b.accessKey(b.user('ci-bot'), 'AKIAEXAMPLE1', key);
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it.each<[string, KeyOpts, string]>([
    ['last used 120 days ago', { createdAt: daysAgo(300), lastUsedAt: daysAgo(120) }, 'has not been used for 120 days'],
    ['never used, created 30 days ago', { createdAt: daysAgo(30), lastUsedAt: null }, 'never been used since it was created 30 days ago'],
  ])('invalid: %s', (_label, key, text) => {
    const b = new GraphBuilder();
    const u = b.user('ci-bot');
    const k = b.accessKey(u, 'AKIAEXAMPLE1', key);
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'medium', nodeId: u, discriminator: k });
    expect(findings[0].message).toContain(text);
    expect(findings[0].message).toContain('IAM user ci-bot');
    expect(findings[0].evidence[0].data).toMatchObject({ credentialId: k, lastUsedAt: key.lastUsedAt });
  });

  it('honours unusedDays and neverUsedGraceDays', () => {
    const b = new GraphBuilder();
    const u = b.user('ci-bot');
    b.accessKey(u, 'AKIAOLD', { createdAt: daysAgo(300), lastUsedAt: daysAgo(40) });
    b.accessKey(u, 'AKIANEW', { createdAt: daysAgo(5), lastUsedAt: null });
    expect(runRule(rule, b.graph)).toEqual([]);
    const strict = runRule(rule, b.graph, { unusedDays: 30, neverUsedGraceDays: 1 });
    expect(strict.map((f) => f.discriminator).sort()).toEqual(['aws:access-key:AKIANEW', 'aws:access-key:AKIAOLD']);
  });
});

describe('credential-unused: a usage record that starts after the credential was created (GCP Policy Analyzer)', () => {
  const key = (validAfterTime: string) => ({ [sa('app')]: [{ name: `projects/${P}/serviceAccounts/${sa('app')}/keys/k1`, keyType: 'USER_MANAGED', validAfterTime, validBeforeTime: '9999-12-31T23:59:59Z' }] });
  const activity = (start: string) => ({ saActivity: [{ fullResourceName: `//iam.googleapis.com/projects/${P}/serviceAccounts/1`, activity: { lastAuthenticatedTime: '2026-05-30T00:00:00Z', serviceAccount: { serviceAccountId: '1' } }, observationPeriod: { startTime: start, endTime: '2026-06-01T00:00:00Z' } }], keyActivity: [] });

  it.each([
    ['the record starts 61 days ago: too short to call the key unused', '2025-01-01T00:00:00Z', '2026-04-01T00:00:00Z', undefined],
    ['the record starts 151 days ago: no recorded use since', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', `has no recorded use since 2026-01-01, when the platform's usage record starts (151 days; created 516 days ago)`],
    ['the key is younger than the record: never used', '2026-03-01T00:00:00Z', '2026-01-01T00:00:00Z', 'has never been used since it was created 92 days ago'],
  ])('%s', (_l, created, start, text) => {
    const g = gcpGraph({ serviceAccounts: [account('app', { uniqueId: '1' })], keys: key(created), ...activity(start) });
    const found = runRule(rule, g);
    if (!text) expect(found).toEqual([]);
    else expect(found.map((f) => f.message)).toEqual([expect.stringContaining(text)]);
  });

  it('without any observation period there is no bound, so no claim', () => {
    const g = gcpGraph({ serviceAccounts: [account('app', { uniqueId: '1' })], keys: key('2025-01-01T00:00:00Z'), keyActivity: [] });
    expect(runRule(rule, g)).toEqual([]);
  });
});
