/**
 * Kubernetes service accounts into AWS (IRSA), Google Cloud (GKE workload identity) and Entra ID (AKS workload
 * identity), checked against the cloud-side trust (src/paths/k8s-cloud.ts). Graphs are built through the connectors'
 * own mappings: the cluster through mapCluster, AWS roles through mapAws, GCP through mapGcpProject, Entra through
 * mapEntraTenant.
 */
import { describe, expect, it } from 'vitest';
import { mapCluster } from '../../connectors/kubernetes/map.js';
import { applicationNodeId, mapEntraTenant, type EntraTenantData } from '../../connectors/entra/map.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import { graphAnalysis } from '../../src/paths/index.js';
import { k8sCloudEdges } from '../../src/paths/k8s-cloud.js';
import { k8sProducer } from '../../src/paths/k8s.js';
import { ACCT, Estate, NOW, oidcTrust, roleId } from './codehost-fixtures.js';

const EKS = 'oidc.eks.eu-west-1.amazonaws.com/id/5C0FFEE5C0FFEE5C0FFEE5C0FFEE5C0F';
const EKS_ARN = `arn:aws:iam::${ACCT}:oidc-provider/${EKS}`;
const sa = (ns: string, name: string) => `k8s:service-account:prod/${ns}/${name}`;
const account = (ns: string, name: string, annotations: Record<string, string> = {}) => ({ kind: 'ServiceAccount', metadata: { namespace: ns, name, annotations } });
const eksTrust = (cond: Record<string, Record<string, string | string[]>>) => oidcTrust(cond, { host: EKS, provider: EKS_ARN });

function build(items: object[], extra: (x: Estate) => void = () => {}, after: (g: IdentityGraph) => void = () => {}, issuer?: string): IdentityGraph {
  const x = new Estate('acme');
  extra(x);
  const g = x.build();
  for (const r of mapCluster(items, { cluster: 'prod', source: 'file:prod.json', now: NOW, issuer })) g.add(r);
  after(g);
  return g;
}
const edges = (g: IdentityGraph) => [...k8sProducer.edges({ graph: g, now: NOW, evaluator: undefined as never })].filter((e) => e.method.startsWith('k8s-') && !e.to.startsWith('meta:hub'));

