import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterName, kubernetesConnector, readClusterFile } from '../../connectors/kubernetes/index.js';
import { cloudTarget, mapCluster, sanitizeItem } from '../../connectors/kubernetes/map.js';
import { Counter, runScan } from '../../src/engine/engine.js';
import type { ScanContext } from '../../src/engine/types.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { CredentialNode, GraphRecord } from '../../src/model/types.js';
import { RULES } from '../../src/rules/index.js';
import { nhi, repoRoot, STACK_LINE } from '../e2e/run.js';
import { expectNotStoredOrRendered } from '../support/secret-leaks.js';

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'kubernetes', 'cluster.json');
const NOW = new Date('2026-11-01T00:00:00Z');
const silent = { debug: () => {}, info: () => {}, warn: () => {} };
const ctx = (options: Record<string, unknown>): ScanContext => ({ options, now: NOW, log: silent, calls: new Counter(), progress: () => {}, concurrency: 1 });

/** Every value the fixture holds in Secret data / stringData, a last-applied annotation or a pod env var (plain and base64). */
const CANARIES = ['legacy-token-value-5151', 'ca-bundle-value-6262', 'deployer-token-value-7373', 'db-password-value-8484', 'stringdata-value-9595', 'last-applied-value-1616', 'pod-env-value-2727'].map((s) => `canary-k8s-${s}`);
const ALL_FORMS = CANARIES.flatMap((c) => [c, Buffer.from(c).toString('base64'), Buffer.from(c).toString('base64').slice(0, 24)]);

