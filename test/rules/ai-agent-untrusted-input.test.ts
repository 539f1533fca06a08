import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { rule } from '../../src/rules/ai-agent-untrusted-input.js';
import { Estate, NOW, oidcTrust, roleId, sub } from '../paths/codehost-fixtures.js';
import { runRule } from './builders.js';
import { WF_ID, workflow } from './workflow-helpers.js';
import { workflowRecords } from '../../src/ci/workflow.js';

/** One job `triage` with the given permissions block, `if:`, and agent step (the agent step's line depends on the permissions block). */
const wf = (on: string, perms: string, step: string, jobIf = '') =>
  `on: ${on}\njobs:\n  triage:\n    runs-on: ubuntu-latest\n${jobIf ? `    if: ${jobIf}\n` : ''}    permissions:\n${perms}    steps:\n      - uses: actions/checkout@v4\n${step}`;
const WRITE = '      contents: write\n      issues: write\n';
const ISSUES = '      issues: write\n';
const READ = '      contents: read\n';
const CLAUDE_OPEN = "      - uses: anthropics/claude-code-action@v1\n        with:\n          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n          allowed_non_write_users: '*'\n";
const CLAUDE_DEFAULT = '      - uses: anthropics/claude-code-action@v1\n        with:\n          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n';
const GEMINI_DEPLOY = '      - uses: google-github-actions/run-gemini-cli@v0\n        with:\n          gemini_api_key: ${{ secrets.GEMINI_API_KEY }}\n        env:\n          DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n';
const CODEX_CLI = '      - run: npx -y @openai/codex exec "label this issue"\n        env:\n          OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n';

