import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENDPOINT_PERMISSIONS, githubConnector, routeLabel } from '../../connectors/github/index.js';
import { Counter } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { deriveCiLinks } from '../../src/graph/derive-ci.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import { startFakeGitHub, type FakeGitHub, type FakeOrg } from '../fakes/github/server.js';
import { makeSyntheticOrg } from '../fakes/github/synthetic.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const NOW = new Date('2026-11-01T00:00:00Z');

async function scan(options: Record<string, unknown>, calls = new Counter()): Promise<{ records: GraphRecord[]; graph: IdentityGraph; calls: Counter }> {
  const ctx: ScanContext = { options, now: NOW, log: silent, calls, progress: () => {}, concurrency: 4 };
  await githubConnector.validate(ctx);
  const records: GraphRecord[] = [];
  for await (const r of githubConnector.scan(ctx)) records.push(r);
  const graph = IdentityGraph.from(records);
  deriveCiLinks(graph);
  return { records, graph, calls };
}

let org: FakeOrg;
let fake: FakeGitHub;
const savedToken = process.env.GITHUB_TOKEN;
beforeAll(async () => {
  org = makeSyntheticOrg({ repos: 7, seed: 3 });
  org.repos[0].hooks = [{ id: 77, events: ['push'], active: true, url: 'https://hooks.example.com/x?token=SHOULD-NOT-BE-STORED', secret: 'super-secret-hook-value' }];
  org.repos[1].workflows = undefined; // no .github/workflows: 404, still scanned
  org.samlAuthorizations = [{ login: 'octo-admin', credentialId: 31, type: 'personal access token', authorizedAt: '2025-01-01T00:00:00Z', accessedAt: '2026-10-30T00:00:00Z', scopes: ['repo'], tokenLastEight: 'ABCD1234' }];
  fake = await startFakeGitHub(org, { pageSize: 2 });
});
afterAll(async () => fake.close());
beforeEach(() => {
  process.env.GITHUB_TOKEN = 'ghp_FAKETOKENFORTESTS00000000000000000000';
  fake.clear();
  fake.requests.length = 0;
});
afterEach(() => {
  if (savedToken === undefined) delete process.env.GITHUB_TOKEN;
  else process.env.GITHUB_TOKEN = savedToken;
});