async function records(options: Record<string, unknown>): Promise<GraphRecord[]> {
  await kubernetesConnector.validate(ctx(options));
  const out: GraphRecord[] = [];
  for await (const r of kubernetesConnector.scan(ctx(options))) out.push(r);
  return out;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'nhi-k8s-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('kubernetes connector: offline kubectl List', () => {
  it('the fixture really holds the values the connector must drop (the checks below are not vacuous)', () => {
    const raw = readFileSync(FIXTURE, 'utf8');
    for (const c of CANARIES) expect(raw.includes(c) || raw.includes(Buffer.from(c).toString('base64'))).toBe(true);
  });

  it('maps service accounts, legacy token secrets, RBAC (resolved per account), pods and cloud annotations', async () => {
    const recs = await records({ fromFile: FIXTURE });
    expect(recs[0]).toEqual({ type: 'target', target: { id: 'k8s:cluster:cluster', platform: 'k8s', kind: 'cluster', name: 'cluster' } });
    const g = IdentityGraph.from(recs);
    const t = g.stats().byType;
    expect(t['k8s:service-account']).toBe(12);
    expect(t['k8s:k8s-token-secret']).toBe(2); // the Opaque and dockerconfigjson Secrets are not identities
    expect(t['k8s:pod']).toBe(6);
    expect(t['k8s:cluster-role-binding']).toBe(5);
    expect(t['k8s:role-binding']).toBe(4);

    const bot = 'k8s:service-account:cluster/kube-system/legacy-admin-bot';
    const token = g.node('k8s:k8s-token-secret:cluster/kube-system/legacy-admin-bot-token') as CredentialNode;
    expect(token).toMatchObject({ kind: 'credential', credentialType: 'token', expiresAt: null, active: true, createdAt: '2021-06-15T08:00:05.000Z', attributes: { legacy: true, serviceAccount: 'legacy-admin-bot' } });
    expect(g.holderOf(token.id)?.id).toBe(bot);
    expect(g.node(bot)?.attributes).toMatchObject({ clusterAdmin: true });

    // a RoleBinding to a ClusterRole gives its rules in that namespace only; a subject without a namespace is the binding's
    const payDefault = g.node('k8s:service-account:cluster/payments/default')!;
    const rules = payDefault.attributes?.effectiveRules as Array<{ namespace: string; role: string }>;
    expect(rules.length).toBe(2);
    expect(rules.every((r) => r.namespace === 'payments' && r.role === 'ClusterRole/edit')).toBe(true);
    expect(g.entitlementsOf(payDefault.id).map((e) => e.entitlement.id)).toContain('k8s:role-binding:cluster/payments/default-edit');
    // cluster-admin to a group of people: no service account gets it
    expect(g.out('k8s:cluster-role-binding:cluster/cluster-admin', 'GRANTED').map((e) => e.to)).toEqual(['k8s:cluster-role:cluster/cluster-admin']);
    expect(g.in('k8s:cluster-role-binding:cluster/cluster-admin', 'GRANTED')).toEqual([]);

    // pods: the account they run as (default when none is named), the effective automount, projected tokens
    expect(g.out('k8s:pod:cluster/payments/nightly-batch-x1y2z', 'RUNS_AS')).toMatchObject([{ to: payDefault.id, attributes: { automountServiceAccountToken: true } }]);
    expect(g.out('k8s:pod:cluster/web/static-1', 'RUNS_AS')[0].attributes).toMatchObject({ automountServiceAccountToken: false });
    expect(g.node('k8s:pod:cluster/payments/payments-api-7d9f8-abcde')?.attributes).toMatchObject({ serviceAccount: 'payments-api', projectedToken: true, ownerKind: 'ReplicaSet' });

    // cloud annotations: edges to the ids the cloud connectors give those identities
    const fed = (ns: string, n: string) => g.out(`k8s:service-account:cluster/${ns}/${n}`, 'FEDERATES_TO').map((e) => e.to);
    expect(fed('payments', 'payments-api')).toEqual(['aws:iam-role:arn:aws:iam::123456789012:role/payments-api-irsa']);
    expect(fed('monitoring', 'prometheus')).toEqual(['gcp:service-account:prometheus@acme-prod-data.iam.gserviceaccount.com']);
    expect(fed('web', 'frontend')).toEqual(['entra:app-id:6f1b9c2e-3d4a-4b5c-8d7e-9f0a1b2c3d4e']);
    expect(g.coverage).toEqual([]);
  });

  it('--kube-cluster names the cluster; the default is the file name without extension', () => {
    expect(clusterName({ fromFile: '/x/prod-eu.json' })).toBe('prod-eu');
    expect(clusterName({ fromFile: '/x/prod-eu.json', cluster: 'eks-prod' })).toBe('eks-prod');
  });

  it('cloud annotations are checked before they become ids', () => {
    expect(cloudTarget('eks.amazonaws.com/role-arn', 'not-an-arn')).toBeUndefined();
    expect(cloudTarget('iam.gke.io/gcp-service-account', 'Deployer@P.iam.gserviceaccount.com')).toBe('gcp:service-account:deployer@p.iam.gserviceaccount.com');
    expect(cloudTarget('azure.workload.identity/client-id', 'x')).toBeUndefined();
  });

  it('sanitizeItem drops data, stringData and the last-applied annotation field by field, and keeps the rest', () => {
    const item = { kind: 'Secret', type: 'Opaque', data: { a: 'x' }, stringData: { b: 'y' }, metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' } } };
    expect(sanitizeItem(item)).toEqual({ kind: 'Secret', type: 'Opaque', metadata: { name: 's', annotations: { keep: 'me' } } });
    const items = readClusterFile(FIXTURE);
    expect(JSON.stringify(items)).not.toMatch(/canary-k8s-(legacy|deployer|db|stringdata|last-applied)/);
  });

  it('drops every secret value at the connector boundary: not in records, the store or any report', async () => {
    const recs = await records({ fromFile: FIXTURE });
    const text = JSON.stringify(recs);
    for (const v of ALL_FORMS) expect(text).not.toContain(v);
    expect(text).toContain('legacy-admin-bot-token'); // names are there

    const result = await runScan({ jobs: [{ connector: kubernetesConnector, options: { fromFile: FIXTURE } }], now: NOW, rules: RULES, log: silent });
    expect(result.findings.filter((f) => f.ruleId.startsWith('k8s-')).map((f) => `${f.ruleId} ${f.severity} ${f.nodeId}`).sort()).toEqual([
      'k8s-default-service-account-automount critical k8s:service-account:cluster/payments/default',
      'k8s-legacy-service-account-token critical k8s:k8s-token-secret:cluster/kube-system/legacy-admin-bot-token',
      'k8s-legacy-service-account-token high k8s:k8s-token-secret:cluster/ci/deployer-token',
      'k8s-service-account-cluster-admin critical k8s:service-account:cluster/kube-system/legacy-admin-bot',
      'k8s-service-account-cluster-admin high k8s:service-account:cluster/kube-system/namespace-admin-sa',
    ]);
    expectNotStoredOrRendered(result, ALL_FORMS, 'legacy-admin-bot-token');
  });

  it('items without a name or namespace are skipped with an incomplete coverage note; other kinds with an informational one', () => {
    const recs = mapCluster([{ kind: 'ServiceAccount', metadata: { name: 'x' } }, 'junk', { kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } }, { kind: 'ServiceAccount', metadata: { name: 'ok', namespace: 'n' } }], { cluster: 'c', source: 'file:c.json', now: NOW });
    const notes = recs.flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));
    expect(notes.map((n) => [n.incomplete, n.message])).toEqual([
      [true, '1 ServiceAccount item(s) without a name, namespace or required field were skipped'],
      [true, '1 item without a kind item(s) without a name, namespace or required field were skipped'],
      [false, 'kinds not read: ConfigMap'],
    ]);
    expect(IdentityGraph.from(recs).node('k8s:service-account:c/n/ok')).toBeDefined();
  });

  it('a binding to an account or role the file does not hold: no dangling edge; the binding says so, a note for the role', () => {
    const recs = mapCluster(
      [
        { kind: 'RoleBinding', metadata: { name: 'b', namespace: 'n' }, roleRef: { kind: 'Role', name: 'gone' }, subjects: [{ kind: 'ServiceAccount', name: 'ghost' }] },
      ],
      { cluster: 'c', source: 'file:c.json', now: NOW },
    );
    const g = IdentityGraph.from(recs);
    expect(g.node('k8s:role-binding:c/n/b')?.attributes).toMatchObject({ missingServiceAccounts: ['n/ghost'], roleUnresolved: true });
    expect(g.in('k8s:role-binding:c/n/b', 'GRANTED')).toEqual([]);
    expect(g.coverage).toEqual([expect.objectContaining({ reason: 'not-found', incomplete: true, message: '1 role(s) referenced by bindings are not in the file (Role/n/gone)' })]);
  });

  it.each([
    ['not JSON', '{"items": [', /not valid JSON/],
    ['an array', '[]', /expected a JSON object/],
    ['items not an array', '{"kind":"List","items":{}}', /items should be an array/],
    ['no items', '{"kind":"List"}', /no items array/],
  ])('a file that is %s is an INPUT error naming the file', async (_l, content, message) => {
    const file = path.join(tmp, `bad-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, content);
    await expect(kubernetesConnector.validate(ctx({ fromFile: file }))).rejects.toMatchObject({ code: 'INPUT', message: expect.stringMatching(message) });
  });

  it('--from-file with --kube-context or --kubeconfig: a usage error (they are for a live scan)', async () => {
    await expect(kubernetesConnector.validate(ctx({ fromFile: FIXTURE, context: 'prod' }))).rejects.toMatchObject({ code: 'USAGE', message: 'offline scan: --kube-context does not apply' });
    await expect(kubernetesConnector.validate(ctx({ fromFile: FIXTURE, kubeconfig: '/x/config' }))).rejects.toMatchObject({ code: 'USAGE', message: 'offline scan: --kubeconfig does not apply' });
  });

  it('the CLI: scan, a malformed file (exit 2, no stack), a skipped item (exit 3), nhi permissions kubernetes', async () => {
    const ok = await nhi(['scan', '--connector', 'kubernetes', '--from-file', FIXTURE, '--kube-cluster', 'prod', '--no-store', '--no-config', '--format', 'json']);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { findings: Array<{ ruleId: string; identity: { id: string } }> };
    expect(report.findings.some((f) => f.ruleId === 'k8s-service-account-cluster-admin' && f.identity.id === 'k8s:service-account:prod/kube-system/legacy-admin-bot')).toBe(true);
    for (const v of ALL_FORMS) expect(ok.stdout + ok.stderr).not.toContain(v);

    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, '{"kind": "List", "items": ');
    const r = await nhi(['scan', '--connector', 'kubernetes', '--from-file', bad, '--no-store', '--no-config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON/);
    expect(r.stderr).not.toMatch(STACK_LINE);

    const partial = path.join(tmp, 'partial.json');
    writeFileSync(partial, JSON.stringify({ kind: 'List', items: [{ kind: 'ServiceAccount', metadata: { name: 'x' } }] }));
    const p = await nhi(['scan', '--kube-cluster', 'p', '--from-file', partial, '--no-store', '--no-config', '--format', 'json']);
    expect(p.code).toBe(3);
    expect(p.stderr).not.toMatch(STACK_LINE);

    const perms = await nhi(['permissions', 'kubernetes']);
    expect(perms.code).toBe(0);
    expect(perms.stdout).toContain('kind: ClusterRole');
    expect(perms.stdout).toMatch(/resources: \["serviceaccounts", "secrets", "pods"\]\n\s+verbs: \["get", "list"\]/);
    const text = await nhi(['permissions', 'kubernetes', '--format', 'text']);
    expect(text.stdout).toContain('rbac.authorization.k8s.io/clusterrolebindings: get, list');
  });
});
