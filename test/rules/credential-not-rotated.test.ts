import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/credential-not-rotated.js';
import { GraphBuilder, daysAgo, runRule } from './builders.js';

type KeyCase = { active: boolean; createdAt: string; lastRotatedAt?: string };

describe('credential-not-rotated', () => {
  it.each<[string, KeyCase]>([
    ['a fresh key', { active: true, createdAt: daysAgo(30) }],
    ['a key exactly at the limit', { active: true, createdAt: daysAgo(90) }],
    ['an old key that is inactive', { active: false, createdAt: daysAgo(400) }],
    ['an old key rotated recently', { active: true, createdAt: daysAgo(400), lastRotatedAt: daysAgo(10) }],
  ])('valid: %s', (_label, key) => {
    const b = new GraphBuilder();
    b.accessKey(b.user('ci-bot'), 'AKIAEXAMPLE1', key);
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it.each<[string, KeyCase, number]>([
    ['a key one day over the limit', { active: true, createdAt: daysAgo(91) }, 91],
    ['a key rotated long ago', { active: true, createdAt: daysAgo(900), lastRotatedAt: daysAgo(200) }, 200],
  ])('invalid: %s', (_label, key, age) => {
    const b = new GraphBuilder();
    const u = b.user('ci-bot');
    const k = b.accessKey(u, 'AKIAEXAMPLE1', key);
    const [f, ...rest] = runRule(rule, b.graph);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'credential-not-rotated', severity: 'medium', nodeId: u, discriminator: k });
    expect(f.message).toContain('AKIAEXAMPLE1');
    expect(f.message).toContain('IAM user ci-bot');
    expect(f.message).toContain(`${age} days old`);
    expect(f.evidence[0].data).toMatchObject({ credentialId: k, ageDays: age });
  });

  it('reports each old key of a user separately with stable fingerprints', () => {
    const b = new GraphBuilder();
    const u = b.user('ci-bot');
    b.accessKey(u, 'AKIAONE', { createdAt: daysAgo(200) });
    b.accessKey(u, 'AKIATWO', { createdAt: daysAgo(300) });
    const findings = runRule(rule, b.graph);
    expect(findings.map((f) => f.discriminator)).toEqual(['aws:access-key:AKIAONE', 'aws:access-key:AKIATWO']);
    expect(new Set(findings.map((f) => f.fingerprint)).size).toBe(2);
  });

  it('honours maxAgeDays and types options', () => {
    const b = new GraphBuilder();
    const u = b.user('ci-bot');
    b.accessKey(u, 'AKIAONE', { createdAt: daysAgo(40) });
    b.password(u, { createdAt: daysAgo(500) });
    expect(runRule(rule, b.graph, { maxAgeDays: 30 })).toHaveLength(1);
    expect(runRule(rule, b.graph, { maxAgeDays: 30, types: ['password'] }).map((f) => f.discriminator)).toEqual([
      'aws:password:arn:aws:iam::123456789012:user/ci-bot',
    ]);
  });
});
