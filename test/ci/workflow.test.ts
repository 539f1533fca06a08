import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeWorkflow, commandsOf, secretNamesIn, subjectsOf, workflowRecords } from '../../src/ci/workflow.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'workflows', 'mixed', '.github', 'workflows');
const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');

describe('secret references in expressions', () => {
  it.each([
    ['${{ secrets.NPM_TOKEN }}', ['NPM_TOKEN']],
    ["${{ secrets['My-Key'] }}", ['MY-KEY']],
    ['${{ secrets.a && secrets.B }}', ['A', 'B']],
    ['${{ secrets.GITHUB_TOKEN }}', []],
    ['secrets.OUTSIDE_AN_EXPRESSION', []],
    ['${{ github.event.secrets }}', []],
  ])('%s → %j', (text, names) => {
    expect(secretNamesIn(text)).toEqual(names);
  });
});

describe('workflow analysis on the fixture folder', () => {
  it('anchors and merge keys: the anchored secret counts once, where it is written; YAML comments never count', () => {
    const a = analyzeWorkflow(read('anchors-matrix.yml'));
    expect(a.parseError).toBeUndefined();
    expect(a.triggers).toEqual(['push', 'pull_request']);
    expect(a.jobs.map((j) => [j.id, j.runsOn])).toEqual([
      ['build', ['ubuntu-latest']],
      ['test', ['ubuntu-latest']],
    ]);
    expect(a.secretRefs).toEqual([
      { name: 'NPM_TOKEN', line: 8, column: 20 },
      { name: 'REGISTRY-PASSWORD', line: 16, column: 24, job: 'build' },
    ]);
    expect(a.permissions).toEqual({ contents: 'read' });
    expect(a.permissionsLine).toBe(3);
  });

  it('a key a job takes through a merge (`<<: *defaults`) is placed at that job\'s `<<` line, not at line 1', () => {
    const text = [
      'on: push',
      'x-defaults: &defaults',
      '  runs-on: ubuntu-latest',
      '  permissions: write-all',
      '  env:',
      '    AWS_ACCESS_KEY_ID: ${{ secrets.K }}',
      'jobs:',
      '  build:',
      '    <<: *defaults',
      '    steps:',
      '      - run: make',
      '  test:',
      '    <<: [*defaults]',
      '    steps:',
      '      - run: make test',
      '',
    ].join('\n');
    const a = analyzeWorkflow(text);
    expect(a.jobs.map((j) => [j.id, j.permissions, j.permissionsLine])).toEqual([
      ['build', 'write-all', 9],
      ['test', 'write-all', 13],
    ]);
    expect(a.cloudAuth.map((c) => [c.job, c.line, c.staticSecrets])).toEqual([
      ['build', 9, ['K']],
      ['test', 13, ['K']],
    ]);
  });

  it('%YAML 1.1 is read as GitHub reads it (YAML 1.2): `on:` stays the trigger key, lines unchanged', () => {
    const a = analyzeWorkflow('%YAML 1.1\n---\non: [push]\njobs:\n  a:\n    runs-on: x\n    permissions: write-all\n    steps:\n      - run: make\n');
    expect(a.parseError).toBeUndefined();
    expect(a.triggers).toEqual(['push']);
    expect(a.jobs[0]).toMatchObject({ id: 'a', permissionsLine: 7 });
  });

  it('GCP: federation with a literal service account; a key JSON from secrets is a static credential', () => {
    const a = analyzeWorkflow(read('oidc-gcp.yml'));
    expect(a.cloudAuth).toEqual([
      { provider: 'gcp', job: 'load', line: 13, column: 1, staticSecrets: [], serviceAccount: 'loader@acme-data.iam.gserviceaccount.com', workloadIdentityProvider: 'projects/123/locations/global/workloadIdentityPools/github/providers/acme' },
      { provider: 'gcp', job: 'legacy', line: 20, column: 1, staticSecrets: ['GCP_SA_KEY'] },
    ]);
    expect(a.jobs.every((j) => j.usesIdToken)).toBe(true);
    expect(subjectsOf(a, 'acme/app')).toEqual(['repo:acme/app:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/release/*', 'repo:acme/app:ref:refs/tags/*']);
  });

  it('AWS: a role from an expression gives no edge, a literal ARN does; environment jobs present the environment subject', () => {
    const a = analyzeWorkflow(read('role-from-secret.yml'));
    expect(a.cloudAuth.map((c) => c.roleArn ?? c.roleExpression)).toEqual(['${{ secrets.STAGING_ROLE }}', 'arn:aws:iam::111122223333:role/ci/staging-deployer']);
    expect(a.jobs[0].environment).toBe('staging');
    expect(subjectsOf(a, 'acme/app')).toEqual(['repo:acme/app:environment:staging']);
    const records = workflowRecords({ repo: 'acme/app', path: '.github/workflows/role-from-secret.yml', text: read('role-from-secret.yml'), connector: 't', source: 'file:x', observedAt: '2026-01-01T00:00:00.000Z', local: true });
    const fed = records.flatMap((r) => (r.type === 'edge' && r.edge.type === 'FEDERATES_TO' ? [r.edge] : []));
    expect(fed).toHaveLength(1);
    expect(fed[0]).toMatchObject({ from: 'github:workflow:acme/app/.github/workflows/role-from-secret.yml', to: 'aws:iam-role:arn:aws:iam::111122223333:role/ci/staging-deployer' });
    expect(fed[0].attributes).toMatchObject({ jobs: ['deploy'], lines: [17], subjects: ['repo:acme/app:environment:staging'] });
  });

  it('workflow-level env keys, job-level write-all, reusable workflows with secrets: inherit', () => {
    const a = analyzeWorkflow(read('static-env.yml'));
    expect(a.cloudAuth).toEqual([{ provider: 'aws', job: '(all jobs)', line: 5, column: 1, staticSecrets: ['NIGHTLY_AWS_KEY_ID', 'NIGHTLY_AWS_SECRET'] }]);
    expect(a.jobs.find((j) => j.id === 'sync')).toMatchObject({ permissions: 'write-all', permissionsLine: 11, usesIdToken: true });
    expect(a.jobs.filter((j) => j.secretsInherit).map((j) => j.uses)).toEqual(['./.github/workflows/reusable.yml', 'acme/shared/.github/workflows/deploy.yml@main']);
  });

  it.each([
    ['broken.yml', /^invalid YAML at line \d+/],
    ['not-a-workflow.yaml', /^not a workflow/],
  ])('%s: a parse error with a line, never a throw, and no other records', (file, error) => {
    const a = analyzeWorkflow(read(file));
    expect(a.parseError).toMatch(error);
    const records = workflowRecords({ repo: 'acme/app', path: file, text: read(file), connector: 't', source: 'file:x', observedAt: '2026-01-01T00:00:00.000Z' });
    expect(records.map((r) => r.type)).toEqual(['node', 'edge']); // the node (with parseError) and its IN_SCOPE edge
  });

  it('on: as a string, a list and a map', () => {
    const jobs = 'jobs:\n  a:\n    runs-on: x\n    steps: [{run: ok}]\n';
    expect(analyzeWorkflow(`on: push\n${jobs}`).triggers).toEqual(['push']);
    expect(analyzeWorkflow(`on: [push, release]\n${jobs}`).triggers).toEqual(['push', 'release']);
    expect(analyzeWorkflow(`on:\n  workflow_dispatch:\n  schedule:\n    - cron: '0 0 * * *'\n${jobs}`).triggers).toEqual(['workflow_dispatch', 'schedule']);
  });
});

