import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/deploy-key-write-access-unused.js';
import { daysAgo, runRule } from './builders.js';
import { GitHubBuilder } from './github-builders.js';

function key(opts: { readOnly?: boolean; lastUsedAt?: string | null; visibility?: string; archived?: boolean }) {
  const b = new GitHubBuilder();
  b.org();
  b.repo('acme/app', { visibility: opts.visibility ?? 'private', archived: opts.archived ?? false });
  b.deployKey('acme/app', 7, { readOnly: opts.readOnly ?? false, createdAt: daysAgo(500), lastUsedAt: opts.lastUsedAt });
  return b.graph;
}

describe('deploy-key-write-access-unused', () => {
  it.each<[string, Parameters<typeof key>[0], Record<string, unknown>?]>([
    ['read-only and never used', { readOnly: true, lastUsedAt: null }],
    ['write key used 10 days ago', { lastUsedAt: daysAgo(10) }],
    ['write key, last use unknown', { lastUsedAt: undefined }],
  ])('valid: %s', (_l, opts, options) => {
    expect(runRule(rule, key(opts), options)).toEqual([]);
  });

  it.each<[string, Parameters<typeof key>[0], string, string, Record<string, unknown>?]>([
    ['never used', { lastUsedAt: null }, 'medium', 'it was never used'],
    ['last used 200 days ago', { lastUsedAt: daysAgo(200) }, 'medium', 'last used 200 days ago'],
    ['on a public repository', { lastUsedAt: daysAgo(200), visibility: 'public' }, 'high', '(public repository)'],
    ['recently used, but the repository is archived', { lastUsedAt: daysAgo(1), archived: true }, 'medium', 'archived'],
    ['unknown use with flagUnknownUse', { lastUsedAt: undefined }, 'medium', 'unknown', { flagUnknownUse: true }],
  ])('invalid: %s', (_l, opts, severity, text, options) => {
    const [f] = runRule(rule, key(opts), options);
    expect(f).toMatchObject({ nodeId: 'github:deploy-key:acme/app:7', severity });
    expect(f.message).toContain('Deploy key key-7 of acme/app can push');
    expect(f.message).toContain(text);
  });

  it('GitLab keys: canPush', () => {
    const b = new GitHubBuilder();
    b.credential({ id: 'gitlab:deploy-key:acme/api/3', platform: 'gitlab', type: 'deploy-key', name: 'ci', credentialType: 'ssh-key', createdAt: daysAgo(300), lastUsedAt: null, active: true, attributes: { canPush: true, project: 'acme/api' } });
    expect(runRule(rule, b.graph)[0].message).toContain('Deploy key ci of acme/api can push, but it was never used');
  });
});
