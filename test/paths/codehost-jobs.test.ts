import { describe, expect, it } from 'vitest';
import { jobSubjects } from '../../src/ci/workflow.js';
import { edge, Estate, oidcTrust, roleId, sub } from './codehost-fixtures.js';

const JOB = 'github:job:acme/agents/.github/workflows/w.yml#t';
const WF = 'github:workflow:acme/agents/.github/workflows/w.yml';
const UNTRUSTED = 'github:untrusted:acme/agents';

/** one job `t` that can request an OIDC token, with the given `if:` and steps */
const text = (on: string, steps: string, jobIf = '') => `on: ${on}\njobs:\n  t:\n    runs-on: x\n${jobIf ? `    if: ${jobIf}\n` : ''}    permissions:\n      id-token: write\n    steps:\n${steps}`;

function edgesFor(on: string, steps: string, opts: { jobIf?: string; trust?: string; defaultBranch?: string } = {}) {
  const e = new Estate('acme');
  e.gh.repo('acme/agents', opts.defaultBranch ? { defaultBranch: opts.defaultBranch } : {});
  e.role('deploy', oidcTrust(sub(opts.trust ?? 'repo:acme/agents:ref:refs/heads/main', 'StringEquals')));
  e.workflow('acme/agents', '.github/workflows/w.yml', text(on, steps, opts.jobIf));
  return e.edges();
}

describe('job subjects', () => {
  const a = { triggers: ['issue_comment', 'push', 'pull_request_target', 'workflow_dispatch'], pushBranches: ['release/*'], pushTags: false };
  it('each trigger gives its form; comment events carry the default branch when known', () => {
    expect(jobSubjects(a, 'o/r', {}, 'main').map((s) => s.subject)).toEqual(['repo:o/r:ref:refs/heads/main', 'repo:o/r:ref:refs/heads/release/*', 'repo:o/r:pull_request', 'repo:o/r:ref:refs/heads/*']);
    expect(jobSubjects(a, 'o/r', {})[0]).toEqual({ subject: 'repo:o/r:ref:refs/heads/*', trigger: 'issue_comment', defaultBranchUnknown: true });
    expect(jobSubjects(a, 'o/r', { environment: 'prod' }, 'main')).toEqual([{ subject: 'repo:o/r:environment:prod', trigger: 'environment' }]);
  });
});

describe('job edges: who can steer a job, and what its token becomes', () => {
  const INJECT = '      - run: echo "${{ github.event.comment.body }}"\n';
  const AGENT = "      - uses: anthropics/claude-code-action@v1\n        with:\n          allowed_non_write_users: '*'\n";
  const GATED_AGENT = '      - uses: anthropics/claude-code-action@v1\n';
  const CHECKOUT = '      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n';
  const PLAIN = '      - run: make deploy\n';

  it.each([
    ['script injection on issue_comment', 'issue_comment', INJECT, 'high'],
    ['an agent open to anyone on issue_comment', 'issue_comment', AGENT, 'medium'],
    ['a checkout of the head on pull_request_target (trust for pull requests)', 'pull_request_target', CHECKOUT, 'medium'],
  ])('anyone → job → role: %s', (_l, on, steps, confidence) => {
    const trust = on === 'pull_request_target' ? 'repo:acme/agents:pull_request' : undefined;
    const edges = edgesFor(on, steps, { trust, defaultBranch: 'main' });
    expect(edge(edges, UNTRUSTED, JOB)).toMatchObject({ method: 'github-untrusted-input', confidence });
    expect(edge(edges, JOB, roleId('deploy'))).toMatchObject({ method: 'github-oidc-assume-role', decision: 'allowed', confidence: 'high' });
    expect(edge(edges, WF, JOB)).toMatchObject({ method: 'github-workflow-job' });
  });

  it.each([
    ['the job is limited to members', 'issue_comment', INJECT, "github.event.comment.author_association == 'MEMBER'"],
    ["the agent keeps the action's write-access check", 'issue_comment', GATED_AGENT, ''],
    ['nothing outside reaches the steps', 'issue_comment', PLAIN, ''],
    ['a trigger only writers start', 'workflow_dispatch', INJECT, ''],
    ['activity types only triagers cause', '\n  issues:\n    types: [labeled]', INJECT, ''],
  ])('no edge from anyone when %s', (_l, on, steps, jobIf) => {
    const edges = edgesFor(on, steps, { jobIf, defaultBranch: 'main' });
    expect(edges.filter((e) => e.from === UNTRUSTED)).toEqual([]);
  });

  it('a comment-triggered job presents the default branch: a trust for main accepts it, one for release does not', () => {
    expect(edge(edgesFor('issue_comment', PLAIN, { defaultBranch: 'main' }), JOB, roleId('deploy'))?.via).toBe('job t of .github/workflows/w.yml on issue_comment: its OIDC token carries sub repo:acme/agents:ref:refs/heads/main');
    expect(edge(edgesFor('issue_comment', PLAIN, { defaultBranch: 'master' }), JOB, roleId('deploy'))).toBeUndefined();
    expect(edge(edgesFor('issue_comment', PLAIN, { trust: 'repo:acme/agents:ref:refs/heads/release', defaultBranch: 'main' }), JOB, roleId('deploy'))).toBeUndefined();
    // the default branch unknown: linked, medium, and the edge says what it assumes
    const unknown = edge(edgesFor('issue_comment', PLAIN), JOB, roleId('deploy'));
    expect(unknown).toMatchObject({ confidence: 'medium' });
    expect(unknown?.dependsOn).toContain('the default branch of acme/agents being one the trust accepts');
  });

  it('a job without id-token: write has no cloud edge, and then no edge from anyone either', () => {
    const e = new Estate('acme');
    e.role('deploy', oidcTrust(sub('repo:acme/agents:*')));
    e.workflow('acme/agents', '.github/workflows/w.yml', `on: issue_comment\njobs:\n  t:\n    runs-on: x\n    steps:\n${INJECT}`);
    expect(e.edges().filter((x) => x.from === JOB || x.to === JOB)).toEqual([]);
  });
});
