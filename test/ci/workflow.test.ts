import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeWorkflow, secretNamesIn, subjectsOf, workflowRecords } from '../../src/ci/workflow.js';

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
