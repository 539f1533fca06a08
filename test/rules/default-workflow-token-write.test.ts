import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/default-workflow-token-write.js';
import { runRule } from './builders.js';
import { GitHubBuilder } from './github-builders.js';
import { workflow } from './workflow-helpers.js';

const NO_PERMS = 'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: ok}]\n';
const WITH_PERMS = 'on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: x\n    steps: [{run: ok}]\n';

function estate(orgDefault: string, repoDefault: string | undefined, wf: string | undefined, canApprove = false) {
  const b = new GitHubBuilder();
  b.org('acme', { defaultWorkflowPermissions: orgDefault, canApprovePullRequestReviews: canApprove });
  b.repo('acme/app', repoDefault ? { defaultWorkflowPermissions: repoDefault } : {});
  if (wf) for (const r of workflow(wf)) b.graph.add(r);
  return b.graph;
}

describe('default-workflow-token-write', () => {
  it.each([
    ['read everywhere', estate('read', 'read', NO_PERMS)],
    ['unknown settings', estate('unknown', undefined, NO_PERMS)],
  ])('valid: %s', (_l, graph) => {
    expect(runRule(rule, graph)).toEqual([]);
  });

  it('invalid (medium): org default write, every workflow declares its permissions', () => {
    const findings = runRule(rule, estate('write', undefined, WITH_PERMS));
    expect(findings.map((f) => [f.nodeId, f.severity])).toEqual([['github:org:acme', 'medium']]);
  });

  it('invalid (high): org and repository default write, a workflow without permissions, PR approval allowed', () => {
    const findings = runRule(rule, estate('write', 'write', NO_PERMS, true));
    expect(findings.map((f) => [f.nodeId, f.severity]).sort()).toEqual([
      ['github:org:acme', 'high'],
      ['github:repo:acme/app', 'high'],
    ]);
    const org = findings.find((f) => f.nodeId === 'github:org:acme')!;
    expect(org.message).toBe('Organisation acme gives every workflow a read-write GITHUB_TOKEN by default; 1 workflow(s) declare no permissions, and workflows may approve pull requests');
    expect(org.evidence[1].data).toEqual({ workflows: ['acme/app .github/workflows/w.yml'] });
  });

  it('a repository that overrides the org default to read is not counted against the org', () => {
    const findings = runRule(rule, estate('write', 'read', NO_PERMS));
    expect(findings.map((f) => [f.nodeId, f.severity])).toEqual([['github:org:acme', 'medium']]);
  });
});
