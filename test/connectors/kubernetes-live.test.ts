/**
 * The live Kubernetes scan through the real @kubernetes/client-node client against the loopback fake API server
 * (test/fakes/kubernetes/server.ts): paging, per-kind 403, 429 / 5xx retries, an expired continue token, 401 and an
 * unreachable server, kubeconfig contexts, live == offline, secret values never kept, and the CLI end to end.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubernetesConnector } from '../../connectors/kubernetes/index.js';
import { K8S_LIVE_LIMITS, operationOf, sanitizeClusterName } from '../../connectors/kubernetes/live.js';
import { Counter, runScan } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { CoverageNote, GraphRecord } from '../../src/model/types.js';
import { RULES } from '../../src/rules/index.js';
import { nhi, repoRoot, STACK_LINE } from '../e2e/run.js';
import { startFakeKube, writeKubeconfig, type FakeKube, type Resource } from '../fakes/kubernetes/server.js';
import { SYNTHETIC_SECRET_MARK, syntheticCluster } from '../fakes/kubernetes/synthetic.js';
import { expectNotStoredOrRendered } from '../support/secret-leaks.js';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'kubernetes', 'cluster.json');
const FIXTURE_ITEMS = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { items: unknown[] }).items;
const NOW = new Date('2026-11-01T00:00:00Z');
const CANARIES = ['legacy-token-value-5151', 'ca-bundle-value-6262', 'deployer-token-value-7373', 'db-password-value-8484', 'stringdata-value-9595', 'last-applied-value-1616', 'pod-env-value-2727'].map((s) => `canary-k8s-${s}`);
const ALL_FORMS = CANARIES.flatMap((c) => [c, Buffer.from(c).toString('base64'), Buffer.from(c).toString('base64').slice(0, 24)]);

interface Run {
  records: GraphRecord[];
  calls: Counter;
  debug: string[];
  notes: CoverageNote[];
  graph: IdentityGraph;
}

let tmp: string;
let fake: FakeKube;
let kubeconfig: string;
const saved = { ...K8S_LIVE_LIMITS };

function ctx(options: Record<string, unknown>, debug: string[] = [], calls = new Counter()): ScanContext {
  return { options, now: NOW, log: { debug: (m) => debug.push(m), info: () => {}, warn: () => {} }, calls, progress: () => {}, concurrency: 4 };
}

async function scan(options: Record<string, unknown>): Promise<Run> {
  const debug: string[] = [];
  const calls = new Counter();
  const c = ctx({ kubeconfig, ...options }, debug, calls);
  await kubernetesConnector.validate(ctx({ kubeconfig, ...options }));
  const records: GraphRecord[] = [];
  for await (const r of kubernetesConnector.scan(c)) records.push(r);
  const notes = records.flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));
  return { records, calls, debug, notes, graph: IdentityGraph.from(records) };
}

/** The issuer the fake serves (a live scan reads it): the offline scan is told the same with --kube-issuer. */
const FAKE_ISSUER = 'https://kubernetes.default.svc.cluster.local';

async function offline(file: string, cluster: string): Promise<GraphRecord[]> {
  const out: GraphRecord[] = [];
  for await (const r of kubernetesConnector.scan(ctx({ fromFile: file, cluster, issuer: FAKE_ISSUER }))) out.push(r);
  return out;
}

/** Records with the provenance source (file name vs API server) set aside: what must be equal. */
function comparable(records: GraphRecord[]): string[] {
  return records.map((r) => JSON.stringify(r).replace(/"source":"(file:[^"]+|api:[^"]+)"/g, '"source":"-"'));
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'nhi-k8s-live-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeEach(async () => {
  fake = await startFakeKube(FIXTURE_ITEMS);
  kubeconfig = writeKubeconfig(tmp, fake);
  Object.assign(K8S_LIVE_LIMITS, { retryDelayMs: 5 });
});
afterEach(async () => {
  Object.assign(K8S_LIVE_LIMITS, saved);
  await fake.close();
});

