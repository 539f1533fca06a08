/**
 * Kubernetes: who can become which service account, from the RBAC rules the kubernetes connector resolved onto each
 * service account (`attributes.effectiveRules`, each with the namespace it applies in, `*` = every namespace).
 *
 * - create pods in a namespace → every service account of it (a pod runs as any account of its namespace);
 * - get or list secrets → the accounts whose legacy token Secrets live there;
 * - impersonate serviceaccounts, or create serviceaccounts/token → the accounts of that namespace;
 * - bind or escalate on roles / clusterroles across the cluster → admin of the cluster (bind cluster-admin to itself).
 *
 * Targets are reached through hubs (`meta:hub:k8s-sa:<cluster>/<ns>`, `meta:hub:k8s-token:<cluster>/<ns>`, `*` for
 * every namespace), one edge from each holder and one from each hub to its accounts: linear in accounts plus rules,
 * never pairs. A service account bound to `*` on `*` everywhere (cluster-admin) is admin. Rules limited by
 * `resourceNames` are left out (they name objects the scan cannot tie to accounts).
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityNode } from '../model/types.js';
import { adminSinkId, type BecomeEdge, type EdgeProducer, type MethodInfo } from './types.js';
import { k8sCloudEdges } from './k8s-cloud.js';

export type K8sMethod = MethodInfo;

const REF = 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks';

export const K8S_METHODS: readonly K8sMethod[] = [
  { id: 'k8s-create-pod', platform: 'k8s', title: 'Create a pod that runs as a service account of the namespace', shape: 'reach-running-code', becomes: 'target', confidence: 'high', references: [REF], description: 'Whoever can create pods in a namespace can run a pod as any service account of it and read its token.' },
  { id: 'k8s-read-token-secret', platform: 'k8s', title: "Read a service account's legacy token Secret", shape: 'take-credentials', becomes: 'target', confidence: 'high', references: [REF], description: 'get or list on secrets returns the long-lived token of every service account whose token Secret is in the namespace.' },
  { id: 'k8s-impersonate', platform: 'k8s', title: 'Impersonate a service account', shape: 'impersonate', becomes: 'target', confidence: 'high', references: [REF], description: 'impersonate on serviceaccounts lets a request act as any service account of the namespace.' },
  { id: 'k8s-token-request', platform: 'k8s', title: 'Request a token for a service account', shape: 'take-credentials', becomes: 'target', confidence: 'high', references: [REF], description: 'create on serviceaccounts/token issues a token for any service account of the namespace.' },
  {
    id: 'k8s-irsa-assume-role',
    platform: 'k8s',
    title: "Assume an AWS role whose trust accepts the service account's token (IRSA)",
    shape: 'assume-role',
    becomes: 'target',
    confidence: 'high',
    references: ['https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html'],
    description: 'A pod running as the service account presents its projected token to sts:AssumeRoleWithWebIdentity; the role trusts an OIDC provider with a sub condition that accepts system:serviceaccount:NAMESPACE:NAME.',
  },
  {
    id: 'k8s-gke-workload-identity',
    platform: 'k8s',
    title: 'Act as the GKE workload identity principal of the service account',
    shape: 'assume-role',
    becomes: 'target',
    confidence: 'high',
    references: ['https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity'],
    description: 'On a GKE cluster with workload identity, a pod running as the service account is the principal PROJECT.svc.id.goog[NAMESPACE/NAME] and gets what its bindings grant (roles/iam.workloadIdentityUser on a Google service account: that account).',
  },
  {
    id: 'k8s-azure-workload-identity',
    platform: 'k8s',
    title: "Sign in as an Entra application whose federated credential accepts the service account's token (AKS workload identity)",
    shape: 'assume-role',
    becomes: 'target',
    confidence: 'high',
    references: ['https://learn.microsoft.com/en-us/azure/aks/workload-identity-overview'],
    description: "A pod running as the service account exchanges its projected token for the application's token; the application's federated identity credential has the cluster's issuer and the subject system:serviceaccount:NAMESPACE:NAME.",
  },
  { id: 'k8s-bind-escalate', platform: 'k8s', title: 'Bind or escalate RBAC roles across the cluster', shape: 'modify-policy', becomes: 'admin', confidence: 'high', references: [REF], description: 'bind or escalate on clusterroles (or roles in every namespace) lets a subject grant itself cluster-admin.' },
];

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  namespace?: string;
}

const has = (list: string[] | undefined, v: string) => Array.isArray(list) && (list.includes('*') || list.includes(v));

/** The namespaces (`*` = all) where the account's rules allow `verb` on `resource` of `group`. */
function namespacesAllowing(rules: readonly Rule[], group: string, resource: string, verbs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    if (r.resourceNames?.length) continue;
    if (!has(r.apiGroups, group) || !has(r.resources, resource) || !verbs.some((v) => has(r.verbs, v))) continue;
    out.add(r.namespace ?? '*');
  }
  return out.has('*') ? ['*'] : [...out];
}

