import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ciConfigFile, gitlabConnector, retryAfterMs, routeLabel } from '../../connectors/gitlab/index.js';
import { Counter, runScan } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { deriveCiLinks } from '../../src/graph/derive-ci.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import { RULES } from '../../src/rules/index.js';
import { startFakeGitLab, type FakeGitLab, type FakeGitLabEstate } from '../fakes/gitlab/server.js';
import { expectNotStoredOrRendered } from '../support/secret-leaks.js';

// plain-looking values: the store's secret-pattern guard would not catch them, so only the connector can keep them out
const CANARY_GROUP = 'canary-group-variable-value-4711';
const CANARY_PROJECT = 'canary-project-variable-value-0815';
const CANARY_OLD = 'canary-old-variable-value-2222';
const CANARY_FILE = 'canary-file-variable-contents-9999';
const KEY_MATERIAL = 'AAAAC3NzaC1lZDI1NTE5AAAAIGITLABFAKEKEYMATERIAL';
const TOKEN = 'test-token-not-real-000';
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const NOW = new Date('2026-11-01T00:00:00Z');

const estate: FakeGitLabEstate = {
  groups: [
    {
      id: 1,
      path: 'acme',
      accessTokens: [{ id: 11, name: 'group-bot', scopes: ['api'], createdAt: '2024-01-01T00:00:00Z', expiresAt: null, lastUsedAt: '2026-10-01T00:00:00Z', userId: 501, accessLevel: 50 }],
      deployTokens: [],
      variables: [{ key: 'SHARED_TOKEN', value: CANARY_GROUP, masked: true }],
    },
    { id: 2, path: 'acme/team', accessTokens: [], deployTokens: [{ id: 21, name: 'registry-pull', scopes: ['read_registry'], expiresAt: null }], variables: [] },
  ],
  projects: [
    {
      id: 101,
      path: 'acme/team/api',
      visibility: 'private',
      accessTokens: [
        { id: 31, name: 'release', scopes: ['write_repository'], createdAt: '2025-01-01T00:00:00Z', expiresAt: '2026-12-31', lastUsedAt: null, userId: 502, accessLevel: 40 },
        { id: 32, name: 'revoked-one', scopes: ['read_api'], createdAt: '2025-01-01T00:00:00Z', expiresAt: '2026-01-31', userId: 503, revoked: true, active: false, omitLastUsed: true },
      ],
      deployTokens: [{ id: 22, name: 'old-deploy', scopes: ['read_repository'], expiresAt: '2025-01-01T00:00:00Z', expired: true }],
      deployKeys: [
        { id: 41, title: 'ci-push', createdAt: '2024-03-01T00:00:00Z', canPush: true },
        { id: 42, title: 'mirror-read', createdAt: '2024-03-01T00:00:00Z', canPush: false, expiresAt: '2027-01-01T00:00:00Z' },
      ],
      variables: [
        { key: 'DEPLOY_TOKEN', value: CANARY_PROJECT, protected: true, environmentScope: 'production' },
        { key: 'OLD_API_KEY', value: CANARY_OLD },
        { key: 'KUBE_CONFIG_FILE', value: CANARY_FILE, variableType: 'file', hidden: true, raw: true },
      ],
      ciConfig: 'variables:\n  LOCAL: x\ndeploy:\n  script:\n    - curl -H "Authorization: $DEPLOY_TOKEN" "$CI_API_V4_URL"\n    - echo ${SHARED_TOKEN} $LOCAL $KUBE_CONFIG_FILE\n',
    },
    { id: 102, path: 'acme/web', visibility: 'public', accessTokens: [], deployTokens: [], deployKeys: [], variables: [], ciConfig: undefined },
    { id: 103, path: 'acme/docs', visibility: 'internal', archived: true, accessTokens: [], deployTokens: [], deployKeys: [], variables: [], ciConfig: 'pages:\n  script: [make]\n' },
  ],
};

let fake: FakeGitLab;
const saved = process.env.GITLAB_TOKEN;
beforeAll(async () => {
  fake = await startFakeGitLab(estate, { pageSize: 1, token: TOKEN });
});
afterAll(async () => fake.close());
beforeEach(() => {
  process.env.GITLAB_TOKEN = TOKEN;
  fake.clear();
  fake.resetStats();
});
afterEach(() => {
  if (saved === undefined) delete process.env.GITLAB_TOKEN;
  else process.env.GITLAB_TOKEN = saved;
});

