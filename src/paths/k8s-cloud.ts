/**
 * Kubernetes service accounts into clouds, checked against the cloud side (never the annotation alone):
 *
 * - AWS (IRSA): a role whose trust admits an OIDC provider other than GitHub's or GitLab's, with a `<issuer>:sub`
 *   condition (StringEquals / StringLike) that accepts `system:serviceaccount:NAMESPACE:NAME` → `k8s-irsa-assume-role`;
 * - Google Cloud (GKE workload identity): the principal `PROJECT.svc.id.goog[NAMESPACE/NAME]` the GCP connector mapped
 *   from a binding → `k8s-gke-workload-identity` (the GCP producer takes it on to the service accounts it may use);
 * - Entra ID (AKS workload identity): an application whose federated identity credential has a non-GitHub issuer and
 *   the subject (or a claims-matching expression on `sub`) `system:serviceaccount:NAMESPACE:NAME` →
 *   `k8s-azure-workload-identity`.
 *
 * A trust names an issuer, that is one cluster. When the scan knows the cluster's issuer (a live scan reads it from
 * `/.well-known/openid-configuration`; offline, `--kube-issuer`), only trusts of that issuer are joined, with high
 * confidence. Otherwise the scan cannot tell which cluster a trust names: an edge is `high` when the service account's
 * annotation names the same identity (eks.amazonaws.com/role-arn, azure.workload.identity/client-id), and `medium`
 * otherwise, with the issuer named in `dependsOn`. Trusts are indexed by exact subject and by the namespace their pattern fixes; a service account looks
 * up its own subject, so the cost is linear in accounts plus trusts.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityNode } from '../model/types.js';
import type { StatementRef } from '../policy/decision.js';
import { conditionEntries, isPositiveOperator, oidcIssuer, toConditions } from '../policy/trust.js';
import { compileGlob, type GlobMatcher } from '../util/glob.js';
import { actionsAllowWebIdentity, entraAppsByClientId, federatedCredentials, isCodeHostIssuer, statementsOf, trustDenies, trustRef } from './codehost.js';
import type { BecomeEdge } from './types.js';

const ANNOTATION = { aws: 'eks.amazonaws.com/role-arn', gcp: 'iam.gke.io/gcp-service-account', azure: 'azure.workload.identity/client-id' } as const;
const SUBJECT_PREFIX = 'system:serviceaccount:';

/** A trust that accepts some service-account subjects. */
interface Acceptor {
  to: string;
  method: 'k8s-irsa-assume-role' | 'k8s-azure-workload-identity';
  issuer: string;
  /** exact subjects, or glob patterns (`*`, `?`) */
  exact?: string;
  pattern?: GlobMatcher;
  statements: StatementRef[];
  unknownKeys: string[];
}