/**
 * What makes a pod with a service account of the caller's choice: creating a pod, or creating (or changing the pod
 * template of) a workload controller that makes pods. A pod's service account cannot be changed once it exists.
 */
const POD_MAKERS: ReadonlyArray<{ group: string; resource: string; verbs: readonly string[] }> = [
  { group: '', resource: 'pods', verbs: ['create'] },
  { group: '', resource: 'replicationcontrollers', verbs: ['create', 'update', 'patch'] },
  ...['deployments', 'replicasets', 'statefulsets', 'daemonsets'].map((resource) => ({ group: 'apps', resource, verbs: ['create', 'update', 'patch'] })),
  ...['jobs', 'cronjobs'].map((resource) => ({ group: 'batch', resource, verbs: ['create', 'update', 'patch'] })),
];

function podMakingNamespaces(rules: readonly Rule[]): string[] {
  const out = new Set<string>();
  for (const m of POD_MAKERS) for (const ns of namespacesAllowing(rules, m.group, m.resource, m.verbs)) out.add(ns);
  return out.has('*') ? ['*'] : [...out];
}

interface Sa {
  node: IdentityNode;
  cluster: string;
  namespace: string;
  rules: Rule[];
  hasToken: boolean;
}

function serviceAccounts(graph: IdentityGraph): Sa[] {
  const out: Sa[] = [];
  for (const n of graph.nodes.values()) {
    if (n.platform !== 'k8s' || n.type !== 'service-account' || n.kind !== 'principal') continue;
    const namespace = typeof n.attributes?.namespace === 'string' ? n.attributes.namespace : undefined;
    const cluster = n.scope;
    if (!namespace || !cluster) continue;
    const rules = Array.isArray(n.attributes?.effectiveRules) ? (n.attributes!.effectiveRules as Rule[]) : [];
    const hasToken = graph.out(n.id, 'HAS_CREDENTIAL').some((e) => graph.node(e.to)?.type === 'k8s-token-secret');
    out.push({ node: n, cluster, namespace, rules, hasToken });
  }
  return out;
}

const saHub = (cluster: string, ns: string) => `meta:hub:k8s-sa:${cluster}/${ns}`;
const tokenHub = (cluster: string, ns: string) => `meta:hub:k8s-token:${cluster}/${ns}`;

function edge(from: string, to: string, method: string, dependsOn?: string): BecomeEdge {
  const e: BecomeEdge = { from, to, method, statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high' };
  if (dependsOn) e.dependsOn = dependsOn;
  return e;
}

export function k8sEdges(graph: IdentityGraph): BecomeEdge[] {
  const sas = serviceAccounts(graph);
  const out: BecomeEdge[] = [];
  const hubs = new Set<string>();
  for (const sa of sas) {
    const from = sa.node.id;
    const via = (method: string, hub: (c: string, ns: string) => string, namespaces: string[], dependsOn?: string) => {
      for (const ns of namespaces) {
        const h = hub(sa.cluster, ns);
        hubs.add(h);
        out.push(edge(from, h, method, dependsOn));
      }
    };
    via('k8s-create-pod', saHub, podMakingNamespaces(sa.rules), 'no admission policy (Pod Security, a policy engine) refusing the pod (not read by the scan)');
    via('k8s-read-token-secret', tokenHub, namespacesAllowing(sa.rules, '', 'secrets', ['get', 'list']));
    via('k8s-impersonate', saHub, namespacesAllowing(sa.rules, '', 'serviceaccounts', ['impersonate']));
    via('k8s-token-request', saHub, namespacesAllowing(sa.rules, '', 'serviceaccounts/token', ['create']));
    const bindEverywhere = ['clusterroles', 'roles'].some((res) => namespacesAllowing(sa.rules, 'rbac.authorization.k8s.io', res, ['bind', 'escalate']).includes('*'));
    if (bindEverywhere) out.push(edge(from, adminSinkId('k8s', sa.cluster), 'k8s-bind-escalate'));
  }
  // each hub's way out: the accounts of its namespace (`*`: of the cluster), the token holders for token hubs
  for (const sa of sas) {
    for (const ns of [sa.namespace, '*']) {
      const s = saHub(sa.cluster, ns);
      if (hubs.has(s)) out.push(edge(s, sa.node.id, 'k8s-create-pod')); // a hub's way out: the hop that enters it names the method
      const t = tokenHub(sa.cluster, ns);
      if (sa.hasToken && hubs.has(t)) out.push(edge(t, sa.node.id, 'k8s-read-token-secret'));
    }
  }
  return out;
}

export const k8sProducer: EdgeProducer = {
  id: 'k8s',
  edges: (ctx) => [...k8sEdges(ctx.graph), ...k8sCloudEdges(ctx.graph, serviceAccounts(ctx.graph))],
  *admins(ctx) {
    for (const n of ctx.graph.nodes.values()) {
      if (n.platform === 'k8s' && n.type === 'service-account' && n.attributes?.clusterAdmin === true) yield { id: n.id, why: `${n.name} holds * on * in every namespace (cluster-admin)` };
    }
  },
};
