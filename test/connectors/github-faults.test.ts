/**
 * Transport faults through the real @octokit/rest client against the loopback fake: bodies cut mid-way, complete 2xx
 * bodies of the wrong shape, requests never answered, the scan deadline. A scan either has all the data or says
 * (an incomplete coverage note) what it lacks; it never ends "complete" with data missing, and never hangs.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { githubConnector, orgTarget, shapeProblem } from '../../connectors/github/index.js';
import { Counter, runScan } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import { RULES } from '../../src/rules/index.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/server.js';
import { makeSyntheticOrg } from '../fakes/github/synthetic.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const NOW = new Date('2026-11-01T00:00:00Z');
/** fast retries: the fault tests are about outcomes, not waiting */
const FAST = { retryDelayMs: 5 };

async function scan(options: Record<string, unknown>, extra: Partial<ScanContext> = {}) {
  const calls = new Counter();
  const steps: string[] = [];
  const ctx: ScanContext = { options, now: NOW, log: silent, calls, progress: (m) => steps.push(m), concurrency: 4, ...extra };
  await githubConnector.validate(ctx);
  const records: GraphRecord[] = [];
  for await (const r of githubConnector.scan({ ...ctx, options: githubConnector.describe().options.parse(options) as Record<string, unknown> })) records.push(r);
  return { records, graph: IdentityGraph.from(records), calls, steps };
}

const facts = (g: IdentityGraph) => [...[...g.nodes.keys()].map((id) => `node ${id}`), ...g.edges.map((e) => `edge ${e.type} ${e.from} ${e.to}`)].sort();

let fake: FakeGitHub;
let baseline: string[];
const saved = process.env.GITHUB_TOKEN;
beforeAll(async () => {
  process.env.GITHUB_TOKEN = 'ghp_FAKETOKENFORTESTS00000000000000000000';
  fake = await startFakeGitHub(makeSyntheticOrg({ repos: 8, seed: 11 }), { pageSize: 3 });
  baseline = facts((await scan({ org: 'acme', url: fake.url })).graph);
});
afterAll(async () => {
  await fake.close();
  if (saved === undefined) delete process.env.GITHUB_TOKEN;
  else process.env.GITHUB_TOKEN = saved;
});
beforeEach(() => {
  process.env.GITHUB_TOKEN = 'ghp_FAKETOKENFORTESTS00000000000000000000';
  fake.clear();
  fake.requests.length = 0;
});
afterEach(() => fake.clear());

