import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/server.js';
import { makeSyntheticOrg } from '../fakes/github/synthetic.js';
import { nhi, repoRoot, STACK_LINE } from './run.js';

const sarifSchema = JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object;
const validateSarif = new AjvDraft04.default({ strict: false, allErrors: true, validateFormats: false }).compile(sarifSchema);
const token = { GITHUB_TOKEN: 'ghp_E2EFAKETOKEN000000000000000000000000', GH_TOKEN: undefined };
type Report = { findings: Array<{ ruleId: string; severity: string; discriminator?: string; identity: { id: string; name: string }; evidence: Array<{ description: string; data?: Record<string, unknown> }> }>; coverage: Array<{ source: string; incomplete: boolean }>; scan: { connectors: Array<{ id: string; apiCalls: number }> } };

let fake: FakeGitHub;
let dir: string;
/** A preview workflow on pull_request_target that checks out the fork's code next to two org secrets. */
const PREVIEW_WF = `name: preview
on: pull_request_target
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm run preview
        env:
          SLACK_WEBHOOK: \${{ secrets.SLACK_WEBHOOK }}
          RELEASE_KEY: \${{ secrets.RELEASE_KEY }}
`;

beforeAll(async () => {
  const org = makeSyntheticOrg({ repos: 6, seed: 5 });
  // the first repository is among RELEASE_KEY's selected ones; SLACK_WEBHOOK is shared with every repository
  org.repos[0].visibility = 'public';
  org.repos[0].workflows = [...(org.repos[0].workflows ?? []), { path: '.github/workflows/preview.yml', text: PREVIEW_WF }];
  fake = await startFakeGitHub(org, { pageSize: 3 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-e2e-gh-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('nhi scan of a GitHub org (built CLI, real Octokit, fake GitHub)', () => {
  it('reports the org in one run: --github-org alone selects the connector', async () => {
    const r = await nhi(['scan', '--github-org', 'acme', '--github-url', fake.url, '--no-store', '-f', 'json', '--as-of', '2026-11-01'], { env: token });
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.scan.connectors.map((c) => c.id)).toEqual(['github']);
    expect(report.scan.connectors[0].apiCalls).toBe(fake.requests.length);
    const rules = new Set(report.findings.map((f) => f.ruleId));
    for (const id of ['default-workflow-token-write', 'webhook-without-secret', 'app-installation-overprivileged', 'long-lived-cloud-credential-in-ci']) expect(rules, id).toContain(id);
    expect(r.stdout).not.toContain(token.GITHUB_TOKEN);
    expect(r.stdout).not.toContain('org-hook-secret-do-not-leak');
    // org secrets handed to a fork's code on pull_request_target, named with their level, sharing and age
    const preview = report.findings.filter((f) => f.ruleId === 'untrusted-trigger-secrets' && f.identity.id === 'github:workflow:acme/service-000/.github/workflows/preview.yml');
    expect(preview).toHaveLength(1);
    expect(preview[0]).toMatchObject({ severity: 'critical', discriminator: 'job:preview' });
    expect(preview[0].evidence[0].data?.secrets).toEqual([
      expect.objectContaining({ name: 'RELEASE_KEY', level: 'org', visibility: 'selected', sharedWith: '3 selected repositories of acme', ageDays: 30 }),
      expect.objectContaining({ name: 'SLACK_WEBHOOK', level: 'org', visibility: 'all', sharedWith: 'every repository of acme', ageDays: 500 }),
    ]);
    expect(preview[0].evidence[0].description).toContain('RELEASE_KEY, SLACK_WEBHOOK are org secrets');
  });

  it('a 403 on one endpoint: exit 3, the gap in the report, everything else reported', async () => {
    fake.fail('GET /repos/{owner}/{repo}/hooks', { status: 403 });
    try {
      const r = await nhi(['scan', '--github-org', 'acme', '--github-url', fake.url, '--no-store', '-f', 'json'], { env: token });
      expect(r.code).toBe(3);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.coverage.find((c) => c.source.includes('/hooks') && c.incomplete)).toBeDefined();
      expect(report.findings.some((f) => f.ruleId === 'app-installation-overprivileged')).toBe(true);
    } finally {
      fake.clear();
    }
  });

  it('no token: exit 2 with a hint', async () => {
    const r = await nhi(['scan', '--github-org', 'acme', '--github-url', fake.url, '--no-store'], { env: { GITHUB_TOKEN: undefined, GH_TOKEN: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nhi: no GitHub token/);
    expect(r.stderr).toContain('hint:');
  });

  it('a GitHub flag without its connector is a usage error', async () => {
    const r = await nhi(['scan', '--connector', 'aws', '--github-org', 'acme', '--no-store']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--github-org is a github option');
  });
});

describe('nhi scan --path (local workflow files: the pull-request gate)', () => {
  it('SARIF points at files and lines, validates, and a broken file makes the scan incomplete (exit 3)', async () => {
    const out = path.join(dir, 'wf.sarif');
    const r = await nhi(['scan', '--path', path.join(repoRoot, 'test', 'fixtures', 'workflows', 'mixed'), '--repo', 'acme/app', '--no-store', '-f', 'sarif', '-o', out]);
    expect(r.code).toBe(3);
    const sarif = JSON.parse(readFileSync(out, 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }> };
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors?.slice(0, 3))).toBe(true);
    const results = sarif.runs[0].results;
    const writeAll = results.filter((x) => x.ruleId === 'workflow-token-write-all').map((x) => x.locations[0].physicalLocation);
    expect(writeAll).toEqual(
      expect.arrayContaining([
        { artifactLocation: { uri: '.github/workflows/static-env.yml' }, region: expect.objectContaining({ startLine: 11 }) },
        { artifactLocation: { uri: '.github/workflows/role-from-secret.yml' }, region: expect.objectContaining({ startLine: 4 }) },
      ]),
    );
    const staticKeys = results.filter((x) => x.ruleId === 'long-lived-cloud-credential-in-ci').map((x) => x.locations[0].physicalLocation.artifactLocation.uri).sort();
    expect(staticKeys).toEqual(['.github/workflows/oidc-gcp.yml', '.github/workflows/static-env.yml']);
  });

  it('--fail-on high gates the pull request on the workflow findings (exit 1 beats 3)', async () => {
    const r = await nhi(['scan', '--path', path.join(repoRoot, 'test', 'fixtures', 'workflows', 'mixed'), '--repo', 'acme/app', '--no-store', '-f', 'markdown', '--fail-on', 'high']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('workflow-token-write-all');
  });
});

describe('several organisations in one run: --github-org a,b', () => {
  it('scans each organisation as its own job into one graph and one report; an organisation the token cannot see is a note (exit 3), the others complete', async () => {
    const acme = makeSyntheticOrg({ repos: 3, seed: 11, login: 'acme' });
    const beta = makeSyntheticOrg({ repos: 2, seed: 12, login: 'beta' });
    const two = await startFakeGitHub([acme, beta], { pageSize: 3 });
    try {
      const r = await nhi(['scan', '--github-org', 'acme,beta', '--github-url', two.url, '--no-store', '-f', 'json', '--as-of', '2026-11-01'], { env: token });
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as Report & { scan: { connectors: Array<{ id: string; apiCalls: number; targets: Array<{ id: string }> }> } };
      expect(report.scan.connectors.map((c) => [c.id, c.targets.map((t) => t.id)])).toEqual([
        ['github', [expect.stringMatching(/^github:org:.*\/acme$/)]],
        ['github', [expect.stringMatching(/^github:org:.*\/beta$/)]],
      ]);
      // every request the fake answered is counted, once, by one of the two jobs
      expect(report.scan.connectors.reduce((n, c) => n + c.apiCalls, 0)).toBe(two.requests.length);
      const owners = new Set(report.findings.map((f) => /\b(acme|beta)\//.exec(f.identity.id)?.[1]).filter(Boolean));
      expect([...owners].sort()).toEqual(['acme', 'beta']);

      const missing = await nhi(['scan', '--github-org', 'acme,gamma', '--github-url', two.url, '--no-store', '-f', 'json', '--as-of', '2026-11-01'], { env: token });
      expect(missing.stderr).not.toMatch(STACK_LINE);
      expect(missing.code).toBe(3);
      const partial = JSON.parse(missing.stdout) as Report;
      expect(partial.findings.some((f) => f.identity.id.includes('acme'))).toBe(true);
      expect(partial.coverage.some((c) => c.incomplete)).toBe(true);
    } finally {
      await two.close();
    }
  });
});

describe('an enterprise in one run: --github-enterprise SLUG', () => {
  it('lists the organisations through GraphQL and scans each (with --github-org, the union); an enterprise that cannot be listed is exit 2 in one line', async () => {
    const acme = makeSyntheticOrg({ repos: 2, seed: 21, login: 'acme' });
    const beta = makeSyntheticOrg({ repos: 1, seed: 22, login: 'beta' });
    const gamma = makeSyntheticOrg({ repos: 1, seed: 23, login: 'gamma' });
    const ent = await startFakeGitHub([acme, beta, gamma], { pageSize: 2, enterprises: { 'acme-corp': ['acme', 'beta', 'gamma'] } });
    try {
      const r = await nhi(['scan', '--github-enterprise', 'acme-corp', '--github-org', 'beta', '--github-url', ent.url, '--no-store', '-f', 'json', '--as-of', '2026-11-01'], { env: token });
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as Report & { scan: { connectors: Array<{ id: string; targets: Array<{ name: string }> }> } };
      expect(report.scan.connectors.map((c) => c.targets.map((t) => t.name))).toEqual([['beta'], ['acme'], ['gamma']]);
      expect(ent.requests.filter((q) => q.route === 'POST /graphql')).toHaveLength(2);

      const bad = await nhi(['scan', '--github-enterprise', 'nope', '--github-url', ent.url, '--no-store'], { env: token });
      expect(bad.code).toBe(2);
      expect(bad.stderr).not.toMatch(STACK_LINE);
      expect(bad.stderr).toMatch(/cannot list the organisations of enterprise nope/);
      expect(bad.stdout).toBe('');
    } finally {
      await ent.close();
    }
  });
});