/** Exact subjects in a map; patterns by the namespace they fix (`system:serviceaccount:NS:…`), the rest together. */
class SubjectIndex {
  private readonly exact = new Map<string, Acceptor[]>();
  private readonly byNamespace = new Map<string, Acceptor[]>();
  private readonly broad: Acceptor[] = [];
  add(a: Acceptor, raw: string, literal: boolean): void {
    if (!raw.startsWith(SUBJECT_PREFIX) && !/^[*?]/.test(raw)) return; // not a service-account subject
    if (literal || !/[*?]/.test(raw)) {
      a.exact = raw;
      push(this.exact, raw, a);
      return;
    }
    a.pattern = compileGlob(raw);
    const m = /^system:serviceaccount:([^:*?]+):/.exec(raw);
    if (m) push(this.byNamespace, m[1], a);
    else this.broad.push(a);
  }
  lookup(namespace: string, subject: string): Acceptor[] {
    const out = [...(this.exact.get(subject) ?? [])];
    for (const a of [...(this.byNamespace.get(namespace) ?? []), ...this.broad]) if (a.pattern!.test(subject)) out.push(a);
    return out;
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** AWS roles trusting a non-code-host OIDC provider with a sub condition. */
function awsAcceptors(graph: IdentityGraph, index: SubjectIndex): void {
  for (const provider of graph.nodes.values()) {
    if (provider.type !== 'oidc-provider' || provider.platform !== 'aws') continue;
    const issuer = oidcIssuer(provider, provider.id);
    if (!issuer || isCodeHostIssuer(issuer)) continue;
    const subKey = `${issuer}:sub`;
    const providerArn = typeof provider.attributes?.arn === 'string' ? provider.attributes.arn : provider.externalId;
    for (const e of graph.out(provider.id, 'CAN_ASSUME')) {
      const role = graph.node(e.to);
      if (!role || !role.id.startsWith('aws:iam-role:')) continue;
      const deny = trustDenies(role, providerArn);
      if (deny.blocks) continue;
      for (const st of statementsOf(e)) {
        if (!actionsAllowWebIdentity(st.actions)) continue;
        const subs: Array<{ raw: string; literal: boolean }> = [];
        const unknown = new Set<string>(deny.keys);
        let ok = true;
        for (const c of conditionEntries(toConditions(st.conditions))) {
          const key = c.key.toLowerCase();
          if (key === `${issuer}:aud`) continue; // the pod picks its token's audience
          const base = c.operator.replace(/^(ForAnyValue|ForAllValues):/i, '').replace(/IfExists$/i, '');
          if (key !== subKey) {
            unknown.add(c.key);
            continue;
          }
          if (!/^string/i.test(base) || !isPositiveOperator(c.operator)) {
            unknown.add(c.key);
            continue;
          }
          if (subs.length) ok = false; // two sub conditions (AND): left out rather than guessed
          subs.push(...c.values.map((v) => ({ raw: v, literal: !/like/i.test(base) })));
        }
        if (!ok || subs.length === 0) continue; // no sub condition: every account of the cluster (not joined; see docs)
        const statement = trustRef(role, st);
        for (const s of subs) index.add({ to: role.id, method: 'k8s-irsa-assume-role', issuer, statements: [statement], unknownKeys: [...unknown].sort() }, s.raw, s.literal);
      }
    }
  }
}

/** Entra applications with a non-GitHub federated credential on a service-account subject. */
function entraAcceptors(graph: IdentityGraph, index: SubjectIndex): void {
  for (const { app, issuer, requirement: req, statement } of federatedCredentials(graph)) {
    if (isCodeHostIssuer(issuer)) continue;
    const subs = req.tests.filter((t) => t.claim.toLowerCase() === 'sub');
    if (subs.length !== 1) continue;
    const unknown = req.tests.filter((t) => t.claim.toLowerCase() !== 'sub').map((t) => t.claim);
    if (req.unparsed) unknown.push('claimsMatchingExpression');
    index.add({ to: app.id, method: 'k8s-azure-workload-identity', issuer, statements: [statement], unknownKeys: unknown.sort() }, subs[0].value, subs[0].op === 'eq');
  }
}

/** GKE workload identity principals by `NAMESPACE/NAME`. */
function gkeWorkloads(graph: IdentityGraph): Map<string, IdentityNode[]> {
  const out = new Map<string, IdentityNode[]>();
  for (const n of graph.nodes.values()) {
    if (n.platform !== 'gcp' || n.type !== 'gke-workload') continue;
    const ns = n.attributes?.namespace;
    const ksa = n.attributes?.kubernetesServiceAccount;
    if (typeof ns === 'string' && typeof ksa === 'string') push(out, `${ns}/${ksa}`, n);
  }
  return out;
}

export function k8sCloudEdges(graph: IdentityGraph, accounts: Iterable<{ node: IdentityNode; namespace: string; cluster: string }>): BecomeEdge[] {
  const index = new SubjectIndex();
  awsAcceptors(graph, index);
  entraAcceptors(graph, index);
  const gke = gkeWorkloads(graph);
  const apps = entraAppsByClientId(graph);
  const out: BecomeEdge[] = [];
  for (const { node, namespace, cluster } of accounts) {
    const name = node.name.slice(namespace.length + 1);
    const subject = `${SUBJECT_PREFIX}${namespace}:${name}`;
    const ann = (node.attributes?.cloudAnnotations ?? {}) as Record<string, string>;
    const named = new Set<string>();
    if (ann[ANNOTATION.aws]) named.add(`aws:iam-role:${ann[ANNOTATION.aws].trim()}`);
    if (ann[ANNOTATION.azure]) {
      const id = apps.get(ann[ANNOTATION.azure].trim().toLowerCase());
      if (id) named.add(id);
    }
    // the cluster's own issuer, when the scan read it (live) or was told (--kube-issuer): trusts of other issuers are other clusters'
    const clusterIssuer = graph.node(`k8s:cluster:${cluster}`)?.attributes?.issuer;
    const knownIssuer = typeof clusterIssuer === 'string' ? clusterIssuer : undefined;
    const seen = new Set<string>();
    for (const a of index.lookup(namespace, subject)) {
      if (knownIssuer !== undefined && a.issuer !== knownIssuer) continue;
      const key = `${a.to}\u0000${a.method}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const conditional = a.unknownKeys.length > 0;
      const confirmed = knownIssuer !== undefined || named.has(a.to);
      const e: BecomeEdge = {
        from: node.id,
        to: a.to,
        method: a.method,
        statements: a.statements,
        decision: conditional ? 'conditional' : 'allowed',
        unknownKeys: a.unknownKeys,
        confidence: conditional ? 'low' : confirmed ? 'high' : 'medium',
        via: `its token's sub ${subject}${a.exact ? '' : ' passes a pattern of the trust'}${knownIssuer !== undefined ? `; the trust names the cluster's issuer ${knownIssuer}` : confirmed ? '; the service account is annotated with this identity' : ''}`,
      };
      if (!confirmed) e.dependsOn = `the trusted issuer ${a.issuer} being this cluster's service-account issuer (not in a kubectl export)`;
      out.push(e);
    }
    // GKE: one principal per workload pool; the annotation names the Google service account it is meant for
    const gsa = ann[ANNOTATION.gcp]?.trim().toLowerCase();
    for (const w of gke.get(`${namespace}/${name}`) ?? []) {
      const confirmed = gsa !== undefined && graph.out(w.id, 'CAN_ASSUME').some((x) => x.to === `gcp:service-account:${gsa}`);
      const pool = String(w.attributes?.workloadPool ?? '');
      const e: BecomeEdge = { from: node.id, to: w.id, method: 'k8s-gke-workload-identity', statements: [], decision: 'allowed', unknownKeys: [], confidence: confirmed ? 'high' : 'medium', via: `${namespace}/${name} in the workload pool ${pool}` };
      if (!confirmed) e.dependsOn = `the cluster running in the project of the workload pool ${pool} with workload identity enabled (not in a kubectl export)`;
      out.push(e);
    }
  }
  return out;
}