describe('github: responses cut mid-body or of the wrong shape', () => {
  it('a body cut mid-way is retried and nothing is lost; every attempt is counted', async () => {
    fake.fault('GET /orgs/{org}/repos', { kind: 'cut' }, { nth: [1] });
    fake.fault('GET /repos/{owner}/{repo}/keys', { kind: 'cut', keep: 3 }, { nth: [2, 5] });
    const { graph, calls } = await scan({ org: 'acme', url: fake.url, ...FAST });
    expect(fake.injected).toHaveLength(3);
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
    expect(facts(graph)).toEqual(baseline);
    expect(calls.total).toBe(fake.requests.length);
  });

  it('a body cut on every attempt is an incomplete note naming the endpoint, never an empty list', async () => {
    fake.fault('GET /repos/{owner}/{repo}/keys', { kind: 'cut' });
    const { graph, calls } = await scan({ org: 'acme', url: fake.url, maxAttempts: 2, ...FAST });
    const note = graph.coverage.find((c) => c.source === 'github:GET /repos/{owner}/{repo}/keys');
    expect(note).toMatchObject({ reason: 'error', incomplete: true, impact: expect.stringContaining('deploy keys') });
    expect(note!.message).toMatch(/cut short/);
    expect(note!.message).toContain('8 targets');
    expect(note!.message).not.toMatch(/HTTP 500/);
    expect(graph.stats().byType['github:deploy-key']).toBeUndefined();
    // everything else is there
    expect(graph.stats().byType['github:repo']).toBe(8);
    expect(calls.byOperation()['github:GET /repos/{owner}/{repo}/keys']).toBe(8 * 2);
  });

  it.each([
    ['an empty body', ''],
    ['an object where a list belongs', '{}'],
    ['JSON cut short without a dropped connection', '[{"id": 1, "title": "dep'],
    ['the wrong list key', '{"total_count": 1, "items": []}'],
  ])('%s is malformed: retried, then an incomplete note', async (_label, body) => {
    const route = body.includes('total_count') ? 'GET /repos/{owner}/{repo}/actions/secrets' : 'GET /repos/{owner}/{repo}/keys';
    fake.fault(route, { kind: 'body', body, contentType: 'application/json; charset=utf-8' });
    const { graph, calls } = await scan({ org: 'acme', url: fake.url, repos: ['service-000', 'service-001', 'service-002'], maxAttempts: 3, ...FAST });
    const note = graph.coverage.find((c) => c.source === `github:${route}`);
    expect(note).toMatchObject({ reason: 'error', incomplete: true });
    expect(note!.message).toMatch(/empty|not valid JSON|expected a list|list under "secrets"/);
    expect(calls.byOperation()[`github:${route}`]).toBe(3 * 3);
  });

  it('a malformed body that clears on the next attempt costs one retry and nothing else', async () => {
    fake.fault('GET /orgs/{org}/installations', { kind: 'body', body: '' }, { nth: [1] });
    fake.fault('GET /orgs/{org}', { kind: 'body', body: '{}' }, { nth: [1] });
    const { graph, calls } = await scan({ org: 'acme', url: fake.url, ...FAST });
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
    expect(facts(graph)).toEqual(baseline);
    expect(calls.byOperation()['github:GET /orgs/{org}/installations']).toBe(2);
  });

  it.each([1, 2, 3, 4, 5])('a tenth of all responses cut or malformed, one attempt each (seed %i): full data, or an incomplete note', async (seed) => {
    fake.fault(/^GET /, { kind: 'cut' }, { rate: 0.07, seed });
    fake.fault(/^GET /, { kind: 'body', body: '' }, { rate: 0.03, seed: seed + 100 });
    // one attempt per request: every fault that hits must surface, none may vanish into an empty list
    const outcome = await scan({ org: 'acme', url: fake.url, maxAttempts: 1, ...FAST }).catch((err: unknown) => err as Error);
    expect(fake.injected.length).toBeGreaterThan(0);
    if (outcome instanceof Error) {
      // the org itself could not be read: the source failed loudly (the engine turns that into a note)
      expect(fake.injected.map((i) => i.route)).toContain('GET /orgs/{org}');
      return;
    }
    // every endpoint that got a fault is named by a coverage note: nothing was lost quietly
    const noted = new Set(outcome.graph.coverage.map((c) => c.source));
    expect([...new Set(fake.injected.map((i) => `github:${i.route}`))].filter((src) => !noted.has(src))).toEqual([]);
    if (outcome.graph.coverage.filter((c) => c.incomplete).length === 0) expect(facts(outcome.graph)).toEqual(baseline);
  });

  it('with retries, the same 10% fault rate ends with the full data', async () => {
    fake.fault(/^GET /, { kind: 'cut' }, { rate: 0.1, seed: 42 });
    const { graph } = await scan({ org: 'acme', url: fake.url, ...FAST });
    expect(fake.injected.length).toBeGreaterThan(3);
    expect(graph.coverage.filter((c) => c.incomplete)).toEqual([]);
    expect(facts(graph)).toEqual(baseline);
  });

  it('shapes: what each endpoint must send', () => {
    expect(shapeProblem('GET /orgs/{org}/repos', [])).toBeUndefined();
    expect(shapeProblem('GET /orgs/{org}/repos', {})).toMatch(/expected a list/);
    expect(shapeProblem('GET /orgs/{org}/repos', '')).toMatch(/empty/);
    expect(shapeProblem('GET /orgs/{org}/actions/secrets', { total_count: 0, secrets: [] })).toBeUndefined();
    expect(shapeProblem('GET /orgs/{org}/actions/secrets', [])).toMatch(/object/);
    expect(shapeProblem('GET /orgs/{org}', { login: 'acme' })).toBeUndefined();
    expect(shapeProblem('GET /orgs/{org}', {})).toMatch(/login/);
    expect(shapeProblem('GET /repos/{owner}/{repo}/contents/{path}', [])).toBeUndefined();
    expect(shapeProblem('GET /repos/{owner}/{repo}/contents/{path}', '{"type": "fi')).toMatch(/not valid JSON/);
  });
});

