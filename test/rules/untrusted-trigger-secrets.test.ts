import { describe, expect, it } from 'vitest';
import { workflowRecords } from '../../src/ci/workflow.js';
import { deriveCiLinks } from '../../src/graph/derive-ci.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { rule } from '../../src/rules/untrusted-trigger-secrets.js';
import { gateOf, jobTriggers } from '../../src/ci/gates.js';
import { daysAgo, PROV, runRule } from './builders.js';
import { GitHubBuilder } from './github-builders.js';
import { WF_ID, workflow } from './workflow-helpers.js';

/** A workflow on `on` with one job `build` and the given steps (line 1: on, line 2: jobs, line 6: first step). */
const wf = (on: string, steps: string, jobExtra = '') => `on: ${on}\njobs:\n  build:\n    runs-on: x\n${jobExtra}    steps:\n${steps}`;
const SECRET_STEP = '      - run: ./deploy\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n';
const HEAD_CHECKOUT = '      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n';
const INJECT = '      - run: echo "${{ github.event.comment.body }}" | ./triage\n';

const findings = (text: string, options?: Record<string, unknown>) => runRule(rule, IdentityGraph.from(workflow(text)), options);

describe('untrusted-trigger-secrets', () => {
  it.each([
    ['pull_request: fork pull requests get no secrets', wf('pull_request', `${HEAD_CHECKOUT}${SECRET_STEP}`)],
    ['push', wf('push', SECRET_STEP)],
    ['workflow_dispatch', wf('workflow_dispatch', SECRET_STEP)],
    ['pull_request_target with only GITHUB_TOKEN', wf('pull_request_target', '      - uses: actions/labeler@v5\n        with:\n          repo-token: ${{ secrets.GITHUB_TOKEN }}\n')],
    ['a labeler on pull_request_target with no secrets', wf('pull_request_target', '      - uses: actions/labeler@v5\n')],
    ['same-repository gate: only branches of the repository run it', wf('pull_request_target', `${HEAD_CHECKOUT}${SECRET_STEP}`, '    if: github.event.pull_request.head.repo.full_name == github.repository\n')],
    ['workflow_run gated to runs of this repository', wf('workflow_run', SECRET_STEP, '    if: github.event.workflow_run.head_repository.full_name == github.repository && github.event.workflow_run.conclusion == \'success\'\n')],
    ['the job runs on push only', wf('[push, pull_request_target]', SECRET_STEP, "    if: github.event_name == 'push'\n")],
    ['the job runs on tag pushes only', wf('[push, issue_comment]', SECRET_STEP, "    if: startsWith(github.ref, 'refs/tags/')\n")],
    ['identifiers, not credentials (role ARN, project id)', wf('pull_request_target', '      - run: ./x\n        env:\n          ROLE: ${{ secrets.AWS_ROLE_ARN }}\n          PROJECT: ${{ secrets.VERCEL_PROJECT_ID }}\n')],
    ['toJSON(secrets) alone: all-secrets-exposed reports it', wf('pull_request_target', '      - run: ./x\n        env:\n          ALL: ${{ toJSON(secrets) }}\n')],
    ["an agent's own model key alone: ai-agent-untrusted-input reports it", wf('issues', '      - uses: anthropics/claude-code-action@v1\n        with:\n          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n')],
  ])('valid: %s', (_l, text) => {
    expect(findings(text)).toEqual([]);
  });

  it.each([
    ['pull_request_target checking out the head with a secret', wf('pull_request_target', `${HEAD_CHECKOUT}${SECRET_STEP}`), 'critical', 11],
    ['issue_comment pasting the comment into a script', wf('issue_comment', `${INJECT}${SECRET_STEP}`), 'critical', 9],
    ['pull_request_target, base code only', wf('pull_request_target', SECRET_STEP), 'medium', 8],
    ['issues, secret in the job env', wf('issues', '      - run: ./welcome\n', '    env:\n      BOT: ${{ secrets.BOT_TOKEN }}\n'), 'medium', 6],
    ['workflow env secret: located where the workflow gives it', `on: pull_request_target\nenv:\n  BOT: \${{ secrets.BOT_TOKEN }}\njobs:\n  build:\n    runs-on: x\n    steps:\n      - run: ./x\n`, 'medium', 3],
    ['workflow_run unpacking the triggering run\'s artifacts over the checkout', wf('workflow_run', `      - uses: actions/checkout@v4\n      - uses: actions/download-artifact@v4\n        with:\n          run-id: \${{ github.event.workflow_run.id }}\n${SECRET_STEP}`), 'high', 12],
    ['look-alike: the artifacts go to a directory of their own', wf('workflow_run', `      - uses: actions/checkout@v4\n      - uses: actions/download-artifact@v4\n        with:\n          run-id: \${{ github.event.workflow_run.id }}\n          path: site\n${SECRET_STEP}`), 'medium', 13],
    ['workflow_run with no other signal', wf('workflow_run', SECRET_STEP), 'medium', 8],
    ['workflow_run checking out the triggering head', wf('workflow_run', `      - uses: actions/checkout@v4\n        with:\n          ref: \${{ github.event.workflow_run.head_sha }}\n${SECRET_STEP}`), 'critical', 11],
    ['issues with a coding agent open to anyone, holding a deploy token beside its model key', wf('issues', "      - uses: anthropics/claude-code-action@v1\n        with:\n          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n          allowed_non_write_users: '*'\n        env:\n          DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n"), 'high', 11],
    ['issue_comment checking out a ref from a step output', wf('issue_comment', `      - id: pr\n        run: ./find-head\n      - uses: actions/checkout@v4\n        with:\n          ref: \${{ steps.pr.outputs.sha }}\n${SECRET_STEP}`), 'high', 13],
    ['look-alike: checkout of the base branch is not a computed ref', wf('pull_request_target', `      - uses: actions/checkout@v4\n        with:\n          ref: \${{ github.event.repository.default_branch }}\n${SECRET_STEP}`), 'medium', 11],
    ['commenter gated to members, head checked out: lowered once (the code is still the stranger\'s)', wf('issue_comment', `${HEAD_CHECKOUT}${SECRET_STEP}`, "    if: contains(fromJSON('[\"OWNER\",\"MEMBER\"]'), github.event.comment.author_association)\n"), 'high', 12],
    ['pull request author gated (dependabot): the code is the author\'s', wf('pull_request_target', `${HEAD_CHECKOUT}${SECRET_STEP}`, "    if: github.event.pull_request.user.login == 'dependabot[bot]'\n"), 'low', 12],
    ['merged pull requests only', wf('pull_request_target', SECRET_STEP, '    if: github.event.pull_request.merged == true\n'), 'low', 9],
    ['the label just added (triage access)', wf('pull_request_target', `${HEAD_CHECKOUT}${SECRET_STEP}`, "    if: github.event.label.name == 'safe to test'\n"), 'high', 12],
    ['look-alike: a label already on the pull request is no gate (it survives the next push)', wf('pull_request_target', `${HEAD_CHECKOUT}${SECRET_STEP}`, "    if: contains(github.event.pull_request.labels.*.name, 'safe to test')\n"), 'critical', 12],
    ['look-alike: a negated actor test admits everyone else', wf('pull_request_target', `${HEAD_CHECKOUT}${SECRET_STEP}`, "    if: github.actor != 'dependabot[bot]'\n"), 'critical', 12],
    ['an environment holds the run (its reviewers are unknown)', wf('pull_request_target', `${HEAD_CHECKOUT}${SECRET_STEP}`, '    environment: external\n'), 'high', 12],
    ['every step holding a secret is gated to members', wf('issue_comment', "      - run: ./x\n        if: github.event.comment.author_association == 'MEMBER'\n        env:\n          T: ${{ secrets.BOT_TOKEN }}\n"), 'low', 9],
    ['secrets: inherit into another repository\'s workflow', 'on: pull_request_target\njobs:\n  call:\n    uses: other/shared/.github/workflows/x.yml@v1\n    secrets: inherit\n', 'high', 3],
    ['a named secret to a third party\'s reusable workflow', 'on: pull_request_target\njobs:\n  call:\n    uses: other/shared/.github/workflows/x.yml@v1\n    secrets:\n      token: ${{ secrets.BOT_TOKEN }}\n', 'high', 6],
    ['a named secret to the owner\'s own reusable workflow, not scanned', 'on: pull_request_target\njobs:\n  call:\n    uses: acme/shared/.github/workflows/x.yml@v1\n    secrets:\n      token: ${{ secrets.BOT_TOKEN }}\n', 'medium', 6],
    ['either alternative gated to members', wf('issue_comment', `${HEAD_CHECKOUT}${SECRET_STEP}`, "    if: github.event.comment.author_association == 'OWNER' || (github.event.comment.author_association == 'MEMBER' && github.event.issue.pull_request)\n"), 'high', 12],
    ['one alternative ungated', wf('issue_comment', `${HEAD_CHECKOUT}${SECRET_STEP}`, "    if: github.event.comment.author_association == 'OWNER' || contains(github.event.comment.body, '/test')\n"), 'critical', 12],
  ])('invalid: %s', (_l, text, severity, line) => {
    const [f, ...rest] = findings(text);
    expect(rest).toEqual([]);
    const job = text.includes('  call:') ? 'call' : 'build';
    expect(f).toMatchObject({ nodeId: WF_ID, severity, discriminator: `job:${job}`, location: { uri: '.github/workflows/w.yml', startLine: line } });
  });

  it('one finding per job; lines moving keep the fingerprint; evidence names triggers, secrets and where they are passed', () => {
    const text = `on: [pull_request_target, issue_comment]\njobs:\n  a:\n    runs-on: x\n    steps:\n${HEAD_CHECKOUT}${SECRET_STEP}      - run: ./again\n        env:\n          NPM_TOKEN: \${{ secrets.NPM_TOKEN }}\n          SLACK: \${{ secrets.SLACK_WEBHOOK }}\n  b:\n    runs-on: x\n    steps:\n      - run: make\n`;
    const found = findings(text);
    expect(found.map((f) => f.discriminator)).toEqual(['job:a']);
    const [f] = found;
    expect(f.evidence[0].data).toMatchObject({
      job: 'a',
      triggers: ['pull_request_target', 'issue_comment'],
      secrets: [
        { name: 'NPM_TOKEN', passedIn: ['step at line 9 (step env)', 'step at line 12 (step env)'] },
        { name: 'SLACK_WEBHOOK', passedIn: ['step at line 12 (step env)'] },
      ],
      untrustedReach: ['job a checks out the pull request head'],
    });
    expect(f.message).toBe("acme/app .github/workflows/w.yml: job a gets 2 secrets (NPM_TOKEN, SLACK_WEBHOOK) on pull_request_target, issue_comment, and the pull request's code or text reaches it");
    expect(JSON.stringify(f)).not.toMatch(/\$\{\{/); // names only, never expressions or values
    const moved = findings(`# a comment\n\n${text}`);
    expect(moved.map((x) => x.fingerprint)).toEqual(found.map((x) => x.fingerprint));
    expect(moved[0].location?.startLine).toBe(f.location!.startLine! + 2);
  });

  it('a job that also expands toJSON(secrets) says all-secrets-exposed reports that part', () => {
    const [f] = findings(wf('pull_request_target', `${SECRET_STEP}      - run: ./x\n        env:\n          ALL: \${{ toJSON(secrets) }}\n`));
    expect(f.evidence[0].description).toContain('which all-secrets-exposed reports');
  });

  it('ignoreSecrets replaces the default list', () => {
    expect(findings(wf('pull_request_target', SECRET_STEP), { ignoreSecrets: ['NPM_*'] })).toEqual([]);
    const [f] = findings(wf('pull_request_target', '      - run: ./x\n        env:\n          ROLE: ${{ secrets.AWS_ROLE_ARN }}\n'), { ignoreSecrets: [] });
    expect(f.evidence[0].data).toMatchObject({ secrets: [{ name: 'AWS_ROLE_ARN' }] });
  });

  it('a local reusable workflow: its checkout of the head and its secrets count for the caller', () => {
    const caller = 'on: pull_request_target\njobs:\n  call:\n    uses: ./.github/workflows/build.yml\n    secrets: inherit\n';
    const callee = `on: workflow_call\njobs:\n  build:\n    runs-on: x\n    steps:\n${HEAD_CHECKOUT}${SECRET_STEP}`;
    const g = IdentityGraph.from([
      ...workflow(caller),
      ...workflowRecords({ repo: 'acme/app', path: '.github/workflows/build.yml', text: callee, connector: 'workflows', source: 'file', observedAt: PROV.observedAt, local: true }),
    ]);
    const found = runRule(rule, g);
    expect(found).toHaveLength(1); // the callee's own trigger (workflow_call) is not untrusted
    expect(found[0]).toMatchObject({ nodeId: WF_ID, severity: 'critical', discriminator: 'job:call', location: { startLine: 3 } });
    expect(found[0].evidence[0].data).toMatchObject({
      secrets: [{ name: 'NPM_TOKEN', passedIn: ['reusable workflow ./.github/workflows/build.yml (secrets: inherit; its line 11)'] }],
      untrustedReach: ['reusable workflow ./.github/workflows/build.yml, job build, checks out the pull request head'],
    });
    // the same callee reading no secret: nothing is handed over
    const quiet = IdentityGraph.from([
      ...workflow(caller),
      ...workflowRecords({ repo: 'acme/app', path: '.github/workflows/build.yml', text: wf('workflow_call', HEAD_CHECKOUT), connector: 'workflows', source: 'file', observedAt: PROV.observedAt, local: true }),
    ]);
    expect(runRule(rule, quiet)).toEqual([]);
  });

  it.each([
    ["github.event_name == 'push'", ['pull_request_target'], []],
    ["github.event_name == 'pull_request_target' && x", ['pull_request_target', 'issues'], ['pull_request_target']],
    ["github.event_name != 'issues'", ['pull_request_target', 'issues'], ['pull_request_target']],
    ["github.event_name == 'push' || github.event_name == 'issues'", ['pull_request_target', 'issues'], ['issues']],
    ["github.event_name == 'push' || always()", ['pull_request_target'], ['pull_request_target']],
  ])('jobTriggers(%s)', (cond, untrusted, expected) => {
    expect(jobTriggers(untrusted, cond)).toEqual(expected);
  });

  it.each([
    ['${{ github.event.pull_request.head.repo.full_name == github.repository }}', 'same-repository'],
    ['github.event.pull_request.head.repo.full_name != github.repository', undefined],
    ["(github.event_name == 'pull_request' && x) || (github.event_name == 'pull_request_target' && github.event.pull_request.head.repo.fork == false)", 'same-repository'],
    ["github.event.pull_request.merged && (github.event.action == 'closed' || (github.event.action == 'labeled' && contains(github.event.label.name, 'backport/')))", 'merged'],
    ["github.event.pull_request.merged == true && !(contains(github.event.pull_request.labels.*.name, 'backport'))", 'merged'],
    ['github.event.pull_request.merged == false', undefined],
    ["!contains(fromJSON('[\"MEMBER\"]'), github.event.comment.author_association)", undefined],
    ["github.event.comment.author_association != 'NONE'", undefined],
    ["github.actor == 'renovate[bot]'", 'actor'],
    ["github.event.pull_request.author_association == 'MEMBER'", 'author'],
    ["github.event.label.name == 'ok-to-test'", 'label'],
    ["contains(github.event.issue.labels.*.name, 'bug')", undefined],
    ["github.event.workflow_run.event == 'push'", 'same-repository'],
  ])('gateOf(%s)', (cond, expected) => {
    expect(gateOf(cond)).toBe(expected);
  });
});

/** An org with secrets at every level, and repository acme/app (public or private). */
function orgEstate(opts: { visibility: 'public' | 'private'; wf: string; orgSecrets?: number }) {
  const b = new GitHubBuilder();
  b.org();
  b.repo('acme/app', { visibility: opts.visibility, workflowsScanned: true });
  b.secret('repo', 'acme/app', 'REPO_TOKEN', { repo: 'acme/app' });
  b.secret('environment', 'acme/app/prod', 'PROD_KEY', { repo: 'acme/app', environment: 'prod' });
  b.secret('org', 'acme', 'ORG_ALL', { visibility: 'all' });
  b.secret('org', 'acme', 'ORG_PRIVATE', { visibility: 'private' });
  b.secret('org', 'acme', 'ORG_SELECTED', { visibility: 'selected', selectedRepositories: ['app', 'web'] });
  b.secret('org', 'acme', 'ORG_OTHER', { visibility: 'selected', selectedRepositories: ['web'] });
  b.secret('org', 'acme', 'DEPLOY_ROLE_ARN', { visibility: 'all' });
  for (let i = 0; i < (opts.orgSecrets ?? 0); i++) b.secret('org', 'acme', `BULK_${String(i).padStart(2, '0')}`, { visibility: 'all' });
  // ages: ORG_ALL last set 400 days ago
  const all = b.graph.node('github:actions-secret:org:acme/ORG_ALL') as { createdAt?: string; lastRotatedAt?: string };
  all.createdAt = daysAgo(900);
  all.lastRotatedAt = daysAgo(400);
  for (const r of workflow(opts.wf)) b.graph.add(r);
  deriveCiLinks(b.graph);
  return b.graph;
}

describe('untrusted-trigger-secrets with the GitHub secrets inventory', () => {
  it('names the level of each secret, how widely an org secret is shared, and its age', () => {
    const text = wf('pull_request_target', `${HEAD_CHECKOUT}      - run: ./deploy\n        env:\n          A: \${{ secrets.ORG_ALL }}\n          B: \${{ secrets.REPO_TOKEN }}\n          C: \${{ secrets.ORG_SELECTED }}\n`);
    const [f, ...rest] = runRule(rule, orgEstate({ visibility: 'public', wf: text }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'critical', discriminator: 'job:build' });
    expect(f.evidence[0].data).toMatchObject({
      secrets: [
        { name: 'ORG_ALL', level: 'org', visibility: 'all', sharedWith: 'every repository of acme', ageDays: 400, secretId: 'github:actions-secret:org:acme/ORG_ALL' },
        { name: 'ORG_SELECTED', level: 'org', visibility: 'selected', sharedWith: '2 selected repositories of acme' },
        { name: 'REPO_TOKEN', level: 'repo', secretId: 'github:actions-secret:repo:acme/app/REPO_TOKEN' },
      ],
      repositoryVisibility: 'public',
    });
    expect(f.evidence[0].description).toContain('ORG_ALL (org secret shared with every repository of acme, last set 400 days ago)');
    expect(f.evidence[0].description).toContain('ORG_ALL, ORG_SELECTED are org secrets');
    // one evidence entry per secret of the inventory, from the connector's record
    expect(f.evidence.slice(1).map((e) => e.data?.credentialId)).toEqual([
      'github:actions-secret:org:acme/ORG_ALL',
      'github:actions-secret:repo:acme/app/REPO_TOKEN',
      'github:actions-secret:org:acme/ORG_SELECTED',
    ]);
  });

  it('an environment secret resolves through the job environment', () => {
    const text = wf('pull_request_target', '      - run: ./deploy\n        env:\n          K: ${{ secrets.PROD_KEY }}\n', '    environment: prod\n');
    const [f] = runRule(rule, orgEstate({ visibility: 'public', wf: text }));
    expect(f).toMatchObject({ severity: 'low', confidence: 'medium' }); // medium, lowered by the environment
    expect(f.evidence[0].data).toMatchObject({ secrets: [{ name: 'PROD_KEY', level: 'environment' }], environment: 'prod' });
  });

  it.each([
    // public: org secrets for private repositories and ones selected for other repositories are not visible
    ['public', ['ORG_ALL', 'ORG_SELECTED', 'REPO_TOKEN'], 'high'],
    // private: private-visibility org secrets are visible too; a private repository lowers the severity once
    ['private', ['ORG_ALL', 'ORG_PRIVATE', 'ORG_SELECTED', 'REPO_TOKEN'], 'medium'],
  ] as const)('secrets: inherit into another repository on a %s repository lists every secret it can see', (visibility, names, severity) => {
    const text = 'on: pull_request_target\njobs:\n  call:\n    uses: other/shared/.github/workflows/x.yml@v1\n    secrets: inherit\n';
    const [f, ...rest] = runRule(rule, orgEstate({ visibility, wf: text }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity, discriminator: 'job:call', location: { startLine: 3 } });
    const every = f.evidence[0].data?.everySecret as { visible: number; listed: Array<{ name: string; level: string }> };
    expect(every.listed.map((x) => x.name)).toEqual(names); // org first, then repository; identifiers (DEPLOY_ROLE_ARN) left out
    expect(every.visible).toBe(names.length);
    expect(f.message).toContain(`every secret (${names.length} secrets in the inventory) to reusable workflow other/shared/.github/workflows/x.yml@v1`);
  });

  it('the list of visible secrets is bounded (first 20 by name and the count)', () => {
    const text = 'on: issue_comment\njobs:\n  call:\n    uses: other/shared/.github/workflows/x.yml@v1\n    secrets: inherit\n';
    const [f] = runRule(rule, orgEstate({ visibility: 'public', wf: text, orgSecrets: 25 }));
    const every = f.evidence[0].data?.everySecret as { visible: number; listed: unknown[] };
    expect(every.visible).toBe(28);
    expect(every.listed).toHaveLength(20);
    expect(f.evidence[0].description).toContain('and 8 more.');
    expect(f.evidence.length).toBe(21);
  });

  it('a job that needs a gated job is gated with it (it is skipped when that job is), unless its if: runs it regardless', () => {
    const text = (extraIf: string) => `on: issue_comment\njobs:\n  check:\n    if: contains(fromJSON('["OWNER","MEMBER"]'), github.event.comment.author_association)\n    runs-on: x\n    steps:\n      - run: true\n  build:\n    needs: check\n${extraIf}    runs-on: x\n    steps:\n      - run: ./deploy\n        env:\n          TOKEN: \${{ secrets.DEPLOY_TOKEN }}\n`;
    expect(findings(text(''))[0]).toMatchObject({ severity: 'low' });
    expect(findings(text('    if: always()\n'))[0]).toMatchObject({ severity: 'medium' });
  });

  it('activity types only triagers cause (labeled, transferred) lower it one step; opened keeps it', () => {
    const text = (types: string) => `on:\n  issues:\n    types: [${types}]\njobs:\n  build:\n    runs-on: x\n    steps:\n      - run: ./notify\n        env:\n          HOOK: \${{ secrets.CHAT_WEBHOOK }}\n`;
    expect(findings(text('labeled, transferred'))[0]).toMatchObject({ severity: 'low' });
    expect(findings(text('labeled, transferred'))[0].evidence.map((e) => e.description).join(' ')).toContain('issues (labeled, transferred), which people with triage access cause');
    expect(findings(text('opened, labeled'))[0]).toMatchObject({ severity: 'medium' });
  });
});
