import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gitlabConnector, routeLabel } from '../../connectors/gitlab/index.js';
import { render } from '../../reports/index.js';
import { Counter, runScan } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { deriveCiLinks } from '../../src/graph/derive-ci.js';
import type { GraphRecord } from '../../src/model/types.js';
import { RULES } from '../../src/rules/index.js';
import { openStore } from '../../src/store/index.js';
import { startFakeGitLab, type FakeGitLab, type FakeGitLabEstate } from '../fakes/gitlab/server.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CANARY = 'glpat-CANARYVALUEdoNotLeak1234';
const CANARY2 = 'plain-variable-value-canary-77';
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const NOW = new Date('2026-11-01T00:00:00Z');

const estate: FakeGitLabEstate = {
  groups: [
    { id: 1, path: 'acme', accessTokens: [{ id: 11, name: 'group-bot', scopes: ['api'], createdAt: '2024-01-01T00:00:00Z', expiresAt: null, lastUsedAt: '2026-10-01T00:00:00Z', userId: 501 }], deployTokens: [], variables: [{ key: 'SHARED_TOKEN', value: CANARY, masked: true }] },
    { id: 2, path: 'acme/team', accessTokens: [], deployTokens: [{ id: 21, name: 'registry-pull', scopes: ['read_registry'], expiresAt: null }], variables: [] },
  ],
  projects: [
    {
      id: 101,
      path: 'acme/team/api',
      visibility: 'private',
      accessTokens: [{ id: 31, name: 'release', scopes: ['write_repository'], createdAt: '2025-01-01T00:00:00Z', expiresAt: '2026-12-31', lastUsedAt: null, userId: 502 }],
      deployTokens: [],
      deployKeys: [{ id: 41, title: 'ci-push', createdAt: '2024-03-01T00:00:00Z', canPush: true }],
      variables: [
        { key: 'DEPLOY_TOKEN', value: CANARY2, protected: true, environmentScope: 'production' },
        { key: 'OLD_API_KEY', value: 'old-value-canary' },
      ],
      ciConfig: 'variables:\n  LOCAL: x\ndeploy:\n  script:\n    - curl -H "Authorization: $DEPLOY_TOKEN" "$CI_API_V4_URL"\n    - echo ${SHARED_TOKEN} $LOCAL\n',
    },
    { id: 102, path: 'acme/web', visibility: 'public', accessTokens: [], deployTokens: [], deployKeys: [], variables: [], ciConfig: undefined },
    { id: 103, path: 'acme/docs', visibility: 'internal', accessTokens: [], deployTokens: [], deployKeys: [], variables: [], ciConfig: 'pages:\n  script: [make]\n' },
  ],
};

let fake: FakeGitLab;
const saved = process.env.GITLAB_TOKEN;
beforeAll(async () => {
  fake = await startFakeGitLab(estate, { pageSize: 1 });
});
afterAll(async () => fake.close());
beforeEach(() => {
  process.env.GITLAB_TOKEN = 'glpat-testtoken-not-real-000';
  fake.clear();
  fake.requests.length = 0;
});
afterEach(() => {
  if (saved === undefined) delete process.env.GITLAB_TOKEN;
  else process.env.GITLAB_TOKEN = saved;
});

async function scan(options: Record<string, unknown>) {
  const calls = new Counter();
  const ctx: ScanContext = { options, now: NOW, log: silent, calls, progress: () => {}, concurrency: 2 };
  await gitlabConnector.validate(ctx);
  const records: GraphRecord[] = [];
  for await (const r of gitlabConnector.scan(ctx)) records.push(r);
  const graph = IdentityGraph.from(records);
  deriveCiLinks(graph);
  return { records, graph, calls };
}