describe('kubernetes connector: live scan through the API server', () => {
  it('live and offline make the same records from the same objects (the fixture, and a synthetic cluster paged small)', async () => {
    const live = await scan({ cluster: 'prod' });
    const off = await offline(FIXTURE, 'prod');
    expect(live.notes).toEqual([]);
    expect(comparable(live.records)).toEqual(comparable(off));
    expect(live.graph.stats().byType['k8s:service-account']).toBe(12);
    expect(live.graph.stats().byType['k8s:k8s-token-secret']).toBe(2);

    const synth = syntheticCluster({ serviceAccounts: 180, seed: 7 });
    const file = path.join(tmp, 'synth.json');
    writeFileSync(file, JSON.stringify(synth));
    const big = await startFakeKube(synth.items);
    try {
      const cfg = writeKubeconfig(tmp, big, { file: 'synth-kubeconfig' });
      const debug: string[] = [];
      const records: GraphRecord[] = [];
      for await (const r of kubernetesConnector.scan(ctx({ kubeconfig: cfg, cluster: 'synth', pageSize: 17 }, debug))) records.push(r);
      const expected = await offline(file, 'synth');
      expect(comparable(records)).toEqual(comparable(expected));
      expect(IdentityGraph.from(records).stats().byType['k8s:service-account']).toBe(184); // 180 + a default per namespace
    } finally {
      await big.close();
    }
  });

  it('pages every kind with limit and continue: requests per kind = ceil(items / page size), each one counted once', async () => {
    const synth = syntheticCluster({ serviceAccounts: 120, seed: 3 });
    const big = await startFakeKube(synth.items);
    try {
      kubeconfig = writeKubeconfig(tmp, big, { file: 'paging-kubeconfig' });
      const r = await scan({ pageSize: 25 });
      const count = (kind: string, pred: (i: Record<string, unknown>) => boolean = () => true) => synth.items.filter((i) => i.kind === kind && pred(i)).length;
      const expected: Record<string, number> = {
        serviceaccounts: count('ServiceAccount'),
        secrets: count('Secret', (i) => i.type === 'kubernetes.io/service-account-token'),
        pods: count('Pod'),
        roles: count('Role'),
        rolebindings: count('RoleBinding'),
        clusterroles: count('ClusterRole'),
        clusterrolebindings: count('ClusterRoleBinding'),
      };
      expect(expected.serviceaccounts).toBe(123);
      for (const [resource, n] of Object.entries(expected)) {
        expect(big.countBy(resource), resource).toBe(Math.max(1, Math.ceil(n / 25)));
      }
      expect(r.calls.byOperation()['core.serviceaccounts.list']).toBe(5);
      // every HTTP request the scan sent is counted once, under its operation
      const scanRequests = big.requests.filter((q) => q.route !== 'version');
      expect(r.calls.total).toBe(scanRequests.length);
      expect(scanRequests.filter((q) => q.route !== 'openid').every((q) => q.query.limit === '25')).toBe(true);
      // and the issuer, once
      expect(r.calls.byOperation()['wellknown.openid-configuration.get']).toBe(1);
      expect(big.requests.filter((q) => q.route === 'serviceaccounts' && q.query.continue).length).toBe(4);
      // only token Secrets are asked for
      expect(big.requests.filter((q) => q.route === 'secrets').every((q) => q.query.fieldSelector === 'type=kubernetes.io/service-account-token')).toBe(true);
      expect(r.graph.stats().byType['k8s:service-account']).toBe(123);
      expect(r.graph.stats().byType['k8s:pod']).toBe(expected.pods);
      expect(r.notes).toEqual([]);
    } finally {
      await big.close();
    }
  });

  it('a 403 on secrets: a coverage note naming the permission and what is lost; every other kind is still read', async () => {
    fake.forbidden.add('secrets');
    const r = await scan({});
    expect(r.notes).toEqual([
      expect.objectContaining({ connector: 'kubernetes', source: 'core.secrets.list', scope: 'fake-cluster', reason: 'permission-denied', incomplete: true, message: expect.stringMatching(/^list secrets in all namespaces was denied \(403: secrets is forbidden.*grant get, list on secrets/), impact: expect.stringContaining('legacy service-account token Secrets are missing') }),
    ]);
    const t = r.graph.stats().byType;
    expect(t['k8s:k8s-token-secret']).toBeUndefined();
    expect(t['k8s:service-account']).toBe(12);
    expect(t['k8s:pod']).toBe(6);
    expect(t['k8s:cluster-role-binding']).toBe(5);
    expect(fake.countBy('secrets')).toBe(1); // a refusal is not retried
  });

  it('a 403 on clusterroles: the bindings to them are unresolved, with a note saying the roles are not in the cluster', async () => {
    fake.forbidden.add('clusterroles');
    const r = await scan({});
    expect(r.notes.map((n) => [n.source.replace(/^api:.*/, 'api'), n.reason])).toEqual([
      ['api', 'not-found'],
      ['rbac.clusterroles.list', 'permission-denied'],
    ]);
    expect(r.notes[0].message).toMatch(/role\(s\) referenced by bindings are not in the cluster \(ClusterRole\//);
    expect(r.notes[1].message).toMatch(/grant get, list on clusterroles in API group rbac.authorization.k8s.io/);
  });

  it('429 with Retry-After: retried after the time asked, every attempt counted; still throttled after the retries → a note', async () => {
    fake.throttle('serviceaccounts', 2, '0.05');
    const r = await scan({});
    expect(r.notes).toEqual([]);
    expect(fake.countBy('serviceaccounts')).toBe(3);
    expect(r.calls.byOperation()['core.serviceaccounts.list']).toBe(3);
    expect(r.debug.filter((d) => d.includes('core.serviceaccounts.list answered 429'))).toEqual([
      'kubernetes: core.serviceaccounts.list answered 429; retry 1 of 4 in 50 ms (Retry-After)',
      'kubernetes: core.serviceaccounts.list answered 429; retry 2 of 4 in 50 ms (Retry-After)',
    ]);
    expect(r.graph.stats().byType['k8s:service-account']).toBe(12);

    fake.requests.length = 0;
    fake.throttle('pods', 10, '0.01');
    const r2 = await scan({});
    expect(fake.countBy('pods')).toBe(5); // the first attempt and 4 retries
    expect(r2.notes).toEqual([expect.objectContaining({ source: 'core.pods.list', reason: 'throttled', incomplete: true, message: expect.stringMatching(/stayed throttled after 4 retries/) })]);
  });

  it('a 503 is retried with backoff and the list completes', async () => {
    fake.fail('rolebindings', 503, 2);
    const r = await scan({});
    expect(r.notes).toEqual([]);
    expect(fake.countBy('rolebindings')).toBe(3);
    expect(r.graph.stats().byType['k8s:role-binding']).toBe(4);
  });

  it('a body cut short and an attempt that never answers are retried; a 200 whose body is not a list is a note', async () => {
    Object.assign(K8S_LIVE_LIMITS, { requestTimeoutMs: 300 });
    fake.faults.add('pods', { kind: 'cut' }, { times: 1 });
    fake.faults.add('roles', { kind: 'hang' }, { times: 1 });
    const r = await scan({});
    expect(r.notes).toEqual([]);
    expect([...fake.faults.injected].sort((a, b) => a.route.localeCompare(b.route))).toEqual([
      { route: 'pods', kind: 'cut' },
      { route: 'roles', kind: 'hang' },
    ]);
    expect(fake.countBy('pods')).toBe(2);
    expect(fake.countBy('roles')).toBe(2);
    expect(r.calls.byOperation()['core.pods.list']).toBe(2);
    expect(r.graph.stats().byType['k8s:pod']).toBe(6);
    expect(r.graph.stats().byType['k8s:role']).toBe(1);

    fake.requests.length = 0;
    fake.faults.clear();
    fake.faults.add('serviceaccounts', { kind: 'body', body: '<html>proxy error</html>', contentType: 'application/json' }, { times: 1 });
    const r2 = await scan({});
    expect(r2.notes).toEqual([expect.objectContaining({ source: 'core.serviceaccounts.list', reason: 'error', incomplete: true, message: expect.stringMatching(/^list serviceaccounts in all namespaces failed/) })]);
    expect(r2.graph.stats().byType['k8s:service-account']).toBeUndefined();
    expect(r2.graph.stats().byType['k8s:pod']).toBe(6);
  });

  it('410 Expired on a continue token restarts that list once from the beginning; a second expiry becomes a note', async () => {
    fake.expireContinue('pods', 1);
    const r = await scan({ pageSize: 2 });
    expect(r.notes).toEqual([]);
    // 6 pods in pages of 2: page 1, page 2 → 410, then pages 1-3 again
    expect(fake.requests.filter((q) => q.route === 'pods').map((q) => [q.status, Boolean(q.query.continue)])).toEqual([
      [200, false],
      [410, true],
      [200, false],
      [200, true],
      [200, true],
    ]);
    expect(r.graph.stats().byType['k8s:pod']).toBe(6);
    expect(r.debug.some((d) => d.includes('continue token expired (410)'))).toBe(true);

    fake.requests.length = 0;
    fake.expireContinue('pods', 2);
    const r2 = await scan({ pageSize: 2 });
    expect(r2.notes).toEqual([expect.objectContaining({ source: 'core.pods.list', reason: 'unavailable', incomplete: true, message: expect.stringMatching(/continue token expired twice.*\(2 read before the failure are kept\)/) })]);
    expect(r2.graph.stats().byType['k8s:pod']).toBe(2);
  });

  it('401: validate stops with a CREDENTIALS error naming the context and the server; no stack', async () => {
    kubeconfig = writeKubeconfig(tmp, fake, { token: 'wrong-token', file: 'bad-token' });
    const err = await kubernetesConnector.validate(ctx({ kubeconfig })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NhiError', code: 'CREDENTIALS', message: `the API server of context fake (${fake.url}) refused the credentials: 401` });
    expect(fake.requests.map((q) => [q.route, q.status])).toEqual([['version', 401]]);
  });

  it('an unreachable server: a CONFIG error naming the context and the server', async () => {
    const err = await kubernetesConnector.validate(ctx({ kubeconfig, context: 'other' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFIG', message: expect.stringMatching(/^cannot reach the API server of context other \(http:\/\/127\.0\.0\.1:9\): .*ECONNREFUSED/) });
  });

  it('an unknown context: a USAGE error listing the contexts; a missing kubeconfig file: an INPUT error', async () => {
    await expect(kubernetesConnector.validate(ctx({ kubeconfig, context: 'prod' }))).rejects.toMatchObject({ code: 'USAGE', message: `--kube-context prod: no such context in ${kubeconfig} (available: fake, other)`, suggestion: expect.stringContaining('kubectl config get-contexts') });
    await expect(kubernetesConnector.validate(ctx({ kubeconfig: path.join(tmp, 'nope') }))).rejects.toMatchObject({ code: 'INPUT', message: expect.stringMatching(/file not found/) });
    const broken = path.join(tmp, 'broken');
    writeFileSync(broken, 'clusters: [: not yaml');
    await expect(kubernetesConnector.validate(ctx({ kubeconfig: broken }))).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringMatching(/^cannot read .*broken: /) });
  });

  it("the cluster name: --kube-cluster, else the context's cluster made safe for ids", async () => {
    const r = await scan({});
    expect(r.records[0]).toEqual({ type: 'target', target: { id: 'k8s:cluster:fake-cluster', platform: 'k8s', kind: 'cluster', name: 'fake-cluster' } });
    expect(r.graph.node('k8s:service-account:fake-cluster/kube-system/legacy-admin-bot')).toBeDefined();
    expect(sanitizeClusterName('arn:aws:eks:eu-west-1:123456789012:cluster/prod')).toBe('arn:aws:eks:eu-west-1:123456789012:cluster-prod');
    expect(sanitizeClusterName('gke_acme_europe-west1_prod')).toBe('gke_acme_europe-west1_prod');
    expect(sanitizeClusterName('///')).toBe('cluster');
    expect(operationOf('GET', 'https://k:6443/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?limit=500')).toBe('rbac.clusterrolebindings.list');
  });

  it('secret values served by the API server never reach the records, the store or any report', async () => {
    // not vacuous: the fake really serves the legacy token values (base64) to a token-secret list
    const raw = await (await fetch(`${fake.url}/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Fservice-account-token`, { headers: { authorization: `Bearer ${fake.token}` } })).text();
    expect(raw).toContain(Buffer.from('canary-k8s-legacy-token-value-5151').toString('base64'));
    expect(raw).toContain('canary-k8s-last-applied-value-1616');

    const r = await scan({});
    const text = JSON.stringify(r.records);
    for (const v of ALL_FORMS) expect(text).not.toContain(v);
    const result = await runScan({ jobs: [{ connector: kubernetesConnector, options: { kubeconfig } }], now: NOW, rules: RULES, log: { debug: () => {}, info: () => {}, warn: () => {} } });
    expect(result.findings.some((f) => f.ruleId === 'k8s-legacy-service-account-token')).toBe(true);
    expectNotStoredOrRendered(result, ALL_FORMS, 'legacy-admin-bot-token');

    // a synthetic cluster's token values too
    const synth = syntheticCluster({ serviceAccounts: 200, seed: 11 });
    expect(JSON.stringify(synth)).toContain(Buffer.from(`${SYNTHETIC_SECRET_MARK}-token`).toString('base64').slice(0, 24));
    const big = await startFakeKube(synth.items);
    try {
      const cfg = writeKubeconfig(tmp, big, { file: 'synth-leak' });
      const res = await runScan({ jobs: [{ connector: kubernetesConnector, options: { kubeconfig: cfg } }], now: NOW, rules: RULES, log: { debug: () => {}, info: () => {}, warn: () => {} } });
      const marks = [SYNTHETIC_SECRET_MARK, Buffer.from(SYNTHETIC_SECRET_MARK).toString('base64').slice(0, 24)];
      expectNotStoredOrRendered(res, marks, 'svc-000');
    } finally {
      await big.close();
    }
  });
});

describe('nhi scan against the fake API server (built CLI)', () => {
  it('exit 0 on a complete scan, 3 when secrets are forbidden, 2 for an unknown context or --from-file with --kube-context', async () => {
    const ok = await nhi(['scan', '--kubeconfig', kubeconfig, '--no-store', '--no-config', '--format', 'json']);
    expect(ok.stderr).not.toMatch(STACK_LINE);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { findings: Array<{ ruleId: string; identity: { id: string } }> };
    expect(report.findings.some((f) => f.ruleId === 'k8s-service-account-cluster-admin' && f.identity.id === 'k8s:service-account:fake-cluster/kube-system/legacy-admin-bot')).toBe(true);
    for (const v of ALL_FORMS) expect(ok.stdout + ok.stderr).not.toContain(v);

    fake.forbidden.add('secrets' as Resource);
    const partial = await nhi(['scan', '--connector', 'kubernetes', '--kubeconfig', kubeconfig, '--kube-cluster', 'prod', '--no-store', '--no-config', '--format', 'json']);
    expect(partial.code).toBe(3);
    expect(partial.stderr).not.toMatch(STACK_LINE);
    expect(partial.stdout + partial.stderr).toMatch(/list secrets in all namespaces was denied/);

    const unknown = await nhi(['scan', '--kubeconfig', kubeconfig, '--kube-context', 'prod', '--no-store', '--no-config']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--kube-context prod: no such context .*\(available: fake, other\)/);
    expect(unknown.stderr).not.toMatch(STACK_LINE);

    const mixed = await nhi(['scan', '--from-file', FIXTURE, '--kube-context', 'fake', '--no-store', '--no-config']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/offline scan: --kube-context does not apply/);
  });

  it("reads the cluster's service-account issuer; a 403 on it is an informational note (the scan stays complete); --kube-issuer is used as given", async () => {
    const EKS = 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789';
    const issuerOf = (records: GraphRecord[]) => records.flatMap((r) => (r.type === 'node' && r.node.id === 'k8s:cluster:c' ? [r.node.attributes?.issuer] : []))[0];
    const notesOf = (records: GraphRecord[]) => records.flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));
    for (const [served, given, expected, denied] of [
      [EKS, undefined, 'oidc.eks.eu-west-1.amazonaws.com/id/abcdef0123456789', false],
      [null, undefined, undefined, true],
      [null, EKS, 'oidc.eks.eu-west-1.amazonaws.com/id/abcdef0123456789', false],
    ] as const) {
      const fake = await startFakeKube(syntheticCluster({ serviceAccounts: 3, seed: 1 }).items, { issuer: served });
      try {
        const cfg = writeKubeconfig(tmp, fake, { file: 'issuer-kubeconfig' });
        const records: GraphRecord[] = [];
        for await (const r of kubernetesConnector.scan(ctx({ kubeconfig: cfg, cluster: 'c', ...(given ? { issuer: given } : {}) }))) records.push(r);
        expect(issuerOf(records)).toBe(expected);
        const notes = notesOf(records);
        expect(notes.map((n) => [n.source, n.reason, n.incomplete])).toEqual(denied ? [['wellknown.openid-configuration.get', 'permission-denied', false]] : []);
        // told the issuer, the scan does not ask for it
        expect(fake.countBy('openid')).toBe(given ? 0 : 1);
      } finally {
        await fake.close();
      }
    }
  });
});
