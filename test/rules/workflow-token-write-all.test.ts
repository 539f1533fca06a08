import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { rule } from '../../src/rules/workflow-token-write-all.js';
import { runRule } from './builders.js';
import { WF_ID, workflow } from './workflow-helpers.js';

const job = (perms = '') => `jobs:\n  build:\n    runs-on: x\n${perms}    steps:\n      - run: make\n`;

const headJob = `jobs:\n  build:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: \${{ github.event.pull_request.head.sha }}\n      - run: make\n`;
const injectJob = `jobs:\n  reply:\n    runs-on: x\n    steps:\n      - run: echo "\${{ github.event.comment.body }}" | ./triage\n`;

describe('workflow-token-write-all', () => {
  it.each([
    ['read-only top-level permissions', `on: push\npermissions:\n  contents: read\n${job()}`],
    ['no permissions block (the default-token rule judges that)', `on: push\n${job()}`],
    ['single write scope on a trusted trigger (least privilege done right)', `on: push\npermissions:\n  contents: write\n${job()}`],
    ['id-token: write on pull_request_target is needed for OIDC, not a finding', `on: pull_request_target\npermissions:\n  id-token: write\n  contents: read\n${job()}`],
    ['read-all', `on: pull_request_target\npermissions: read-all\n${job()}`],
    ['write-all at the top, but every job declares its own read-only block', `on: push\npermissions: write-all\n${job('    permissions:\n      contents: read\n')}`],
  ])('valid: %s', (_l, text) => {
    expect(runRule(rule, IdentityGraph.from(workflow(text)))).toEqual([]);
  });

  it.each([
    ['top-level write-all on push', `on: push\npermissions: write-all\n${job()}`, 'high', 'workflow', 2],
    ['job-level write-all', `on: push\n${job('    permissions: write-all\n')}`, 'high', 'job:build', 5],
    ['write-all on pull_request_target, no untrusted code in the job', `on: pull_request_target\npermissions: write-all\n${job()}`, 'high', 'workflow', 2],
    ['write-all on pull_request_target with a checkout of the pull request head', `on: pull_request_target\npermissions: write-all\n${headJob}`, 'critical', 'workflow', 2],
    ['contents: write on workflow_run, no untrusted code', `on: workflow_run\npermissions:\n  contents: write\n${job()}`, 'medium', 'workflow', 2],
    ['contents: write on issue_comment with the comment pasted into a script', `on: issue_comment\npermissions:\n  contents: write\n${injectJob}`, 'critical', 'workflow', 2],
    ['look-alike: a labeler with pull-requests: write on pull_request_target', `on: pull_request_target\npermissions:\n  contents: read\n  pull-requests: write\n${job()}`, 'low', 'workflow', 2],
    ['a commenter with only pull-requests: write, but its script pastes the comment: critical all the same', `on: issue_comment\npermissions:\n  pull-requests: write\n${injectJob}`, 'critical', 'workflow', 2],
  ])('invalid: %s', (_l, text, severity, discriminator, line) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: WF_ID, severity, discriminator, location: { uri: '.github/workflows/w.yml', startLine: line } });
    expect(f.message).toContain('acme/app .github/workflows/w.yml');
  });

  it('workflows from the API (not local) carry no file location', () => {
    const [f] = runRule(rule, IdentityGraph.from(workflow(`on: push\npermissions: write-all\n${job()}`, { local: false })));
    expect(f.location).toBeUndefined();
  });

  it('a top-level write-all that reaches only some jobs says which', () => {
    const text = `on: push\npermissions: write-all\njobs:\n  build:\n    runs-on: x\n    permissions:\n      contents: read\n    steps:\n      - run: make\n  release:\n    runs-on: x\n    steps:\n      - run: make release\n`;
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(rest).toEqual([]);
    expect(f.evidence[0].description).toContain('it applies to job release (the others declare their own)');
    expect(f.evidence[0].data).toMatchObject({ appliesTo: ['release'] });
  });

  it('the evidence says what reaches the token, or that nothing does', () => {
    const [hit] = runRule(rule, IdentityGraph.from(workflow(`on: pull_request_target\npermissions: write-all\n${headJob}`)));
    expect(hit.evidence[0].description).toContain('outside code or text reaches the token: job build checks out the pull request head');
    expect(hit.evidence[0].data).toMatchObject({ untrustedReach: ['job build checks out the pull request head'] });
    const [labeler] = runRule(rule, IdentityGraph.from(workflow(`on: pull_request_target\npermissions:\n  pull-requests: write\n${job()}`)));
    expect(labeler.evidence[0].description).toContain("No step checks out the pull request's code or pastes event text into a script, and no AI agent anyone can start runs in it; these are the scopes a labeler or commenter needs");
  });

  it('an AI agent anyone can start counts as outside input; once input runs, issues: write counts too (medium)', () => {
    const agent = "on: issue_comment\njobs:\n  bot:\n    runs-on: x\n    permissions:\n      contents: write\n    steps:\n      - uses: anthropics/claude-code-action@v1\n        with:\n          allowed_non_write_users: '*'\n";
    expect(runRule(rule, IdentityGraph.from(workflow(agent)))[0]).toMatchObject({ severity: 'critical' });
    // the action's own write-access check: not outside input; contents on issue_comment stays medium
    expect(runRule(rule, IdentityGraph.from(workflow(agent.replace("        with:\n          allowed_non_write_users: '*'\n", ''))))[0]).toMatchObject({ severity: 'medium' });
    const injection = 'on: issues\npermissions:\n  issues: write\njobs:\n  greet:\n    runs-on: x\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n';
    expect(runRule(rule, IdentityGraph.from(workflow(injection)))[0]).toMatchObject({ severity: 'medium', location: { startLine: 2 } });
    expect(runRule(rule, IdentityGraph.from(workflow(injection.replace('"${{ github.event.issue.title }}"', 'hello'))))).toEqual([]);
  });

  it('outside code reaching a job that waits for an environment is high, the evidence says why', () => {
    const text = 'on: pull_request_target\npermissions:\n  pull-requests: write\njobs:\n  scan:\n    runs-on: x\n    environment: pr-review\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: refs/pull/${{ github.event.pull_request.number }}/head\n';
    const [f] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(f).toMatchObject({ severity: 'high' });
    expect(f.evidence[0].description).toContain('waits for environment pr-review');
  });
});
