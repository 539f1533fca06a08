import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/credential-unused.js';
import { GraphBuilder, type KeyOpts, daysAgo, runRule } from './builders.js';

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
