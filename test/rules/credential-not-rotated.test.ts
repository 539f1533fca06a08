import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/credential-not-rotated.js';
import { GraphBuilder, PROV, daysAgo, runRule } from './builders.js';

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

  describe('GitHub credentials', () => {
    const secret = (updatedDaysAgo: number) => ({
      id: 'github:actions-secret:repo:acme/app/NPM_TOKEN',
      kind: 'credential' as const,
      platform: 'github',
      type: 'actions-secret',
      name: 'NPM_TOKEN',
      scope: 'acme',
      credentialType: 'secret',
      createdAt: daysAgo(900),
      lastRotatedAt: daysAgo(updatedDaysAgo),
      active: true,
      attributes: { level: 'repo', repo: 'acme/app' },
      provenance: [PROV],
    });

    it.each([
      [150, 0],
      [200, 1],
    ])('an Actions secret last updated %i days ago → %i finding(s) (secrets default to 180 days)', (days, n) => {
      const b = new GraphBuilder();
      b.graph.addNode(secret(days));
      const findings = runRule(rule, b.graph);
      expect(findings).toHaveLength(n);
      if (n) {
        expect(findings[0]).toMatchObject({ nodeId: 'github:actions-secret:repo:acme/app/NPM_TOKEN', severity: 'medium' });
        expect(findings[0].message).toBe(`GitHub Actions secret NPM_TOKEN of acme/app is ${days} days old (last rotated ${daysAgo(days).slice(0, 10)}; limit 180 days)`);
      }
    });

    it('maxAgeDaysByType overrides the per-type default', () => {
      const b = new GraphBuilder();
      b.graph.addNode(secret(200));
      expect(runRule(rule, b.graph, { maxAgeDaysByType: { secret: 365 } })).toEqual([]);
    });

    it('a deploy key is an ssh-key credential with the general limit', () => {
      const b = new GraphBuilder();
      b.graph.addNode({ id: 'github:deploy-key:acme/app:7', kind: 'credential', platform: 'github', type: 'deploy-key', name: 'ci deploy', scope: 'acme', credentialType: 'ssh-key', createdAt: daysAgo(100), active: true, attributes: { repo: 'acme/app', readOnly: false }, provenance: [PROV] });
      const [f] = runRule(rule, b.graph);
      expect(f.message).toContain('Deploy key ci deploy of acme/app is 100 days old');
    });
  });
});