describe('ai-agent-untrusted-input', () => {
  it.each([
    ['an agent on workflow_dispatch (only people with write access start it)', wf('workflow_dispatch', WRITE, CLAUDE_OPEN)],
    ['an agent on push', wf('push', WRITE, GEMINI_DEPLOY)],
    ['an agent on pull_request (forks get no secrets and a read token)', wf('pull_request', WRITE, CLAUDE_OPEN)],
    ['an agent on issue_comment with a read-only token and no key', wf('issue_comment', READ, '      - run: claude -p "summarise"\n')],
    ['look-alike: a labeler on issue_comment, no agent', wf('issue_comment', ISSUES, '      - uses: actions/labeler@v5\n')],
    ['look-alike: a script that echoes the word claude', wf('issue_comment', WRITE, '      - run: echo claude\n')],
  ])('valid: %s', (_l, text) => {
    expect(runRule(rule, IdentityGraph.from(workflow(text)), undefined, NOW)).toEqual([]);
  });

  it.each([
    ['Claude Code opened to anyone, contents: write', wf('issue_comment', WRITE, CLAUDE_OPEN), 'critical', 10],
    ["Claude Code with the action's own write-access check, contents: write", wf('issue_comment', WRITE, CLAUDE_DEFAULT), 'medium', 10],
    ['Gemini CLI on issues with a deploy secret and issues: write', wf('issues', ISSUES, GEMINI_DEPLOY), 'high', 9],
    ['Claude Code issue triage open to anyone with issues: write only', wf('issues', ISSUES, CLAUDE_OPEN), 'medium', 9],
    ['Codex CLI through npx on pull_request_target with only its own key', wf('pull_request_target', READ, CODEX_CLI), 'medium', 9],
    ['an author_association gate on the job lowers it', wf('issue_comment', WRITE, CLAUDE_OPEN, "github.event.comment.author_association == 'MEMBER'"), 'medium', 11],
    ['no permissions block: the repository default is unknown', 'on: issue_comment\njobs:\n  triage:\n    runs-on: x\n    steps:\n      - run: claude -p "fix it"\n', 'high', 6],
  ])('invalid: %s', (_l, text, severity, line) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)), undefined, NOW);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: WF_ID, severity, discriminator: 'job:triage', location: { startLine: line } });
  });

  it('an agent named in the options is found; replaceDefaultAgents drops the built-in table', () => {
    const text = wf('issue_comment', WRITE, '      - uses: acme/house-agent@v2\n');
    expect(runRule(rule, IdentityGraph.from(workflow(text)), undefined, NOW)).toEqual([]);
    const found = runRule(rule, IdentityGraph.from(workflow(text)), { agents: [{ name: 'House agent', actions: ['acme/house-agent'] }] }, NOW);
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('runs House agent');
    expect(runRule(rule, IdentityGraph.from(workflow(wf('issue_comment', WRITE, CLAUDE_OPEN))), { replaceDefaultAgents: true }, NOW)).toEqual([]);
  });

  it('fingerprints do not move with lines and differ per job', () => {
    const text = wf('issue_comment', WRITE, CLAUDE_OPEN);
    const a = runRule(rule, IdentityGraph.from(workflow(text)), undefined, NOW);
    const b = runRule(rule, IdentityGraph.from(workflow(`# moved\n${text}`)), undefined, NOW);
    expect(b.map((f) => f.fingerprint)).toEqual(a.map((f) => f.fingerprint));
    const two = runRule(rule, IdentityGraph.from(workflow(`${text}  second:\n    runs-on: x\n    permissions:\n${WRITE}    steps:\n${CLAUDE_OPEN}`)), undefined, NOW);
    expect(new Set(two.map((f) => f.fingerprint)).size).toBe(2);
  });

  it('shows the chain from anyone who can comment to the cloud role the agent job can assume (the role from a secret) and what it can become', () => {
    const estate = new Estate('acme');
    estate.gh.repo('acme/agents', { defaultBranch: 'main' });
    estate.role('deploy', oidcTrust(sub('repo:acme/agents:ref:refs/heads/main', 'StringEquals')));
    const text = `on:
  issue_comment:
    types: [created]
permissions:
  contents: read
jobs:
  triage:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
      contents: read
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ secrets.AWS_ROLE_ARN }}
          aws-region: eu-west-1
      - uses: anthropics/claude-code-action@v1
        with:
          anthropic_api_key: \${{ secrets.ANTHROPIC_API_KEY }}
          allowed_non_write_users: '*'
`;
    const wfId = estate.workflow('acme/agents', '.github/workflows/claude.yml', text);
    const graph = estate.build();
    const [f, ...rest] = runRule(rule, graph, undefined, NOW);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: wfId, severity: 'critical', discriminator: 'job:triage' });
    expect(f.message).toContain('role deploy (admin)');
    expect(f.path).toEqual(['github:untrusted:acme/agents', wfId, 'github:job:acme/agents/.github/workflows/claude.yml#triage', roleId('deploy')]);
    const cloud = f.evidence.find((e) => (e.data as { cloudIdentity?: string } | undefined)?.cloudIdentity === roleId('deploy'));
    expect(cloud?.description).toContain('sub repo:acme/agents:ref:refs/heads/main; the job takes its role from ${{ secrets.AWS_ROLE_ARN }}');
    // a trust naming another branch: no role, the OIDC token is reported as accepted by no scanned trust
    const other = new Estate('acme');
    other.gh.repo('acme/agents', { defaultBranch: 'main' });
    other.role('deploy', oidcTrust(sub('repo:acme/agents:ref:refs/heads/release', 'StringEquals')));
    other.workflow('acme/agents', '.github/workflows/claude.yml', text);
    const [g] = runRule(rule, other.build(), undefined, NOW);
    expect(g.severity).toBe('medium');
    expect(g.message).toContain('an OIDC token (id-token: write) no scanned cloud trust accepts');
  });

  it('a reusable workflow runs on the triggers of the workflow that calls it; a gated calling job (or a job it needs) lowers it', () => {
    const called = `on: workflow_call\njobs:\n  agent:\n    runs-on: x\n    permissions:\n${WRITE}    steps:\n${CLAUDE_OPEN}`;
    const caller = (jobs: string) => `on: issue_comment\njobs:\n${jobs}`;
    const CALL = '  call:\n    uses: ./.github/workflows/agent.yml\n    secrets: inherit\n';
    const graphOf = (callerText: string) =>
      IdentityGraph.from([
        ...workflowRecords({ repo: 'acme/app', path: '.github/workflows/agent.yml', text: called, connector: 'workflows', source: 'f', observedAt: NOW.toISOString(), local: true }),
        ...workflowRecords({ repo: 'acme/app', path: '.github/workflows/dispatch.yml', text: callerText, connector: 'workflows', source: 'f', observedAt: NOW.toISOString(), local: true }),
      ]);
    const [open] = runRule(rule, graphOf(caller(CALL)), undefined, NOW);
    expect(open).toMatchObject({ nodeId: 'github:workflow:acme/app/.github/workflows/agent.yml', severity: 'critical' });
    expect(open.message).toContain('on issue_comment (called by .github/workflows/dispatch.yml (job call))');
    const gate = "  check:\n    if: github.event.comment.author_association == 'OWNER'\n    runs-on: x\n    steps:\n      - run: true\n";
    const [gated] = runRule(rule, graphOf(caller(`${gate}${CALL.replace('    uses:', '    needs: check\n    uses:')}`)), undefined, NOW);
    expect(gated.severity).toBe('medium');
    // a caller on push passes on nothing
    expect(runRule(rule, graphOf(caller(CALL).replace('on: issue_comment', 'on: push')), undefined, NOW)).toEqual([]);
  });

  it('an agent started only by triager actions (issues: labeled) counts as started by trusted actors', () => {
    const text = wf('issues', WRITE, CLAUDE_OPEN).replace('on: issues', 'on:\n  issues:\n    types: [labeled]');
    const [f] = runRule(rule, IdentityGraph.from(workflow(text)), undefined, NOW);
    expect(f).toMatchObject({ severity: 'medium' });
    expect(f.message).toContain('started only by trusted actors');
  });
});