describe('Kubernetes service accounts into clouds', () => {
  it('IRSA: a role trusting the EKS issuer with the account as sub; high with the annotation, medium without, none for another account', () => {
    const g = build([account('pay', 'api', { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCT}:role/pay-api` }), account('pay', 'worker'), account('web', 'api')], (x) => {
      x.role('pay-api', eksTrust({ StringEquals: { [`${EKS}:sub`]: 'system:serviceaccount:pay:api' } }));
      x.role('pay-any', eksTrust({ StringLike: { [`${EKS}:sub`]: 'system:serviceaccount:pay:*' } }));
    });
    const e = edges(g);
    const of = (from: string) => e.filter((x) => x.from === from).map((x) => `${x.to} ${x.confidence}`).sort();
    expect(of(sa('pay', 'api'))).toEqual([`${roleId('pay-any')} medium`, `${roleId('pay-api')} high`]);
    expect(of(sa('pay', 'worker'))).toEqual([`${roleId('pay-any')} medium`]);
    expect(of(sa('web', 'api'))).toEqual([]);
    const medium = e.find((x) => x.from === sa('pay', 'worker'))!;
    expect(medium).toMatchObject({ method: 'k8s-irsa-assume-role', decision: 'allowed', statements: [{ policyId: roleId('pay-any'), kind: 'trust' }] });
    expect(medium.dependsOn).toContain(EKS.toLowerCase());
  });

  it("IRSA with the cluster's issuer known: only the trust naming that issuer is joined, with high confidence and no annotation", () => {
    const OTHER = 'oidc.eks.us-east-1.amazonaws.com/id/0THERC1USTER0000000000000000000';
    const items = [account('pay', 'api')];
    const roles = (x: Estate) => {
      x.role('this-cluster', eksTrust({ StringEquals: { [`${EKS}:sub`]: 'system:serviceaccount:pay:api' } }));
      x.role('other-cluster', oidcTrust({ StringEquals: { [`${OTHER}:sub`]: 'system:serviceaccount:pay:api' } }, { host: OTHER, provider: `arn:aws:iam::${ACCT}:oidc-provider/${OTHER}` }));
    };
    // unknown issuer: both trusts could be this cluster's
    expect(edges(build(items, roles)).map((x) => `${x.to} ${x.confidence}`).sort()).toEqual([`${roleId('other-cluster')} medium`, `${roleId('this-cluster')} medium`]);
    // known (a live scan read it, or --kube-issuer): the other cluster's trust is not this account's
    const known = edges(build(items, roles, undefined, `https://${EKS}/`));
    expect(known.map((x) => `${x.to} ${x.confidence}`)).toEqual([`${roleId('this-cluster')} high`]);
    expect(known[0].dependsOn).toBeUndefined();
  });

  it('IRSA: a trust without a sub condition, a GitHub trust and an annotation whose role does not trust the account give no hop; another condition key is conditional', () => {
    const g = build([account('pay', 'api', { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCT}:role/annotated-only` }), account('ops', 'bot')], (x) => {
      x.role('annotated-only', eksTrust({ StringEquals: { [`${EKS}:sub`]: 'system:serviceaccount:other:api' } }));
      x.role('no-sub', eksTrust({}));
      x.role('github', oidcTrust({ StringLike: { 'token.actions.githubusercontent.com:sub': 'system:serviceaccount:pay:api' } }));
      x.role('tagged', eksTrust({ StringEquals: { [`${EKS}:sub`]: 'system:serviceaccount:ops:bot', 'aws:RequestTag/team': 'ops' } }));
    });
    const e = edges(g);
    expect(e.filter((x) => x.from === sa('pay', 'api'))).toEqual([]);
    expect(e.find((x) => x.from === sa('ops', 'bot'))).toMatchObject({ to: roleId('tagged'), decision: 'conditional', confidence: 'low', unknownKeys: ['aws:RequestTag/team'] });
  });

  it('GKE: the workload principal of the account, high when the annotated Google service account is one it may use', () => {
    const GSA = 'pay-api@demo-proj.iam.gserviceaccount.com';
    const g = build([account('pay', 'api', { 'iam.gke.io/gcp-service-account': GSA }), account('pay', 'worker')], (x) =>
      x.gcpProject({
        serviceAccounts: [{ email: GSA, projectId: 'demo-proj', uniqueId: '1' }],
        saPolicies: { [GSA]: { bindings: [{ role: 'roles/iam.workloadIdentityUser', members: ['serviceAccount:demo-proj.svc.id.goog[pay/api]', 'serviceAccount:demo-proj.svc.id.goog[pay/worker]'] }] } },
      }),
    );
    const e = edges(g);
    expect(e.find((x) => x.from === sa('pay', 'api'))).toMatchObject({ to: 'gcp:gke-workload:demo-proj.svc.id.goog[pay/api]', method: 'k8s-gke-workload-identity', confidence: 'high' });
    expect(e.find((x) => x.from === sa('pay', 'worker'))).toMatchObject({ to: 'gcp:gke-workload:demo-proj.svc.id.goog[pay/worker]', confidence: 'medium' });
    // and on into the Google service account through the GCP producer
    const reach = graphAnalysis(g, NOW).paths.reachable(sa('pay', 'api')).map((r) => r.id);
    expect(reach).toContain(`gcp:service-account:${GSA}`);
  });

  it('AKS: an Entra application whose federated credential names the account; the annotation resolves the client id; a GitHub credential is not read as one', () => {
    const TENANT = '11111111-2222-3333-4444-555555555555';
    const tenant: EntraTenantData = {
      tenantId: TENANT,
      applications: [
        { id: 'a1', appId: 'c0000001-0000-4000-8000-000000000001', displayName: 'pay-api' },
        { id: 'a2', appId: 'c0000002-0000-4000-8000-000000000002', displayName: 'gh' },
      ],
      servicePrincipals: [],
      federatedCredentials: {
        a1: [{ id: 'f1', name: 'aks', issuer: 'https://eastus.oic.prod-aks.azure.com/tenant/cluster/', subject: 'system:serviceaccount:pay:api', audiences: ['api://AzureADTokenExchange'] }],
        a2: [{ id: 'f2', name: 'gh', issuer: 'https://token.actions.githubusercontent.com', subject: 'system:serviceaccount:pay:api', audiences: ['api://AzureADTokenExchange'] }],
      },
      owners: {},
      appRoleAssignments: {},
    };
    const g = build([account('pay', 'api', { 'azure.workload.identity/client-id': 'C0000001-0000-4000-8000-000000000001' })], undefined, (gr) => {
      for (const r of mapEntraTenant(tenant, { now: NOW, source: (w) => w })) gr.add(r);
    });
    const e = edges(g).filter((x) => x.from === sa('pay', 'api'));
    expect(e.map((x) => [x.to, x.method, x.confidence])).toEqual([[applicationNodeId(TENANT, 'a1'), 'k8s-azure-workload-identity', 'high']]);
  });

  it('3,000 accounts against 3,000 exact trusts and 50 namespace patterns: each gets exactly its own role and the pattern of its namespace (trusts looked up by subject and namespace)', () => {
    const items: object[] = [];
    for (let i = 0; i < 3000; i++) items.push(account(`ns${i % 50}`, `sa${i}`));
    const g = build(items, (x) => {
      for (let i = 0; i < 3000; i++) x.role(`r${i}`, eksTrust({ StringEquals: { [`${EKS}:sub`]: `system:serviceaccount:ns${i % 50}:sa${i}` } }), { admin: false });
      for (let n = 0; n < 50; n++) x.role(`ns${n}-all`, eksTrust({ StringLike: { [`${EKS}:sub`]: `system:serviceaccount:ns${n}:*` } }), { admin: false });
    });
    const accounts = [...g.nodes.values()].filter((n) => n.type === 'service-account' && n.platform === 'k8s').map((n) => ({ node: n, namespace: String(n.attributes!.namespace), cluster: 'prod' }));
    const e = k8sCloudEdges(g, accounts);
    // each account: its own role and its namespace's pattern, nothing else
    expect(e.length).toBe(6000);
    expect(new Set(e.map((x) => x.from)).size).toBe(3000);
  });
});
