import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/server.js';
import { makeSyntheticOrg } from '../fakes/github/synthetic.js';
import { startFakeGitLab, type FakeGitLab } from '../fakes/gitlab/server.js';
import { nhi, repoRoot, STACK_LINE } from './run.js';

type Report = { findings: Array<{ ruleId: string; identity: { id: string } }>; scan: { connectors: Array<{ id: string; status: string }> } };
const VALUE = 'glpat-E2ECANARYVALUE0000000000';

let gl: FakeGitLab;
let gh: FakeGitHub;
beforeAll(async () => {
  gl = await startFakeGitLab({
    groups: [{ id: 1, path: 'acme', accessTokens: [{ id: 5, name: 'ci', scopes: ['api'], createdAt: '2024-01-01T00:00:00Z', expiresAt: null, userId: 9 }], deployTokens: [], variables: [{ key: 'UNUSED', value: VALUE }] }],
    projects: [{ id: 2, path: 'acme/api', visibility: 'private', accessTokens: [], deployTokens: [], deployKeys: [{ id: 3, title: 'push', createdAt: '2024-01-01T00:00:00Z', canPush: true }], variables: [{ key: 'STALE', value: VALUE }], ciConfig: 'job:\n  script: [make]\n' }],
  });
  gh = await startFakeGitHub(makeSyntheticOrg({ repos: 2, seed: 1 }));
});
afterAll(async () => {
  await gl.close();
  await gh.close();
});

describe('nhi scan: GitLab, and several connectors in one report', () => {
  it('scans a GitLab group through the CLI; variable values never reach the report', async () => {
    const r = await nhi(['scan', '--gitlab-url', gl.url, '--gitlab-group', 'acme', '--no-store', '-f', 'json', '--as-of', '2026-11-01'], { env: { GITLAB_TOKEN: 'glpat-e2e-token' } });
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(VALUE);
    const report = JSON.parse(r.stdout) as Report;
    const rules = report.findings.map((f) => `${f.ruleId} ${f.identity.id}`);
    expect(rules).toContain('credential-no-expiry gitlab:access-token:acme/5');
    expect(rules).toContain('ci-secret-unreferenced gitlab:ci-variable:acme/api/STALE@*');
    expect(rules).toContain('credential-not-rotated gitlab:deploy-key:acme/api/3'); // GitLab does not report deploy key use: no unused claim
  });

  it('AWS (offline) + GitHub + GitLab in one scan: one merged graph, one report', async () => {
    const demo = path.join(repoRoot, 'examples', 'demo', 'aws');
    const r = await nhi(
      ['scan', '--from-file', path.join(demo, 'authz.json'), '--github-org', 'acme', '--github-url', gh.url, '--gitlab-url', gl.url, '--gitlab-group', 'acme', '--no-store', '-f', 'json', '--as-of', '2026-11-01'],
      { env: { GITLAB_TOKEN: 'glpat-e2e-token', GITHUB_TOKEN: 'ghp_E2E0000000000000000000000000000000000' } },
    );
    expect([0, 3]).toContain(r.code);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.scan.connectors.map((c) => c.id).sort()).toEqual(['aws', 'github', 'gitlab']);
    const platforms = new Set(report.findings.map((f) => f.identity.id.split(':')[0]));
    expect([...platforms].sort()).toEqual(['aws', 'github', 'gitlab']);
  });
});