async function scan(options: Record<string, unknown>, concurrency = 2) {
  const calls = new Counter();
  const ctx: ScanContext = { options, now: NOW, log: silent, calls, progress: () => {}, concurrency };
  await gitlabConnector.validate(ctx);
  const parsed = gitlabConnector.describe().options.parse(options) as Record<string, unknown>;
  const records: GraphRecord[] = [];
  for await (const r of gitlabConnector.scan({ ...ctx, options: parsed })) records.push(r);
  const graph = IdentityGraph.from(records);
  deriveCiLinks(graph);
  return { records, graph, calls };
}

const scanAll = (gl: FakeGitLab, extra: Record<string, unknown> = {}) =>
  runScan({ jobs: [{ connector: gitlabConnector, options: { url: gl.url, group: 'acme', maxAttempts: 2, ...extra } }], now: NOW, rules: RULES, log: silent });

describe('gitlab connector through @gitbeaker/rest against the fake', () => {
  it('reads groups, subgroups and projects over several pages: tokens, deploy tokens and keys, variables, the pipeline', async () => {
    const { graph, calls } = await scan({ url: fake.url, group: 'acme' });
    const t = graph.stats().byType;
    expect(t['gitlab:group']).toBe(2);
    expect(t['gitlab:project']).toBe(3);
    // one item per page: every list walked to its end through x-next-page / Link
    expect(fake.requests.filter((r) => r.route === 'GET /groups/:id/projects').length).toBe(3);
    expect(fake.requests.filter((r) => r.route === 'GET /projects/:id/variables' && r.path.startsWith('/projects/101/')).length).toBe(3);
    const projectsQuery = new URLSearchParams(fake.requests.find((r) => r.route === 'GET /groups/:id/projects')!.query);
    expect([projectsQuery.get('include_subgroups'), projectsQuery.get('with_shared'), projectsQuery.get('per_page')]).toEqual(['true', 'false', '100']);

    expect(graph.node('gitlab:group:acme')?.attributes).toMatchObject({ inScan: true });
    expect(graph.out('gitlab:group:acme/team', 'IN_SCOPE').map((e) => e.to)).toEqual(['gitlab:group:acme']);
    expect(graph.out('gitlab:project:acme/team/api', 'IN_SCOPE').map((e) => e.to)).toEqual(['gitlab:group:acme/team']);
    expect(graph.node('gitlab:project:acme/docs')?.attributes).toMatchObject({ visibility: 'internal', archived: true, ciConfigScanned: true });

    expect(graph.node('gitlab:access-token:acme/11')).toMatchObject({ kind: 'credential', type: 'access-token', credentialType: 'token', expiresAt: null, lastUsedAt: '2026-10-01T00:00:00Z', active: true, createdAt: '2024-01-01T00:00:00Z' });
    expect(graph.node('gitlab:access-token:acme/11')?.attributes).toMatchObject({ level: 'group', scopes: ['api'], accessLevel: 50 });
    expect(graph.in('gitlab:access-token:acme/11', 'HAS_CREDENTIAL').map((e) => e.from)).toEqual(['gitlab:user:501']);
    expect(graph.node('gitlab:user:501')).toMatchObject({ kind: 'principal', type: 'bot-user', accountType: 'service' });
    expect(graph.out('gitlab:access-token:acme/11', 'CAN_ACCESS').map((e) => e.to)).toEqual(['gitlab:group:acme']);
    // never used = null; revoked = inactive; an instance that does not say = unknown (undefined)
    expect(graph.node('gitlab:access-token:acme/team/api/31')).toMatchObject({ lastUsedAt: null, expiresAt: '2026-12-31', active: true });
    const revoked = graph.node('gitlab:access-token:acme/team/api/32');
    expect(revoked).toMatchObject({ active: false });
    expect(revoked && 'lastUsedAt' in revoked ? revoked.lastUsedAt : 'absent').toBeUndefined();

    expect(graph.node('gitlab:deploy-token:acme/team/21')).toMatchObject({ credentialType: 'token', expiresAt: null, active: true });
    expect(graph.node('gitlab:deploy-token:acme/team/api/22')).toMatchObject({ active: false, attributes: { expired: true, revoked: false, level: 'project' } });
    expect(graph.node('gitlab:deploy-key:acme/team/api/41')).toMatchObject({ credentialType: 'ssh-key', expiresAt: null, attributes: { canPush: true, project: 'acme/team/api' } });
    expect(graph.out('gitlab:deploy-key:acme/team/api/41', 'CAN_ACCESS')[0]).toMatchObject({ to: 'gitlab:project:acme/team/api', attributes: { access: 'write' } });
    expect(graph.out('gitlab:deploy-key:acme/team/api/42', 'CAN_ACCESS')[0]?.attributes).toMatchObject({ access: 'read' });
    expect(graph.node('gitlab:deploy-key:acme/team/api/42')).toMatchObject({ expiresAt: '2027-01-01T00:00:00Z' });

    expect(graph.node('gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@production')?.attributes).toMatchObject({ protected: true, masked: false, environmentScope: 'production', level: 'project', project: 'acme/team/api' });
    expect(graph.node('gitlab:ci-variable:acme/team/api/KUBE_CONFIG_FILE@*')?.attributes).toMatchObject({ variableType: 'file', hidden: true, raw: true });
    expect(graph.node('gitlab:ci-variable:acme/SHARED_TOKEN@*')?.attributes).toMatchObject({ level: 'group', group: 'acme', masked: true });

    // references resolved: project variable, then group variables up the path; predefined variables skipped
    const pipeline = 'gitlab:pipeline:acme/team/api/.gitlab-ci.yml';
    expect(graph.node(pipeline)).toMatchObject({ kind: 'workload', type: 'pipeline', scope: 'acme' });
    expect(graph.out(pipeline, 'USES_SECRET').map((e) => e.to).sort()).toEqual(['gitlab:ci-variable:acme/SHARED_TOKEN@*', 'gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@production', 'gitlab:ci-variable:acme/team/api/KUBE_CONFIG_FILE@*']);
    expect(graph.node('gitlab:project:acme/team/api')?.attributes?.ciConfigScanned).toBe(true);
    expect(graph.node('gitlab:project:acme/web')?.attributes?.ciConfigScanned).toBe(true); // no file: nothing referenced

    // every HTTP request counted once, under a route label without ids
    expect(calls.total).toBe(fake.requests.length);
    expect(calls.byOperation()['gitlab:GET /groups/:id/projects']).toBe(3);
    expect(Object.keys(calls.byOperation()).every((k) => /^gitlab:GET \/(groups|projects)\/:id(\/[a-z_/:]+)?$/.test(k))).toBe(true);
    expect(graph.coverage).toEqual([]);
  });

  it('drops every CI/CD variable value at the connector boundary: not in records, the store or any report', async () => {
    const { records } = await scan({ url: fake.url, group: 'acme' });
    const secrets = [CANARY_GROUP, CANARY_PROJECT, CANARY_OLD, CANARY_FILE, KEY_MATERIAL, TOKEN];
    const text = JSON.stringify(records);
    for (const v of secrets) expect(text).not.toContain(v);
    expect(text).toContain('DEPLOY_TOKEN'); // the names are there: the check above is not vacuous

    const result = await scanAll(fake);
    expectNotStoredOrRendered(result, secrets, 'OLD_API_KEY');
    // and the rules see the unreferenced variable (its project's pipeline was read in full)
    expect(result.findings.some((f) => f.ruleId === 'ci-secret-unreferenced' && f.nodeId === 'gitlab:ci-variable:acme/team/api/OLD_API_KEY@*')).toBe(true);
    expect(result.findings.some((f) => f.ruleId === 'ci-secret-unreferenced' && f.nodeId === 'gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@production')).toBe(false);
  });

  it('429 with Retry-After, then success: nothing lost, every attempt counted', async () => {
    fake.fail('GET /projects/:id/variables', { status: 429, times: 1, retryAfter: 1 });
    const { graph, calls } = await scan({ url: fake.url, group: 'acme' });
    expect(graph.node('gitlab:ci-variable:acme/team/api/OLD_API_KEY@*')).toBeDefined();
    const served = fake.requests.filter((r) => r.route === 'GET /projects/:id/variables').length;
    expect(calls.byOperation()['gitlab:GET /projects/:id/variables']).toBe(served);
    expect(served).toBe(6); // 3 + 1 + 1 pages over three projects, plus the refused attempt
    expect(graph.coverage).toEqual([]);
  });

  it('a 502 and a dropped connection are retried and counted', async () => {
    fake.fail('GET /groups/:id/descendant_groups', { status: 502, times: 1 });
    fake.fail('GET /projects/:id/deploy_keys', { status: 0, times: 1 });
    const { graph, calls } = await scan({ url: fake.url, group: 'acme' });
    expect(graph.stats().byType['gitlab:group']).toBe(2);
    expect(graph.node('gitlab:deploy-key:acme/team/api/41')).toBeDefined();
    expect(calls.byOperation()['gitlab:GET /groups/:id/descendant_groups']).toBe(2); // the 502, then the one page
    expect(calls.total).toBe(fake.requests.length);
    expect(graph.coverage).toEqual([]);
  });

  it('still throttled after the last attempt: a throttled note for that endpoint, the rest complete', async () => {
    fake.fail('GET /groups/:id/deploy_tokens', { status: 429, retryAfter: 0 });
    const { graph, calls } = await scan({ url: fake.url, group: 'acme', maxAttempts: 2 });
    expect(graph.coverage).toEqual([expect.objectContaining({ source: 'gitlab:GET /groups/:id/deploy_tokens', reason: 'throttled', incomplete: true })]);
    expect(calls.byOperation()['gitlab:GET /groups/:id/deploy_tokens']).toBe(4); // two groups, two attempts each
    expect(graph.node('gitlab:deploy-token:acme/team/21')).toBeUndefined();
    expect(graph.node('gitlab:deploy-token:acme/team/api/22')).toBeDefined();
  });

  it('403 on one endpoint: one permission-denied note naming the role, everything else reported, the scan is partial', async () => {
    fake.fail('GET /projects/:id/access_tokens', { status: 403 });
    const result = await scanAll(fake);
    const notes = result.coverage.filter((c) => c.connector === 'gitlab');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ source: 'gitlab:GET /projects/:id/access_tokens', reason: 'permission-denied', incomplete: true, scope: 'acme' });
    expect(notes[0].message).toMatch(/^403 Forbidden: needs the Maintainer role on the project \(3 groups\/projects, e\.g\. acme\/\w+/);
    expect(result.incomplete).toBe(true);
    expect(result.connectors[0].status).toBe('partial');
    expect(result.graph.node('gitlab:access-token:acme/team/api/31')).toBeUndefined();
    expect(result.graph.node('gitlab:access-token:acme/11')).toBeDefined();
    expect(result.graph.node('gitlab:deploy-key:acme/team/api/41')).toBeDefined();
    expect(result.graph.node('gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@production')).toBeDefined();
  });

  it('404 for a feature the plan or instance lacks (group access tokens): an informational note, the scan is complete', async () => {
    fake.fail('GET /groups/:id/access_tokens', { status: 404 });
    const result = await scanAll(fake);
    expect(result.coverage).toEqual([expect.objectContaining({ source: 'gitlab:GET /groups/:id/access_tokens', reason: 'unsupported', incomplete: false })]);
    expect(result.incomplete).toBe(false);
    expect(result.connectors[0].status).toBe('complete');
    expect(result.graph.node('gitlab:access-token:acme/team/api/31')).toBeDefined();
  });

  it('bounded concurrency over groups and projects', async () => {
    const many: FakeGitLabEstate = {
      groups: [{ id: 1, path: 'acme', accessTokens: [], deployTokens: [], variables: [] }],
      projects: Array.from({ length: 12 }, (_, i) => ({ id: 100 + i, path: `acme/p${i}`, visibility: 'private' as const, accessTokens: [], deployTokens: [], deployKeys: [], variables: [], ciConfig: 'job:\n  script: [make]\n' })),
    };
    const slow = await startFakeGitLab(many, { latencyMs: 5, pageSize: 100 });
    try {
      const { graph } = await scan({ url: slow.url, group: 'acme' }, 3);
      expect(graph.stats().byType['gitlab:project']).toBe(12);
      expect(slow.maxInFlight).toBeGreaterThan(1);
      expect(slow.maxInFlight).toBeLessThanOrEqual(3);
    } finally {
      await slow.close();
    }
  });

  it('the projects filter (names and globs) and includeSubgroups: false', async () => {
    expect((await scan({ url: fake.url, group: 'acme', projects: ['docs'] })).graph.stats().byType['gitlab:project']).toBe(1);
    expect((await scan({ url: fake.url, group: 'acme', projects: ['acme/team/*'] })).graph.stats().byType['gitlab:project']).toBe(1);
    fake.resetStats();
    const top = await scan({ url: fake.url, group: 'acme', includeSubgroups: false });
    expect(top.graph.stats().byType['gitlab:group']).toBe(1);
    expect([...top.graph.nodes.keys()].filter((id) => id.startsWith('gitlab:project:')).sort()).toEqual(['gitlab:project:acme/docs', 'gitlab:project:acme/web']);
    expect(fake.requests.some((r) => r.route === 'GET /groups/:id/descendant_groups')).toBe(false);
    expect(new URLSearchParams(fake.requests.find((r) => r.route === 'GET /groups/:id/projects')!.query).get('include_subgroups')).toBe('false');
  });

  it('credentials and the group: no token, a refused token, an unknown group, no group', async () => {
    delete process.env.GITLAB_TOKEN;
    await expect(scan({ url: fake.url, group: 'acme' })).rejects.toMatchObject({ code: 'CREDENTIALS', suggestion: expect.stringMatching(/read_api/) });
    process.env.GITLAB_TOKEN = 'some-other-token';
    await expect(scan({ url: fake.url, group: 'acme' })).rejects.toMatchObject({ code: 'CREDENTIALS', message: expect.stringMatching(/401/) });
    process.env.GITLAB_TOKEN = TOKEN;
    await expect(scan({ url: fake.url, group: 'nope' })).rejects.toMatchObject({ code: 'USAGE', suggestion: expect.stringMatching(/--gitlab-group/) });
    const ctx: ScanContext = { options: { url: fake.url }, now: NOW, log: silent, calls: new Counter(), progress: () => {}, concurrency: 1 };
    await expect(gitlabConnector.validate(ctx)).rejects.toMatchObject({ code: 'USAGE', message: 'gitlab: no group given', suggestion: expect.stringMatching(/--gitlab-group/) });
  });

  it('describe(): read_api and Maintainer, Owner for group access tokens', () => {
    const d = gitlabConnector.describe();
    expect(d.permissionsDocument).toMatchObject({ tokenScopes: ['read_api'], minimumRole: 'Maintainer' });
    expect(d.requiredPermissions.join(' ')).toMatch(/read_api/);
    expect(d.optionalPermissions?.some((p) => /Owner/.test(p.permission) && /group access tokens/.test(p.unlocks))).toBe(true);
    expect(d.options.safeParse({ group: 'acme', value: 'x' }).success).toBe(false); // strict: no stray options
  });
});