describe('github connector through @octokit/rest against the fake', () => {
  it('reads the org over several pages: repos, keys, secrets, hooks, runners, installations, workflows', async () => {
    const { graph, calls } = await scan({ org: 'acme', url: fake.url });
    const byType = graph.stats().byType;
    expect(byType['github:repo']).toBe(7);
    expect(fake.requests.filter((r) => r.route === 'GET /orgs/{org}/repos').length).toBe(4); // 7 repos, 2 per page
    expect(byType['github:app-installation']).toBe(2);
    expect(byType['github:workflow']).toBeGreaterThanOrEqual(6);
    expect(graph.node('github:org:acme')?.attributes).toMatchObject({ defaultWorkflowPermissions: 'write', canApprovePullRequestReviews: true, inScan: true });
    expect(graph.node('github:actions-secret:org:acme/RELEASE_KEY')?.attributes).toMatchObject({ visibility: 'selected', selectedRepositories: ['service-000', 'service-001', 'service-002'] });
    expect(graph.node('github:repo:acme/service-001')?.attributes?.workflowsScanned).toBe(true);
    // workflows fetched through the API are analysed by the same code as local files, and secret uses are derived
    const ci = graph.node('github:workflow:acme/service-000/.github/workflows/ci.yml');
    expect(ci?.attributes?.secretRefs).toEqual([expect.objectContaining({ name: 'NPM_TOKEN' })]);
    expect(graph.out(ci!.id, 'USES_SECRET').map((e) => e.to)).toEqual(['github:actions-secret:repo:acme/service-000/NPM_TOKEN']);
    // every request counted, by route
    expect(calls.total).toBe(fake.requests.length);
    expect(calls.byOperation()['github:GET /orgs/{org}/repos']).toBe(4);
    // fine-grained PATs need App auth: an informational note; SAML authorisations read
    const notes = graph.coverage;
    expect(notes.find((c) => c.source.includes('personal-access-tokens'))).toMatchObject({ reason: 'unsupported', incomplete: false });
    expect(graph.node('github:saml-credential:acme/31')).toMatchObject({ credentialType: 'token', lastUsedAt: '2026-10-30T00:00:00Z' });
    expect(notes.filter((c) => c.incomplete)).toEqual([]);
  });

  it('never keeps a webhook secret, a URL query string, public key material or token_last_eight', async () => {
    const { records, graph } = await scan({ org: 'acme', url: fake.url });
    const text = JSON.stringify(records);
    for (const s of ['super-secret-hook-value', '********', 'SHOULD-NOT-BE-STORED', 'org-hook-secret-do-not-leak', 'AAAAC3NzaC1lZDI1NTE5', 'ABCD1234', process.env.GITHUB_TOKEN!]) expect(text).not.toContain(s);
    expect(graph.node('github:webhook:acme/service-000/77')?.attributes).toMatchObject({ hasSecret: true, urlHost: 'hooks.example.com', active: true });
    expect(graph.node('github:webhook:acme/2')?.attributes).toMatchObject({ hasSecret: false, insecureSsl: true });
  });

  it('a secondary rate limit with Retry-After is waited out and retried: nothing lost, every attempt counted', async () => {
    fake.fail('GET /orgs/{org}/installations', 'secondary-rate-limit');
    const { graph, calls } = await scan({ org: 'acme', url: fake.url });
    expect(graph.stats().byType['github:app-installation']).toBe(2);
    expect(calls.byOperation()['github:GET /orgs/{org}/installations']).toBe(2);
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
  });

  it('a 502 is retried', async () => {
    fake.fail('GET /orgs/{org}/hooks', { status: 502, times: 1 });
    const { graph } = await scan({ org: 'acme', url: fake.url, repos: ['service-00[0-1]'] });
    expect(graph.node('github:webhook:acme/1')).toBeDefined();
    expect(fake.requests.filter((r) => r.route === 'GET /orgs/{org}/hooks').length).toBe(2);
  });

  it('a 403 on one endpoint is one coverage note; everything else is still reported', async () => {
    fake.fail('GET /repos/{owner}/{repo}/keys', { status: 403 });
    const { graph } = await scan({ org: 'acme', url: fake.url });
    const note = graph.coverage.find((c) => c.source === 'github:GET /repos/{owner}/{repo}/keys');
    expect(note).toMatchObject({ reason: 'permission-denied', incomplete: true, scope: 'acme' });
    expect(note!.message).toMatch(/HTTP 403/);
    expect(graph.stats().byType['github:deploy-key']).toBeUndefined();
    expect(graph.stats().byType['github:actions-secret']).toBeGreaterThan(5);
  });

  it('the repos filter limits the repositories read', async () => {
    const { graph } = await scan({ org: 'acme', url: fake.url, repos: ['service-003'] });
    expect(graph.stats().byType['github:repo']).toBe(1);
  });

  it('no token is a clear CREDENTIALS error before any request', async () => {
    delete process.env.GITHUB_TOKEN;
    const saved = process.env.GH_TOKEN;
    delete process.env.GH_TOKEN;
    try {
      await expect(scan({ org: 'acme', url: fake.url })).rejects.toMatchObject({ code: 'CREDENTIALS' });
      expect(fake.requests).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.GH_TOKEN = saved;
    }
  });

  it('routes are labelled without ids for counting, in the same words as coverage notes', async () => {
    expect(routeLabel('get', 'http://x/repos/acme/app/environments/prod%20us/secrets?per_page=100', 'acme')).toBe('github:GET /repos/{owner}/{repo}/environments/{environment_name}/secrets');
    expect(routeLabel('GET', 'https://ghe.example.com/api/v3/orgs/acme/hooks', 'acme')).toBe('github:GET /orgs/{org}/hooks');
    expect(routeLabel('GET', 'http://x/orgs/acme/dependabot/secrets/NPM_TOKEN/repositories', 'acme')).toBe('github:GET /orgs/{org}/dependabot/secrets/{secret_name}/repositories');
    // every operation a real scan counted is an endpoint the connector knows (and can name a permission for)
    const { calls } = await scan({ org: 'acme', url: fake.url });
    const known = new Set(['GET /orgs/{org}', ...Object.keys(ENDPOINT_PERMISSIONS)].map((r) => `github:${r}`));
    expect(Object.keys(calls.byOperation()).filter((op) => !known.has(op))).toEqual([]);
  });

  it('org secrets of all three stores with selected repositories, OIDC subject templates, SAML SSO', async () => {
    const { graph } = await scan({ org: 'acme', url: fake.url });
    expect(graph.node('github:dependabot-secret:org:acme/PRIVATE_REGISTRY_TOKEN')?.attributes).toMatchObject({ level: 'org', visibility: 'selected', selectedRepositories: ['service-000', 'service-001'] });
    expect(graph.node('github:codespaces-secret:org:acme/DEV_DB_PASSWORD')).toMatchObject({ credentialType: 'secret', lastRotatedAt: expect.any(String), attributes: expect.objectContaining({ level: 'org', visibility: 'all' }) });
    expect(graph.out('github:codespaces-secret:org:acme/DEV_DB_PASSWORD', 'IN_SCOPE').map((e) => e.to)).toEqual(['github:org:acme']);
    const orgNode = graph.node('github:org:acme');
    expect(orgNode?.attributes).toMatchObject({ oidcSubClaim: { useDefault: true, includeClaimKeys: [] }, samlSso: true, twoFactorRequired: true });
    expect(graph.node('github:repo:acme/service-004')?.attributes?.oidcSubClaim).toEqual({ useDefault: false, includeClaimKeys: ['repo', 'context', 'job_workflow_ref'] });
    expect(graph.node('github:repo:acme/service-003')?.attributes?.oidcSubClaim).toEqual({ useDefault: true });
  });

  it('ids, kinds and edges follow docs/model.md', async () => {
    const { graph } = await scan({ org: 'acme', url: fake.url });
    const repo = graph.node('github:repo:acme/service-000');
    expect(repo).toMatchObject({ kind: 'resource', platform: 'github', type: 'repo', scope: 'acme' });
    expect(graph.out(repo!.id, 'IN_SCOPE').map((e) => e.to)).toEqual(['github:org:acme']);
    // deploy keys: CAN_ACCESS the repo with read or write as their read_only flag says
    const keyed = org.repos.find((r) => r.keys.length > 0)!;
    const k = keyed.keys[0];
    const keyId = `github:deploy-key:acme/${keyed.name}:${k.id}`;
    expect(graph.node(keyId)).toMatchObject({ kind: 'credential', type: 'deploy-key', credentialType: 'ssh-key', name: k.title, createdAt: k.created, lastUsedAt: k.lastUsed ?? null, attributes: expect.objectContaining({ readOnly: k.readOnly }) });
    expect(graph.out(keyId, 'CAN_ACCESS')).toEqual([expect.objectContaining({ to: `github:repo:acme/${keyed.name}`, attributes: { access: k.readOnly ? 'read' : 'write' } })]);
    // environment secrets are keyed by repo and environment
    const withEnv = org.repos.find((r) => r.environments.length > 0)!;
    const envSecret = graph.node(`github:actions-secret:env:acme/${withEnv.name}/production/SLACK_WEBHOOK`);
    expect(envSecret?.attributes).toMatchObject({ level: 'environment', environment: 'production', repo: `acme/${withEnv.name}` });
    // App installations are service principals with their permissions, in the org and able to reach it
    const inst = graph.node('github:app-installation:acme/11');
    expect(inst).toMatchObject({ kind: 'principal', accountType: 'service', name: 'ci-bot', attributes: expect.objectContaining({ appId: 101, installationId: 11, repositorySelection: 'all', permissions: expect.objectContaining({ contents: 'write' }) }) });
    expect(graph.out(inst!.id, 'CAN_ACCESS').map((e) => e.to)).toEqual(['github:org:acme']);
    // runners: org runner with its group's public-repository setting
    expect(graph.node('github:runner:acme/1')?.attributes).toMatchObject({ level: 'org', runnerGroup: 'Default', groupAllowsPublicRepos: true, labels: ['self-hosted', 'linux', 'x64'] });
    // SAML credential: held by the user, no token_last_eight
    expect(graph.in('github:saml-credential:acme/31', 'HAS_CREDENTIAL').map((e) => e.from)).toEqual(['github:user:octo-admin']);
    expect(graph.node('github:user:octo-admin')).toMatchObject({ kind: 'principal', accountType: 'human' });
  });

  it('a rate limit that does not clear gives up after maxAttempts: one throttled note, counted attempts', async () => {
    fake.fail('GET /orgs/{org}/hooks', { rateLimit: 'secondary', times: 100 });
    const { graph, calls } = await scan({ org: 'acme', url: fake.url, repos: ['service-000'], maxAttempts: 2 });
    expect(calls.byOperation()['github:GET /orgs/{org}/hooks']).toBe(2);
    const note = graph.coverage.find((c) => c.source === 'github:GET /orgs/{org}/hooks');
    expect(note).toMatchObject({ reason: 'throttled', incomplete: true });
    expect(note!.impact).toContain('admin:org_hook');
    expect(graph.node('github:webhook:acme/1')).toBeUndefined();
    expect(graph.node('github:repo:acme/service-000')).toBeDefined();
  });

  it('a wait longer than maxRetryAfterSeconds is not honoured: the call is given up at once', async () => {
    fake.fail('GET /orgs/{org}/installations', 'secondary-rate-limit');
    const { graph, calls } = await scan({ org: 'acme', url: fake.url, repos: ['service-000'], maxRetryAfterSeconds: 0 });
    expect(calls.byOperation()['github:GET /orgs/{org}/installations']).toBe(1);
    expect(graph.coverage.find((c) => c.source === 'github:GET /orgs/{org}/installations')).toMatchObject({ reason: 'throttled', incomplete: true });
  });

  it('a primary rate limit (x-ratelimit-remaining 0) waits for the reset and goes on', async () => {
    fake.fail('GET /orgs/{org}/actions/runners', 'rate-limit');
    const { graph, calls } = await scan({ org: 'acme', url: fake.url, repos: ['service-000'] });
    expect(calls.byOperation()['github:GET /orgs/{org}/actions/runners']).toBe(2);
    expect(graph.node('github:runner:acme/1')).toBeDefined();
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
  });

  it('denied endpoints across many repositories: one note per endpoint kind, naming the permission', async () => {
    fake.fail(/^GET \/repos\/\{owner\}\/\{repo\}\/(hooks|dependabot\/secrets)$/, { status: 403 });
    const { graph } = await scan({ org: 'acme', url: fake.url });
    const incomplete = graph.coverage.filter((c) => c.incomplete);
    expect(incomplete.map((c) => c.source).sort()).toEqual(['github:GET /repos/{owner}/{repo}/dependabot/secrets', 'github:GET /repos/{owner}/{repo}/hooks']);
    const hooksNote = incomplete.find((c) => c.source.endsWith('/hooks'))!;
    expect(hooksNote.message).toContain('7 targets');
    expect(hooksNote.impact).toContain('admin:repo_hook');
    // the org hooks endpoint was not affected
    expect(graph.node('github:webhook:acme/1')).toBeDefined();
  });

  it('a refused token on the org is a CREDENTIALS error; a missing org a USAGE error with a hint', async () => {
    fake.fail('GET /orgs/{org}', { status: 401, message: 'Bad credentials' });
    await expect(scan({ org: 'acme', url: fake.url })).rejects.toMatchObject({ code: 'CREDENTIALS', message: expect.stringContaining('HTTP 401') });
    await expect(scan({ url: fake.url })).rejects.toMatchObject({ code: 'USAGE', suggestion: expect.stringContaining('--github-org') });
    fake.clear();
    await expect(scan({ org: 'no-such-org', url: fake.url })).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('HTTP 404') });
  });

  it('describe() names the token scopes and App permissions as a JSON document', () => {
    const d = githubConnector.describe();
    expect(d.title).toBe('GitHub');
    const doc = d.permissionsDocument as { classicTokenScopes: string[]; githubAppPermissions: Record<string, string> };
    expect(doc.classicTokenScopes).toEqual(expect.arrayContaining(['read:org', 'repo', 'admin:org_hook', 'admin:repo_hook']));
    expect(doc.githubAppPermissions).toMatchObject({ administration: 'read', secrets: 'read', environments: 'read', organization_self_hosted_runners: 'read', organization_personal_access_tokens: 'read' });
    expect(Object.values(doc.githubAppPermissions).every((v) => v === 'read')).toBe(true);
  });
});