describe('github: timeouts and the scan deadline', () => {
  it('an endpoint that never answers times out per attempt, is retried, and becomes a timeout note; the rest is kept', async () => {
    fake.fault('GET /repos/{owner}/{repo}/hooks', { kind: 'hang' });
    const t0 = Date.now();
    const { graph, calls } = await scan({ org: 'acme', url: fake.url, repos: ['service-000', 'service-001', 'service-002', 'service-003'], requestTimeoutMs: 300, maxAttempts: 2, ...FAST });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const note = graph.coverage.find((c) => c.source === 'github:GET /repos/{owner}/{repo}/hooks');
    expect(note).toMatchObject({ reason: 'timeout', incomplete: true });
    expect(note!.message).toMatch(/no complete response within 300 ms \(2 attempts\)/);
    expect(calls.byOperation()['github:GET /repos/{owner}/{repo}/hooks']).toBe(4 * 2);
    expect(graph.stats().byType['github:repo']).toBe(4);
    expect(graph.stats().byType['github:deploy-key']).toBeGreaterThan(0);
    expect(graph.node('github:webhook:acme/1')).toBeDefined(); // org hooks answered
  });

  it('a body that starts and never ends times out too', async () => {
    fake.fault('GET /orgs/{org}/installations', { kind: 'stall' });
    const { graph } = await scan({ org: 'acme', url: fake.url, repos: ['service-000'], requestTimeoutMs: 300, maxAttempts: 2, ...FAST });
    expect(graph.coverage.find((c) => c.source === 'github:GET /orgs/{org}/installations')).toMatchObject({ reason: 'timeout', incomplete: true });
    expect(graph.stats().byType['github:app-installation']).toBeUndefined();
    expect(graph.stats().byType['github:repo']).toBe(1);
  });

  it('the scan deadline aborts in-flight requests: the run ends promptly, keeps what it read and its target', async () => {
    fake.fault('GET /repos/{owner}/{repo}/hooks', { kind: 'hang' });
    const t0 = Date.now();
    const result = await runScan({ jobs: [{ connector: githubConnector, options: { org: 'acme', url: fake.url } }], now: NOW, rules: RULES, log: silent, deadlineMs: 1000 });
    const took = Date.now() - t0;
    expect(took).toBeLessThan(10_000);
    expect(took).toBeGreaterThanOrEqual(900);
    const run = result.connectors[0];
    expect(run.status).toBe('partial');
    expect(run.targets).toEqual([orgTarget(fake.url, 'acme')]);
    expect(result.incomplete).toBe(true);
    expect(result.coverage.find((c) => c.reason === 'timeout')).toMatchObject({ connector: 'github', incomplete: true });
    // org-level data read before the deadline is in the report
    expect(result.graph.node('github:app-installation:acme/11')).toBeDefined();
    expect(result.graph.node('github:actions-secret:org:acme/RELEASE_KEY')).toBeDefined();
  });

  it('ctx.signal is honoured: a cancelled scan stops its requests and throws the cancellation', async () => {
    fake.fault('GET /orgs/{org}/repos', { kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 300);
    const t0 = Date.now();
    await expect(scan({ org: 'acme', url: fake.url }, { signal: controller.signal })).rejects.toThrow(/cancelled by the test/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('github: targets, progress and secrets in URLs', () => {
  it('the target is the org on its host', async () => {
    expect(orgTarget('https://api.github.com', 'Acme')).toEqual({ id: 'github:org:github.com/acme', platform: 'github', kind: 'org', name: 'Acme' });
    expect(orgTarget('https://GHE.Example.com/api/v3', 'acme').id).toBe('github:org:ghe.example.com/acme');
    expect(orgTarget('https://ghe.example.com:443/api/v3', 'acme').id).toBe('github:org:ghe.example.com/acme');
    expect(orgTarget('https://x-token:SECRET@ghe.example.com:8443/api/v3?token=SECRET2', 'acme').id).toBe('github:org:ghe.example.com:8443/acme');
    const { records } = await scan({ org: 'acme', url: fake.url, repos: ['service-000'] });
    expect(records.filter((r) => r.type === 'target')).toEqual([{ type: 'target', target: { id: `github:org:${new URL(fake.url).host}/acme`, platform: 'github', kind: 'org', name: 'acme' } }]);
  });

  it('repository progress carries counts', async () => {
    const { steps } = await scan({ org: 'acme', url: fake.url });
    expect(steps).toContain('repositories 0/8');
    expect(steps).toContain('repositories 8/8');
    expect(steps.filter((s) => /^repositories \d+\/8$/.test(s)).length).toBeGreaterThan(2);
  });

  it('a token in a URL never reaches a coverage note or an error', async () => {
    const CANARY = 'ghp_CANARYCANARYCANARYCANARY000000000000';
    fake.fail('GET /orgs/{org}/hooks', { status: 502, message: `upstream http://proxy.example/api?access_token=${CANARY} failed` });
    const { graph } = await scan({ org: 'acme', url: fake.url, repos: ['service-000'], maxAttempts: 1 });
    const note = graph.coverage.find((c) => c.source === 'github:GET /orgs/{org}/hooks');
    expect(note?.message).toContain('http://proxy.example/api');
    expect(JSON.stringify(graph.coverage)).not.toContain(CANARY);
    // user info in the API URL: the request cannot even be made, and the error names the URL without it
    const withUser = fake.url.replace('http://', `http://x-token:${CANARY}@`);
    const err = await scan({ org: 'acme', url: withUser, maxAttempts: 1 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeDefined();
    expect(String(err!.message)).not.toContain(CANARY);
  });
});
