import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { parseUses, rule } from '../../src/rules/secret-to-unpinned-action.js';
import { runRule } from './builders.js';
import { WF_ID, workflow } from './workflow-helpers.js';

const SHA = 'b4ffde65f46336ab88eb53be808477a3936bae11';
/** one job `build` (line 3) whose steps start on line 6 */
const wf = (steps: string, head = '') => `on: push\n${head}jobs:\n  build:\n    runs-on: x\n    steps:\n${steps}`;
const step = (uses: string, block = '') => `      - uses: ${uses}\n${block}`;
const withSecret = (name = 'CODECOV_TOKEN', key = 'token') => `        with:\n          ${key}: \${{ secrets.${name} }}\n`;
const envSecret = (name = 'DEPLOY_KEY') => `        env:\n          KEY: \${{ secrets.${name} }}\n`;
const call = (uses: string, secrets: string) => `on: push\njobs:\n  call:\n    uses: ${uses}\n    secrets: ${secrets}\n`;

describe('secret-to-unpinned-action', () => {
  it.each([
    ['pinned to a full commit SHA with a # v4 comment', wf(`      - uses: codecov/codecov-action@${SHA} # v4\n${withSecret()}`)],
    ['actions/checkout@v4 given a token (GitHub\'s own actions)', wf(step('actions/checkout@v4', withSecret('DEPLOY_PAT')))],
    ['github/codeql-action given a secret (GitHub\'s own)', wf(step('github/codeql-action/init@v3', envSecret()))],
    ['a local action', wf(step('./.github/actions/deploy', withSecret()))],
    ['an action of the repository\'s own owner', wf(step('Acme/shared-actions/deploy@main', withSecret()))],
    ['a docker image pinned by digest', wf(step(`docker://ghcr.io/other/tool@sha256:${'a'.repeat(64)}`, envSecret()))],
    ['an unpinned action given only GITHUB_TOKEN and github.token', wf(step('peter-evans/create-pull-request@v6', '        with:\n          token: ${{ secrets.GITHUB_TOKEN }}\n          other: ${{ github.token }}\n'))],
    ['an unpinned action without secrets; another step\'s env does not reach it', wf(`${step('codecov/codecov-action@v4')}      - run: ./deploy\n${envSecret()}`)],
    ['a reusable workflow of the same owner with secrets: inherit', call('acme/shared/.github/workflows/deploy.yml@main', 'inherit')],
    ['a local reusable workflow', call('./.github/workflows/deploy.yml', 'inherit')],
    ['a third-party reusable workflow pinned by SHA', call(`other/wf/.github/workflows/x.yml@${SHA}`, '{ NPM_TOKEN: "${{ secrets.NPM_TOKEN }}" }')],
    ['a third-party reusable workflow given no secrets', 'on: push\njobs:\n  call:\n    uses: other/wf/.github/workflows/x.yml@v1\n'],
  ])('valid: %s', (_l, text) => {
    expect(runRule(rule, IdentityGraph.from(workflow(text)))).toEqual([]);
  });

  it.each([
    ['a tag, secret in with:', wf(step('codecov/codecov-action@v4', withSecret())), 'high', 'job:build:codecov/codecov-action@v4', 6, 'tag', ['CODECOV_TOKEN']],
    ['a branch, secret in the step env:', wf(step('someone/deploy-action@main', envSecret())), 'high', 'job:build:someone/deploy-action@main', 6, 'branch-looking', ['DEPLOY_KEY']],
    ['release/v1 is a branch', wf(step('someone/publish/sub@release/v1', withSecret('PYPI_TOKEN', 'password'))), 'high', 'job:build:someone/publish/sub@release/v1', 6, 'branch-looking', ['PYPI_TOKEN']],
    ['a 7-character short SHA is not a pin', wf(step('someone/tool@a1b2c3d', withSecret())), 'high', 'job:build:someone/tool@a1b2c3d', 6, 'short SHA', ['CODECOV_TOKEN']],
    ['a docker image tag', wf(step('docker://ghcr.io/other/tool:1.2', envSecret())), 'high', 'job:build:docker://ghcr.io/other/tool:1.2', 6, 'docker tag', ['DEPLOY_KEY']],
    ['a docker image without tag', wf(step('docker://alpine', envSecret())), 'high', 'job:build:docker://alpine', 6, 'no tag (latest)', ['DEPLOY_KEY']],
    ['GitHub\'s own actions are trusted by default', wf(step('actions/checkout@v4', withSecret('DEPLOY_PAT'))), 'high', 'job:build:actions/checkout@v4', 6, 'tag', ['DEPLOY_PAT'], { trustedOwners: [] }],
  ])('invalid: %s', (_l, text, severity, discriminator, line, refKind, secrets, options?: Record<string, unknown>) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)), options);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: WF_ID, severity, discriminator, location: { startLine: line } });
    expect(f.evidence[0].data).toMatchObject({ refKind, secrets });
  });

  it.each([
    ['job-level env:', wf(step('codecov/codecov-action@v4'), '').replace('    runs-on: x\n', '    runs-on: x\n    env:\n      TOKEN: ${{ secrets.JOB_TOKEN }}\n'), 8, ['JOB_TOKEN']],
    ['workflow-level env:', wf(step('codecov/codecov-action@v4'), 'env:\n  TOKEN: ${{ secrets.WF_TOKEN }}\n'), 8, ['WF_TOKEN']],
  ])('secrets only through %s: medium', (_l, text, line, inheritedSecrets) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'medium', discriminator: 'job:build:codecov/codecov-action@v4', location: { startLine: line } });
    expect(f.evidence[0].data).toMatchObject({ secrets: [], inheritedSecrets });
  });

  it('a step given secrets directly keeps the job env secrets as inherited evidence: high', () => {
    const text = wf(step('codecov/codecov-action@v4', withSecret()), 'env:\n  TOKEN: ${{ secrets.WF_TOKEN }}\n');
    const [f] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(f).toMatchObject({ severity: 'high', location: { startLine: 8 } });
    expect(f.evidence[0].data).toMatchObject({ secrets: ['CODECOV_TOKEN'], inheritedSecrets: ['WF_TOKEN'] });
  });

  it('the same action first reached through env:, then given a secret: high, pointing at the step given one', () => {
    const text = wf(`${step('codecov/codecov-action@v4')}${step('codecov/codecov-action@v4', withSecret())}`, 'env:\n  TOKEN: ${{ secrets.WF_TOKEN }}\n');
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'high', location: { startLine: 9 } });
    expect(f.evidence[0].data).toMatchObject({ secrets: ['CODECOV_TOKEN'], inheritedSecrets: ['WF_TOKEN'], lines: [8, 9] });
  });

  it.each([
    ['named secrets', '{ NPM_TOKEN: "${{ secrets.NPM_TOKEN }}" }', { secrets: ['NPM_TOKEN'] }],
    ['secrets: inherit', 'inherit', { secretsInherit: true }],
  ])('a third-party reusable workflow at a tag given %s: high, pointing at the job', (_l, secrets, data) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(call('build-tools-inc/wf/.github/workflows/publish.yml@v3', secrets))));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'high', discriminator: 'job:call:build-tools-inc/wf/.github/workflows/publish.yml@v3', location: { startLine: 3 } });
    expect(f.evidence[0].data).toMatchObject({ refKind: 'tag', ...data });
  });

  it('trustedOwners adds owners (case-insensitive); the repository owner is always trusted', () => {
    const text = wf(step('codecov/codecov-action@v4', withSecret()));
    expect(runRule(rule, IdentityGraph.from(workflow(text)), { trustedOwners: ['actions', 'github', 'CodeCov'] })).toEqual([]);
    const own = wf(step('acme/tools@v1', withSecret()));
    expect(runRule(rule, IdentityGraph.from(workflow(own)), { trustedOwners: [] })).toEqual([]);
  });

  it('one finding per job and action: two steps with the same action are one, two jobs are two; lines moving keep the fingerprints', () => {
    const job = (id: string) => `  ${id}:\n    runs-on: x\n    steps:\n${step('codecov/codecov-action@v4')}${step('codecov/codecov-action@v4', withSecret())}${step('other/action@v2', envSecret())}`;
    const text = `on: push\njobs:\n${job('a')}${job('b')}`;
    const found = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(found.map((f) => f.discriminator).sort()).toEqual(['job:a:codecov/codecov-action@v4', 'job:a:other/action@v2', 'job:b:codecov/codecov-action@v4', 'job:b:other/action@v2']);
    // the action's first step has no secret: the finding points at the step that is given one
    expect(found.find((f) => f.discriminator === 'job:a:codecov/codecov-action@v4')?.location?.startLine).toBe(7);
    const moved = runRule(rule, IdentityGraph.from(workflow(`# a comment\n\n${text}`)));
    expect(moved.map((f) => f.fingerprint).sort()).toEqual(found.map((f) => f.fingerprint).sort());
    expect(moved.find((f) => f.discriminator === 'job:a:codecov/codecov-action@v4')?.location?.startLine).toBe(9);
  });

  it.each([
    ['owner/repo@v4', { owner: 'owner', pinned: false, refKind: 'tag' }],
    ['owner/repo@v1.2.3-beta.1', { pinned: false, refKind: 'tag' }],
    ['owner/mono/packages/action@covector-v0', { pinned: false, refKind: 'tag' }],
    ['owner/repo@main', { pinned: false, refKind: 'branch-looking' }],
    [`owner/repo@${SHA}`, { pinned: true, refKind: 'commit SHA' }],
    [`owner/repo@${SHA.slice(0, 39)}`, { pinned: false, refKind: 'short SHA' }],
    ['docker://alpine:3.19', { owner: undefined, pinned: false, refKind: 'docker tag' }],
    ['docker://ghcr.io/Acme/tool:1', { owner: 'acme', pinned: false }],
    ['./local', undefined],
    ['owner/repo', undefined],
    ['owner/repo@${{ matrix.ref }}', undefined],
  ])('parseUses(%s)', (uses, expected) => {
    const got = parseUses(uses);
    if (expected === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(expected);
  });
});