describe('github connector as a GitHub App', () => {
  let dir: string;
  let keyFile: string;
  let appFake: FakeGitHub;
  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-gh-app-'));
    keyFile = path.join(dir, 'app.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs1', format: 'pem' }));
    const o = makeSyntheticOrg({ repos: 2, seed: 9 });
    o.app = { installationId: 4242, appId: 777, publicKey };
    appFake = await startFakeGitHub(o);
  });
  afterAll(async () => {
    await appFake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('discovers the installation, signs an RS256 JWT, and can list fine-grained PAT grants', async () => {
    delete process.env.GITHUB_TOKEN;
    const { graph } = await scan({ org: 'acme', url: appFake.url, appId: '777', privateKeyFile: keyFile });
    expect(appFake.jwtsVerified).toBeGreaterThan(0);
    expect(appFake.requests.some((r) => r.route === 'GET /orgs/{org}/installation')).toBe(true);
    expect(graph.node('github:fine-grained-pat:acme/21')).toMatchObject({ credentialType: 'token', expiresAt: null, lastUsedAt: '2026-10-30T00:00:00Z' });
    expect(graph.in('github:fine-grained-pat:acme/21', 'HAS_CREDENTIAL').map((e) => e.from)).toEqual(['github:user:octo-admin']);
    expect(graph.coverage.find((c) => c.source.includes('credential-authorizations'))).toMatchObject({ reason: 'unsupported', incomplete: false });
    expect(graph.node('github:org:acme')?.attributes?.samlSso).toBe(false);
    // with App auth nothing is missing from the synthetic org
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
  });

  it('a private key file that is not a PEM key is an INPUT error', async () => {
    const bad = path.join(dir, 'bad.pem');
    writeFileSync(bad, 'not a key');
    await expect(scan({ org: 'acme', url: appFake.url, appId: '777', privateKeyFile: bad })).rejects.toMatchObject({ code: 'INPUT' });
  });
});
