import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/self-hosted-runner-on-public-repo.js';
import { runRule } from './builders.js';
import { GitHubBuilder } from './github-builders.js';

function estate(opts: { repoVisibility: string; runnerLevel: 'repo' | 'org'; groupAllowsPublic?: boolean; archived?: boolean }) {
  const b = new GitHubBuilder();
  b.org();
  const repo = b.repo('acme/site', { visibility: opts.repoVisibility, archived: opts.archived ?? false });
  const id = b.node({ id: 'github:runner:acme/1', kind: 'resource', platform: 'github', type: 'self-hosted-runner', name: 'build-1', scope: 'acme', attributes: { level: opts.runnerLevel, os: 'linux', labels: ['self-hosted'], runnerGroup: 'Default', groupAllowsPublicRepos: opts.groupAllowsPublic } } as never);
  b.edge('IN_SCOPE', id, opts.runnerLevel === 'repo' ? repo : 'github:org:acme');
  return b.graph;
}

describe('self-hosted-runner-on-public-repo', () => {
  it.each([
    ['repo runner on a private repository', estate({ repoVisibility: 'private', runnerLevel: 'repo' })],
    ['org runner, group closed to public repositories', estate({ repoVisibility: 'public', runnerLevel: 'org', groupAllowsPublic: false })],
    ['org runner, group open, but no public repository', estate({ repoVisibility: 'private', runnerLevel: 'org', groupAllowsPublic: true })],
    ['org runner, group open, only an archived public repository', estate({ repoVisibility: 'public', runnerLevel: 'org', groupAllowsPublic: true, archived: true })],
  ])('valid: %s', (_l, graph) => {
    expect(runRule(rule, graph)).toEqual([]);
  });

  it.each([
    ['repo runner on a public repository', estate({ repoVisibility: 'public', runnerLevel: 'repo' }), 'serves public repository acme/site'],
    ['org runner in a group open to public repositories', estate({ repoVisibility: 'public', runnerLevel: 'org', groupAllowsPublic: true }), 'admits public repositories (1 in acme)'],
  ])('invalid: %s', (_l, graph, text) => {
    const [f] = runRule(rule, graph);
    expect(f).toMatchObject({ nodeId: 'github:runner:acme/1', severity: 'high' });
    expect(f.message).toContain(text);
  });
});
