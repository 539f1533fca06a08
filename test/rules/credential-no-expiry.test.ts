import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/credential-no-expiry.js';
import { daysAgo, runRule } from './builders.js';
import { GitHubBuilder } from './github-builders.js';

const pat = (expiresAt: string | null | undefined, opts: { createdAt?: string; active?: boolean; credentialType?: string } = {}) => {
  const b = new GitHubBuilder();
  const user = b.node({ id: 'github:user:octo', kind: 'principal', platform: 'github', type: 'user', name: 'octo', accountType: 'human' } as never);
  const id = b.credential({ id: 'github:fine-grained-pat:acme/1', type: 'fine-grained-pat', name: 'release', credentialType: opts.credentialType ?? 'token', createdAt: opts.createdAt ?? daysAgo(100), expiresAt, active: opts.active ?? true });
  b.edge('HAS_CREDENTIAL', user, id);
  return b.graph;
};

describe('credential-no-expiry', () => {
  it.each<[string, ReturnType<typeof pat>]>([
    ['expires in 30 days', pat(daysAgo(-30))],
    ['expiry unknown', pat(undefined)],
    ['revoked / inactive', pat(null, { active: false })],
    ['not a token (CI secrets do not expire by design)', pat(null, { credentialType: 'secret' })],
    ['a long lifetime that is already over', pat(daysAgo(1), { createdAt: daysAgo(800) })],
  ])('valid: %s', (_l, graph) => {
    expect(runRule(rule, graph)).toEqual([]);
  });

  it('invalid: never expires (medium, on the token, names the holder)', () => {
    const [f] = runRule(rule, pat(null));
    expect(f).toMatchObject({ nodeId: 'github:fine-grained-pat:acme/1', severity: 'medium' });
    expect(f.message).toBe('Fine-grained PAT release of user octo never expires');
  });

  it('invalid: a lifetime beyond maxLifetimeDays (low)', () => {
    const [f] = runRule(rule, pat(daysAgo(-400), { createdAt: daysAgo(100) }));
    expect(f).toMatchObject({ severity: 'low', discriminator: 'long-lived' });
    expect(f.message).toContain('lives 500 days');
    expect(runRule(rule, pat(daysAgo(-400), { createdAt: daysAgo(100) }), { maxLifetimeDays: 600 })).toEqual([]);
  });
});