describe('workflow analysis never throws and stays bounded', () => {
  it('a secret name with regular-expression characters is found where it is written (it used to throw)', () => {
    const a = analyzeWorkflow("on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: \"${{ secrets['a(b'] }} ${{ secrets['c[*'] }}\"}]\n");
    expect(a.parseError).toBeUndefined();
    expect(a.secretRefs.map((r) => [r.name, r.line, r.column])).toEqual([
      ['A(B', 5, 24],
      ['C[*', 5, 46],
    ]);
  });

  it('a file over 1 MiB is reported, not parsed', () => {
    const a = analyzeWorkflow(`on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: "${'x'.repeat(1024 * 1024)}"}]\n`);
    expect(a.parseError).toBe('is 1.0 MiB, more than the 1 MiB a CI file may be');
    expect(a.jobs).toEqual([]);
  });

  it.each([
    ['flow brackets', `on: push\njobs: ${'['.repeat(300_000)}${']'.repeat(300_000)}\n`],
    ['150 levels', `on: push\njobs: ${'['.repeat(150)}${']'.repeat(150)}\n`],
    ['deep block mappings', `on: push\njobs:\n${Array.from({ length: 1200 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} x\n`],
  ])('nesting too deep to walk (%s) is a parse error in words, not a stack overflow', (_name, text) => {
    const a = analyzeWorkflow(text);
    expect(a.parseError).toMatch(/nests deeper than 100 levels$/);
    expect(a.parseError).not.toMatch(/call stack/i);
  });

  it('an alias bomb stays a parse error', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 20; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const a = analyzeWorkflow(`on: push\n${lines.join('\n')}\njobs:\n  j:\n    runs-on: *a19\n`);
    expect(a.parseError).toMatch(/^cannot be read: /);
  });
});