describe('pipeline definitions', () => {
  const project = (id: number, p: string, extra: Partial<FakeGitLabEstate['projects'][number]>) => ({ id, path: p, visibility: 'private' as const, accessTokens: [], deployTokens: [], deployKeys: [], variables: [{ key: 'UNUSED_SECRET', value: 'canary-unused' }], ...extra });
  const ci: FakeGitLabEstate = {
    groups: [{ id: 1, path: 'acme', accessTokens: [], deployTokens: [], variables: [] }],
    projects: [
      project(201, 'acme/with-include', { ciConfig: 'include:\n  - project: acme/templates\n    file: /build.yml\njob:\n  script: [make]\n' }),
      project(202, 'acme/custom-path', { ciConfigPath: 'ci/pipeline.yml', defaultBranch: 'trunk', ciConfig: 'job:\n  script: ["echo $UNUSED_SECRET"]\n' }),
      project(203, 'acme/elsewhere', { ciConfigPath: '.gitlab-ci.yml@acme/templates', ciConfig: 'job: {}\n' }),
      project(204, 'acme/empty', { empty: true }),
      project(205, 'acme/broken', { ciConfig: 'job:\n  script: [unterminated\n' }),
    ],
  };
  let gl: FakeGitLab;
  beforeAll(async () => {
    gl = await startFakeGitLab(ci);
  });
  afterAll(async () => gl.close());

  it('only a definition seen in full lets its variables be called unreferenced', async () => {
    const result = await scanAll(gl);
    const attrs = (p: string) => result.graph.node(`gitlab:project:${p}`)?.attributes;
    expect(attrs('acme/with-include')).toMatchObject({ ciConfigScanned: false, ciConfigNote: expect.stringMatching(/includes 1 file/) });
    expect(attrs('acme/custom-path')).toMatchObject({ ciConfigScanned: true });
    expect(attrs('acme/elsewhere')).toMatchObject({ ciConfigScanned: false, ciConfigNote: expect.stringMatching(/outside the project/) });
    expect(attrs('acme/empty')).toMatchObject({ ciConfigScanned: true });
    expect(attrs('acme/broken')).toMatchObject({ ciConfigScanned: false, ciConfigNote: expect.stringMatching(/^\.gitlab-ci\.yml: invalid YAML at line/) });
    expect(result.graph.node('gitlab:pipeline:acme/broken/.gitlab-ci.yml')?.attributes?.parseError).toMatch(/invalid YAML/);
    // the custom path is read from the default branch, and its reference resolves
    expect(gl.requests.some((r) => r.path === '/projects/202/repository/files/ci%2Fpipeline.yml/raw' && r.query.includes('ref=trunk'))).toBe(true);
    expect(result.graph.out('gitlab:pipeline:acme/custom-path/ci/pipeline.yml', 'USES_SECRET').map((e) => e.to)).toEqual(['gitlab:ci-variable:acme/custom-path/UNUSED_SECRET@*']);
    expect(gl.requests.some((r) => r.path.startsWith('/projects/203/repository/'))).toBe(false);
    const flagged = result.findings.filter((f) => f.ruleId === 'ci-secret-unreferenced').map((f) => f.nodeId).sort();
    expect(flagged).toEqual(['gitlab:ci-variable:acme/empty/UNUSED_SECRET@*']);
    // a pipeline file that does not parse is an unread source (exit 3), not a clean pass; nothing else is missing
    expect(result.coverage).toEqual([
      expect.objectContaining({ source: 'file:acme/broken/.gitlab-ci.yml', scope: 'acme/broken', reason: 'invalid-input', incomplete: true, message: expect.stringMatching(/^acme\/broken: \.gitlab-ci\.yml is not valid YAML \(invalid YAML at line/) }),
    ]);
    expect(result.incomplete).toBe(true);
  });

  it('ciConfig: false reads no repository file and judges no variable', async () => {
    gl.resetStats();
    const result = await scanAll(gl, { ciConfig: false });
    expect(gl.requests.some((r) => r.route === 'GET /projects/:id/repository/files/:path/raw')).toBe(false);
    expect(result.findings.filter((f) => f.ruleId === 'ci-secret-unreferenced')).toEqual([]);
  });
});

describe('helpers', () => {
  it('routes are labelled without ids or queries', () => {
    expect(routeLabel('get', 'https://gitlab.example.com/api/v4/projects/acme%2Fteam%2Fapi/variables?page=2')).toBe('gitlab:GET /projects/:id/variables');
    expect(routeLabel('GET', 'https://gitlab.example.com/gitlab/api/v4/projects/7/repository/files/ci%2Fx.yml/raw?ref=main')).toBe('gitlab:GET /projects/:id/repository/files/:path/raw');
    expect(routeLabel('GET', 'https://gitlab.example.com/api/v4/groups/acme%2Fteam')).toBe('gitlab:GET /groups/:id');
  });

  it.each([
    ['seconds', '7', 1, 7000],
    ['capped at a minute', '3600', 1, 60000],
    ['an HTTP date', new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), 1, 30000],
    ['absent: exponential backoff', null, 3, 1000],
  ])('Retry-After %s', (_l, header, attempt, ms) => {
    expect(retryAfterMs(header, attempt, Date.UTC(2026, 0, 1, 0, 0, 0))).toBe(ms);
  });

  it.each([
    [null, '.gitlab-ci.yml'],
    ['', '.gitlab-ci.yml'],
    ['ci/pipeline.yml', 'ci/pipeline.yml'],
    ['/ci/pipeline.yml', 'ci/pipeline.yml'],
    ['.gitlab-ci.yml@acme/templates', undefined],
    ['https://example.com/ci.yml', undefined],
  ])('pipeline file for ci_config_path %j', (setting, file) => {
    expect(ciConfigFile(setting)).toBe(file);
  });
});