describe('gitlab connector through @gitbeaker/rest against the fake', () => {
  it('reads groups, subgroups and projects over several pages: tokens, deploy tokens and keys, variables, .gitlab-ci.yml', async () => {
    const { graph, calls } = await scan({ url: fake.url, group: 'acme' });
    const t = graph.stats().byType;
    expect(t['gitlab:group']).toBe(2);
    expect(t['gitlab:project']).toBe(3);
    expect(fake.requests.filter((r) => r.route === 'GET /groups/:id/projects').length).toBe(3); // one project per page
    expect(graph.node('gitlab:access-token:acme/11')).toMatchObject({ credentialType: 'token', expiresAt: null, lastUsedAt: '2026-10-01T00:00:00Z', active: true });
    expect(graph.in('gitlab:access-token:acme/11', 'HAS_CREDENTIAL').map((e) => e.from)).toEqual(['gitlab:user:501']);
    expect(graph.node('gitlab:deploy-key:acme/team/api/41')?.attributes).toMatchObject({ canPush: true, project: 'acme/team/api' });
    expect(graph.node('gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@production')?.attributes).toMatchObject({ protected: true, environmentScope: 'production', level: 'project' });
    // references resolved: project variable, group variable up the path; predefined and file-defined variables skipped
    const pipeline = 'gitlab:pipeline:acme/team/api/.gitlab-ci.yml';
    expect(graph.out(pipeline, 'USES_SECRET').map((e) => e.to).sort()).toEqual(['gitlab:ci-variable:acme/SHARED_TOKEN@*', 'gitlab:ci-variable:acme/team/api/DEPLOY_TOKEN@production']);
    expect(graph.node('gitlab:project:acme/web')?.attributes?.ciConfigScanned).toBe(true); // no file: nothing referenced
    expect(calls.total).toBe(fake.requests.length);
    expect(calls.byOperation()['gitlab:GET /groups/:id/projects']).toBe(3);
    expect(graph.coverage).toEqual([]);
  });

  it('drops every CI/CD variable value at the connector boundary: not in records, the store or any report', async () => {
    const { records } = await scan({ url: fake.url, group: 'acme' });
    const text = JSON.stringify(records);
    for (const v of [CANARY, CANARY2, 'old-value-canary', 'AAAAC3NzaC1lZDI1NTE5', process.env.GITLAB_TOKEN!]) expect(text).not.toContain(v);
    const result = await runScan({ jobs: [{ connector: gitlabConnector, options: { url: fake.url, group: 'acme' } }], now: NOW, rules: RULES, log: silent });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-gl-'));
    try {
      const store = openStore(path.join(dir, 'nhi.db'));
      store.saveSnapshot(result);
      store.close();
      const bytes = readFileSync(path.join(dir, 'nhi.db')).toString('latin1');
      for (const format of ['json', 'sarif', 'terminal', 'markdown'] as const) {
        const out = render(format, result, { color: false, verbose: true });
        expect(out).not.toContain(CANARY);
        expect(out).not.toContain(CANARY2);
      }
      expect(bytes).not.toContain(CANARY);
      expect(bytes).not.toContain(CANARY2);
      // and the rules see the unreferenced variable
      expect(result.findings.some((f) => f.ruleId === 'ci-secret-unreferenced' && f.nodeId === 'gitlab:ci-variable:acme/team/api/OLD_API_KEY@*')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('429 with Retry-After, then success: nothing lost, every attempt counted', async () => {
    fake.fail('GET /projects/:id/variables', { status: 429, times: 1, retryAfter: 1 });
    const { graph, calls } = await scan({ url: fake.url, group: 'acme' });
    expect(graph.node('gitlab:ci-variable:acme/team/api/OLD_API_KEY@*')).toBeDefined();
    expect(calls.byOperation()['gitlab:GET /projects/:id/variables']).toBe(5); // 4 pages over 3 projects + 1 retry
    expect(graph.coverage).toEqual([]);
  });

  it('a 502 is retried', async () => {
    fake.fail('GET /groups/:id/descendant_groups', { status: 502, times: 1 });
    const { graph } = await scan({ url: fake.url, group: 'acme' });
    expect(graph.stats().byType['gitlab:group']).toBe(2);
  });

  it('403 on one endpoint: one coverage note, everything else reported', async () => {
    fake.fail('GET /projects/:id/access_tokens', { status: 403 });
    const { graph } = await scan({ url: fake.url, group: 'acme' });
    const note = graph.coverage.find((c) => c.source === 'gitlab:GET /projects/:id/access_tokens');
    expect(note).toMatchObject({ reason: 'permission-denied', incomplete: true });
    expect(note!.message).toMatch(/403/);
    expect(graph.node('gitlab:access-token:acme/team/api/31')).toBeUndefined();
    expect(graph.node('gitlab:deploy-key:acme/team/api/41')).toBeDefined();
  });

  it('the projects filter, and no token → CREDENTIALS', async () => {
    const { graph } = await scan({ url: fake.url, group: 'acme', projects: ['docs'] });
    expect(graph.stats().byType['gitlab:project']).toBe(1);
    delete process.env.GITLAB_TOKEN;
    await expect(scan({ url: fake.url, group: 'acme' })).rejects.toMatchObject({ code: 'CREDENTIALS' });
  });

  it('routes are labelled without ids', () => {
    expect(routeLabel('get', 'https://gitlab.example.com/api/v4/projects/acme%2Fteam%2Fapi/variables?page=2')).toBe('gitlab:GET /projects/:id/variables');
  });
});