describe('steps as the rules read them', () => {
  const text = `on: issue_comment
env:
  GLOBAL: \${{ secrets.ORG_TOKEN }}
jobs:
  agent:
    if: github.event.comment.author_association == 'OWNER'
    env:
      AWS_KEY: \${{ secrets.JOB_KEY }}
    steps:
      - uses: actions/checkout@v4
      - name: agent
        uses: anthropics/claude-code-action@v1
        with:
          anthropic_api_key: \${{ secrets.ANTHROPIC_API_KEY }}
          allowed_non_write_users: '*'
          github_token: ghp_literalvalue0000000000000000000000000
        env:
          EXTRA: \${{ secrets.EXTRA }}
      - run: |
          sudo apt-get install jq
          FOO=1 npx -y @anthropic-ai/claude-code -p "triage" && npm publish --access public
          echo \${{ secrets.NPM_TOKEN }} | docker login
  reuse:
    uses: other/repo/.github/workflows/x.yml@main
    secrets:
      token: \${{ secrets.PASSED }}
`;
  const a = analyzeWorkflow(text);
  const agent = a.jobs.find((j) => j.id === 'agent')!;
  it('keeps each step: action, secrets by where they are passed, commands, the safe inputs', () => {
    expect(a.envSecrets).toEqual(['ORG_TOKEN']);
    expect(agent.envSecrets).toEqual(['JOB_KEY']);
    expect(agent.actorGate).toContain('author_association');
    expect(agent.steps).toHaveLength(3);
    const [checkout, claude, run] = agent.steps!;
    expect(checkout).toMatchObject({ line: 10, uses: 'actions/checkout@v4', withSecrets: [], envSecrets: [] });
    expect(claude).toMatchObject({ line: 11, name: 'agent', uses: 'anthropics/claude-code-action@v1', withSecrets: ['ANTHROPIC_API_KEY'], envSecrets: ['EXTRA'] });
    expect(claude.with).toEqual({ allowed_non_write_users: '*' });
    expect(claude.withKeys).toEqual(['anthropic_api_key', 'allowed_non_write_users', 'github_token']);
    expect(run.commands).toEqual(['apt-get install', '@anthropic-ai/claude-code -p', 'npm publish', 'echo', 'docker login']);
    expect(run.runSecrets).toEqual(['NPM_TOKEN']);
    expect(a.jobs.find((j) => j.id === 'reuse')!.passesSecrets).toEqual(['PASSED']);
  });
  it('never keeps the value of an input that is not in the safe list', () => {
    const stored = JSON.stringify(workflowRecords({ repo: 'a/b', path: '.github/workflows/x.yml', text, connector: 'workflows', source: 'x', observedAt: '2026-01-01T00:00:00Z' }));
    expect(stored).not.toContain('ghp_literalvalue');
    expect(stored).toContain('allowed_non_write_users');
  });
  it('splits commands at separators and steps over prefixes', () => {
    expect(commandsOf('cd dir; twine upload dist/* || true\n# comment\nenv A=1 cargo publish')).toEqual(['cd dir', 'twine upload', 'true', 'cargo publish']);
  });
});
