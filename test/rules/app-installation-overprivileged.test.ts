import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/app-installation-overprivileged.js';
import { runRule } from './builders.js';
import { GitHubBuilder } from './github-builders.js';

function app(selection: 'all' | 'selected', permissions: Record<string, string>, disabled = false) {
  const b = new GitHubBuilder();
  b.node({ id: 'github:app-installation:acme/11', kind: 'principal', platform: 'github', type: 'app-installation', name: 'ci-bot', scope: 'acme', accountType: 'service', disabled, attributes: { appSlug: 'ci-bot', installationId: 11, repositorySelection: selection, permissions } } as never);
  return b.graph;
}

describe('app-installation-overprivileged', () => {
  it.each<[string, ReturnType<typeof app>, Record<string, unknown>?]>([
    ['read-only on all repositories', app('all', { contents: 'read', metadata: 'read' })],
    ['write on pull requests only (not sensitive)', app('all', { pull_requests: 'write', issues: 'write' })],
    ['contents write on selected repositories', app('selected', { contents: 'write' })],
    ['suspended installation', app('all', { contents: 'write' }, true)],
    ['ignored by slug', app('all', { contents: 'write' }), { ignore: ['CI-BOT'] }],
  ])('valid: %s', (_l, graph, options) => {
    expect(runRule(rule, graph, options)).toEqual([]);
  });

  it.each<[string, ReturnType<typeof app>, string, string]>([
    ['contents and workflows write on every repository', app('all', { contents: 'write', workflows: 'write', metadata: 'read' }), 'high', 'every repository of acme with contents: write, workflows: write'],
    ['administration write on selected repositories', app('selected', { administration: 'write' }), 'medium', 'selected repositories'],
  ])('invalid: %s', (_l, graph, severity, text) => {
    const [f] = runRule(rule, graph);
    expect(f).toMatchObject({ nodeId: 'github:app-installation:acme/11', severity });
    expect(f.message).toContain(text);
  });
});
