import { describe, expect, it } from 'vitest';
import { deriveCiLinks } from '../../src/graph/derive-ci.js';
import { rule } from '../../src/rules/ci-secret-unreferenced.js';
import { runRule } from './builders.js';
import { GitHubBuilder } from './github-builders.js';
import { workflow } from './workflow-helpers.js';

const USES_TOKEN = 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n';

function estate(opts: { scanned: boolean; secrets: Array<['repo' | 'org', string, Record<string, unknown>?]>; wf?: string }) {
  const b = new GitHubBuilder();
  b.org();
  b.repo('acme/app', { workflowsScanned: opts.scanned });
  for (const [level, name, attrs] of opts.secrets) b.secret(level, level === 'repo' ? 'acme/app' : 'acme', name, { ...(level === 'repo' ? { repo: 'acme/app' } : { visibility: 'all' }), ...attrs });
  if (opts.wf) for (const r of workflow(opts.wf)) b.graph.add(r);
  deriveCiLinks(b.graph);
  return b.graph;
}

describe('ci-secret-unreferenced', () => {
  it.each([
    ['referenced repository secret', estate({ scanned: true, secrets: [['repo', 'TOKEN']], wf: USES_TOKEN })],
    ['workflows of the repository were not scanned: no claim', estate({ scanned: false, secrets: [['repo', 'OLD']] })],
    ['org secret referenced by a repository', estate({ scanned: true, secrets: [['org', 'TOKEN']], wf: USES_TOKEN })],
    ['selected org secret visible to an unscanned repository', estate({ scanned: true, secrets: [['org', 'X', { visibility: 'selected', selectedRepositories: ['app', 'other'] }]] })],
    ['a workflow passes toJSON(secrets): every secret may be read', estate({ scanned: true, secrets: [['repo', 'OLD'], ['org', 'LEGACY']], wf: 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: ./tool\n        env:\n          ALL: ${{ toJSON(secrets) }}\n' })],
    ['a computed secrets[...] index', estate({ scanned: true, secrets: [['repo', 'OLD']], wf: 'on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        key: [A, B]\n    steps:\n      - run: echo ${{ secrets[format(\'KEY_{0}\', matrix.key)] }}\n' })],
    ['secrets: inherit into a workflow of another repository', estate({ scanned: true, secrets: [['repo', 'OLD']], wf: 'on: push\njobs:\n  call:\n    uses: acme/shared/.github/workflows/deploy.yml@v1\n    secrets: inherit\n' })],
  ])('valid: %s', (_l, graph) => {
    expect(runRule(rule, graph)).toEqual([]);
  });

  it.each([
    ['an unreferenced repository secret', estate({ scanned: true, secrets: [['repo', 'TOKEN'], ['repo', 'OLD']], wf: USES_TOKEN }), 'github:actions-secret:repo:acme/app/OLD', 'GitHub Actions secret OLD of acme/app is not referenced by any scanned workflow'],
    ['an org secret every scanned repository ignores', estate({ scanned: true, secrets: [['org', 'LEGACY']], wf: USES_TOKEN }), 'github:actions-secret:org:acme/LEGACY', 'GitHub Actions secret LEGACY of org acme'],
    ['look-alike: a literal secrets[\'NAME\'] index names one secret only', estate({ scanned: true, secrets: [['repo', 'TOKEN'], ['repo', 'OLD']], wf: "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ secrets['TOKEN'] }}\n" }), 'github:actions-secret:repo:acme/app/OLD', 'GitHub Actions secret OLD of acme/app'],
    ['look-alike: secrets: inherit into a reusable workflow of the same repository (scanned itself)', estate({ scanned: true, secrets: [['repo', 'OLD']], wf: 'on: push\njobs:\n  call:\n    uses: ./.github/workflows/deploy.yml\n    secrets: inherit\n' }), 'github:actions-secret:repo:acme/app/OLD', 'GitHub Actions secret OLD of acme/app'],
  ])('invalid: %s', (_l, graph, id, text) => {
    const findings = runRule(rule, graph);
    expect(findings.map((f) => f.nodeId)).toEqual([id]);
    expect(findings[0]).toMatchObject({ severity: 'low', confidence: 'medium' });
    expect(findings[0].message).toContain(text);
  });

  it('ignore globs', () => {
    expect(runRule(rule, estate({ scanned: true, secrets: [['repo', 'OLD']] }), { ignore: ['O*'] })).toEqual([]);
  });
});
