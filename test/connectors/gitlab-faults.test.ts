/**
 * Transport faults through the real @gitbeaker/rest client (with our request handler) against the loopback fake:
 * bodies cut mid-way, complete 2xx bodies of the wrong shape, requests never answered, the scan deadline.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gitlabConnector, groupTarget, shapeProblem } from '../../connectors/gitlab/index.js';
import { Counter, runScan } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import { RULES } from '../../src/rules/index.js';
import { startFakeGitLab, type FakeGitLab, type FakeGitLabEstate } from '../fakes/gitlab/server.js';

const TOKEN = 'test-token-not-real-000';
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const NOW = new Date('2026-11-01T00:00:00Z');
const FAST = { retryDelayMs: 5 };

const token = (id: number, userId: number) => ({ id, name: `bot-${id}`, scopes: ['read_api'], createdAt: '2025-01-01T00:00:00Z', expiresAt: null, lastUsedAt: null, userId });
const estate: FakeGitLabEstate = {
  groups: [
    { id: 1, path: 'acme', accessTokens: [token(11, 501)], deployTokens: [], variables: [{ key: 'SHARED', value: 'v1' }] },
    { id: 2, path: 'acme/team', accessTokens: [], deployTokens: [{ id: 21, name: 'registry', scopes: ['read_registry'], expiresAt: null }], variables: [] },
  ],
  projects: Array.from({ length: 6 }, (_, i) => ({
    id: 100 + i,
    path: i % 2 ? `acme/team/p${i}` : `acme/p${i}`,
    visibility: 'private' as const,
    accessTokens: [token(200 + i, 600 + i)],
    deployTokens: [],
    deployKeys: [{ id: 300 + i, title: `key-${i}`, createdAt: '2024-03-01T00:00:00Z', canPush: i % 3 === 0 }],
    variables: [
      { key: `VAR_${i}`, value: `value-${i}` },
      { key: 'DEPLOY', value: 'x', protected: true },
    ],
    ciConfig: `job:\n  script: ["echo $VAR_${i}"]\n`,
  })),
};

async function scan(options: Record<string, unknown>, extra: Partial<ScanContext> = {}) {
  const calls = new Counter();
  const steps: string[] = [];
  const ctx: ScanContext = { options, now: NOW, log: silent, calls, progress: (m) => steps.push(m), concurrency: 3, ...extra };
  await gitlabConnector.validate(ctx);
  const records: GraphRecord[] = [];
  for await (const r of gitlabConnector.scan({ ...ctx, options: gitlabConnector.describe().options.parse(options) as Record<string, unknown> })) records.push(r);
  return { records, graph: IdentityGraph.from(records), calls, steps };
}
const facts = (g: IdentityGraph) => [...[...g.nodes.keys()].map((id) => `node ${id}`), ...g.edges.map((e) => `edge ${e.type} ${e.from} ${e.to}`)].sort();

let fake: FakeGitLab;
let baseline: string[];
const saved = process.env.GITLAB_TOKEN;
beforeAll(async () => {
  process.env.GITLAB_TOKEN = TOKEN;
  fake = await startFakeGitLab(estate, { pageSize: 1, token: TOKEN });
  baseline = facts((await scan({ url: fake.url, group: 'acme' })).graph);
});
afterAll(async () => {
  await fake.close();
  if (saved === undefined) delete process.env.GITLAB_TOKEN;
  else process.env.GITLAB_TOKEN = saved;
});
beforeEach(() => {
  process.env.GITLAB_TOKEN = TOKEN;
  fake.clear();
  fake.resetStats();
});
afterEach(() => fake.clear());

describe('gitlab: responses cut mid-body or of the wrong shape', () => {
  it('a cut body is retried; nothing lost; every attempt counted', async () => {
    fake.fault('GET /projects/:id/variables', { kind: 'cut' }, { nth: [1, 4] });
    fake.fault('GET /groups/:id/projects', { kind: 'cut', keep: 2 }, { nth: [2] });
    const { graph, calls } = await scan({ url: fake.url, group: 'acme', ...FAST });
    expect(fake.injected).toHaveLength(3);
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
    expect(facts(graph)).toEqual(baseline);
    expect(calls.total).toBe(fake.requests.length);
  });

  it.each([
    ['an empty text body', '', 'text/plain; charset=utf-8', /empty/],
    ['an empty JSON body', '', 'application/json', /empty/],
    ['an object where a list belongs', '{}', 'application/json', /expected a list/],
    ['JSON cut short', '[{"key": "VAR', 'application/json', /not valid JSON/],
  ])('%s on a list endpoint: retried, then an incomplete note; never an empty list', async (_l, body, contentType, why) => {
    fake.fault('GET /projects/:id/variables', { kind: 'body', body, contentType });
    const { graph, calls } = await scan({ url: fake.url, group: 'acme', maxAttempts: 2, ...FAST });
    const note = graph.coverage.find((c) => c.source === 'gitlab:GET /projects/:id/variables');
    expect(note).toMatchObject({ reason: 'error', incomplete: true, impact: expect.stringContaining('CI/CD variables') });
    expect(note!.message).toMatch(why);
    expect(note!.message).toContain('(2 attempts)');
    expect(note!.message).toContain('6 groups/projects');
    expect(calls.byOperation()['gitlab:GET /projects/:id/variables']).toBe(6 * 2);
    expect([...graph.nodes.keys()].filter((id) => id.startsWith('gitlab:ci-variable:acme/p') || id.startsWith('gitlab:ci-variable:acme/team/p'))).toEqual([]);
    expect(graph.node('gitlab:ci-variable:acme/SHARED@*')).toBeDefined(); // group variables were fine
    expect(graph.stats().byType['gitlab:deploy-key']).toBe(6);
  });

  it.each([1, 2, 3, 4])('a tenth of all responses cut or malformed, one attempt each (seed %i): full data, or an incomplete note', async (seed) => {
    fake.fault(/^GET \/(groups|projects)\/:id\//, { kind: 'cut' }, { rate: 0.07, seed });
    fake.fault(/^GET \/(groups|projects)\/:id\//, { kind: 'body', body: '{}', contentType: 'application/json' }, { rate: 0.03, seed: seed + 50 });
    const { graph } = await scan({ url: fake.url, group: 'acme', maxAttempts: 1, ...FAST });
    expect(fake.injected.length).toBeGreaterThan(0);
    // every endpoint that got a fault is named by a coverage note: nothing was lost quietly
    const noted = new Set(graph.coverage.map((c) => c.source));
    expect([...new Set(fake.injected.map((i) => `gitlab:${i.route}`))].filter((src) => !noted.has(src))).toEqual([]);
    if (graph.coverage.filter((c) => c.incomplete).length === 0) expect(facts(graph)).toEqual(baseline);
  });

  it('with retries, the same fault rate ends with the full data', async () => {
    fake.fault(/^GET /, { kind: 'cut' }, { rate: 0.1, seed: 9 });
    const { graph } = await scan({ url: fake.url, group: 'acme', ...FAST });
    expect(fake.injected.length).toBeGreaterThan(2);
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
    expect(facts(graph)).toEqual(baseline);
  });

  it('shapes', () => {
    expect(shapeProblem('GET /projects/:id/variables', [], true)).toBeUndefined();
    expect(shapeProblem('GET /projects/:id/variables', {}, true)).toMatch(/list/);
    expect(shapeProblem('GET /projects/:id/variables', '', false)).toMatch(/empty/);
    expect(shapeProblem('GET /groups/:id', { id: 1, full_path: 'acme' }, true)).toBeUndefined();
    expect(shapeProblem('GET /groups/:id', {}, true)).toMatch(/group/);
    expect(shapeProblem('GET /projects/:id/repository/files/:path/raw', '', false)).toBeUndefined(); // an empty file is a file
  });
});

describe('gitlab: timeouts and the scan deadline', () => {
  it('an endpoint that never answers: per-attempt timeout, retried, a timeout note; the rest is kept', async () => {
    fake.fault('GET /projects/:id/deploy_keys', { kind: 'hang' });
    const t0 = Date.now();
    const { graph, calls } = await scan({ url: fake.url, group: 'acme', requestTimeoutMs: 300, maxAttempts: 2, ...FAST });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const note = graph.coverage.find((c) => c.source === 'gitlab:GET /projects/:id/deploy_keys');
    expect(note).toMatchObject({ reason: 'timeout', incomplete: true, scope: 'acme' });
    expect(note!.message).toMatch(/no complete response within 300 ms \(2 attempts\)/);
    expect(calls.byOperation()['gitlab:GET /projects/:id/deploy_keys']).toBe(6 * 2);
    expect(graph.stats().byType['gitlab:deploy-key']).toBeUndefined();
    expect(graph.stats().byType['gitlab:project']).toBe(6);
    expect(graph.stats().byType['gitlab:ci-variable']).toBeGreaterThan(6);
  });

  it('a body that stalls half-way times out the same way', async () => {
    fake.fault('GET /groups/:id/variables', { kind: 'stall' });
    const { graph } = await scan({ url: fake.url, group: 'acme', requestTimeoutMs: 300, maxAttempts: 1, ...FAST });
    expect(graph.coverage.find((c) => c.source === 'gitlab:GET /groups/:id/variables')).toMatchObject({ reason: 'timeout' });
    expect(graph.node('gitlab:ci-variable:acme/SHARED@*')).toBeUndefined();
  });

  it('the scan deadline aborts in-flight requests: ends promptly, keeps whole groups and projects read so far and the target', async () => {
    // the last two projects hang; the others finish first
    fake.fault('GET /projects/:id/deploy_keys', { kind: 'hang' }, { nth: [5, 6] });
    const t0 = Date.now();
    const result = await runScan({ jobs: [{ connector: gitlabConnector, options: { url: fake.url, group: 'acme' } }], now: NOW, rules: RULES, log: silent, deadlineMs: 1000, connectorConcurrency: 2 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const run = result.connectors[0];
    expect(run.status).toBe('partial');
    expect(run.targets).toEqual([groupTarget(fake.url, 'acme')]);
    expect(result.coverage.find((c) => c.reason === 'timeout')).toMatchObject({ connector: 'gitlab', incomplete: true });
    const projects = [...result.graph.nodes.values()].filter((n) => n.type === 'project');
    expect(projects.length).toBeGreaterThanOrEqual(2);
    expect(projects.length).toBeLessThan(6);
    // a kept project is whole: its variables and keys came with it
    for (const p of projects) expect(result.graph.node(`gitlab:deploy-key:${p.name}/${p.attributes!.projectId as number + 200}`)).toBeDefined();
  });

  it('ctx.signal is honoured: a cancelled scan stops at once', async () => {
    fake.fault('GET /groups/:id/projects', { kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 300);
    const t0 = Date.now();
    await expect(scan({ url: fake.url, group: 'acme' }, { signal: controller.signal })).rejects.toThrow(/cancelled by the test/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('gitlab: targets, progress and tokens in URLs', () => {
  it('the target is the group on its host', async () => {
    expect(groupTarget('https://gitlab.com', 'Acme/Platform')).toEqual({ id: 'gitlab:group:gitlab.com/acme/platform', platform: 'gitlab', kind: 'group', name: 'Acme/Platform' });
    expect(groupTarget('https://oauth2:glpat-SECRET@GitLab.Example.com:8443/gitlab?private_token=X', 'acme').id).toBe('gitlab:group:gitlab.example.com:8443/acme');
    const { records } = await scan({ url: fake.url, group: 'acme' });
    expect(records.filter((r) => r.type === 'target').map((r) => r.type === 'target' && r.target.id)).toEqual([`gitlab:group:${new URL(fake.url).host}/acme`]);
  });

  it('progress carries counts', async () => {
    const { steps } = await scan({ url: fake.url, group: 'acme' });
    expect(steps).toEqual(expect.arrayContaining(['groups 0/2', 'groups 2/2', 'projects 0/6', 'projects 6/6']));
  });

  it('a token in the URL or an error body never reaches a note or an error', async () => {
    const CANARY = 'glpat-CANARYCANARYCANARY0000';
    fake.fail('GET /projects/:id/deploy_keys', { status: 500 });
    const withQuery = `${fake.url}/?private_token=${CANARY}`;
    const err = await scan({ url: withQuery, group: 'nope', maxAttempts: 1 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/cannot read group nope/);
    expect(err?.message).not.toContain(CANARY);
    const withUser = fake.url.replace('http://', `http://oauth2:${CANARY}@`);
    const err2 = await scan({ url: withUser, group: 'acme', maxAttempts: 1 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err2).toBeDefined();
    expect(err2!.message).not.toContain(CANARY);
  });
});
