/**
 * Kubernetes: the `List` that `kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings,pods
 * -A -o json` prints (or the same items a live scan reads, live.ts) → GraphRecords. Pure: no I/O.
 *
 * Secret values never pass this boundary. `sanitizeItem` drops a Secret's `data` and `stringData` and every object's
 * `kubectl.kubernetes.io/last-applied-configuration` annotation (it holds the whole object as last applied, data
 * included) field by field as soon as an item is read; the mapping then copies only the fields it names (names,
 * namespaces, dates, types, RBAC rules, a few known annotations), never a whole object.
 *
 * Node ids: `k8s:<type>:<cluster>/<namespace>/<name>` for namespaced objects, `k8s:<type>:<cluster>/<name>` for
 * cluster-scoped ones (`cluster-role`, `cluster-role-binding`), `k8s:cluster:<cluster>` for the cluster itself.
 * Grants follow the GCP shape: service account -GRANTED(via binding)→ binding -GRANTED(via role)→ role. Each service
 * account also carries `attributes.effectiveRules`: the RBAC rules it holds, resolved through every binding that names
 * it (directly, or through the `system:serviceaccounts[:NS]` groups), with the namespace they apply in (`*` = all).
 */
import { entraAppRef } from '../../src/model/types.js';
import { normalizeIssuer } from '../../src/policy/trust.js';
import type { CoverageNote, CredentialNode, EntitlementNode, GraphRecord, IdentityEdge, PrincipalNode, Provenance, ResourceNode, ScanTarget, WorkloadNode } from '../../src/model/types.js';

/** Namespaces of the control plane: their service accounts are the platform's. */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

export const CONNECTOR_ID = 'kubernetes';

/** The annotations that tie a service account to a cloud identity. */
export const CLOUD_ANNOTATIONS = {
  aws: 'eks.amazonaws.com/role-arn',
  gcp: 'iam.gke.io/gcp-service-account',
  azure: 'azure.workload.identity/client-id',
} as const;

/** Dropped from every object: it holds the whole object as last applied (a Secret's data included). */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export const LEGACY_TOKEN_TYPE = 'kubernetes.io/service-account-token';

/** Kinds the mapping reads; any other kind in the List is counted and skipped. */
export const KINDS = ['ServiceAccount', 'Secret', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'Pod'] as const;

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** One rule a service account holds, with where it applies and the binding that gave it. */
export interface EffectiveRule extends PolicyRule {
  /** the namespace the rule applies in; `*` for a ClusterRoleBinding (every namespace and cluster-scoped objects) */
  namespace: string;
  /** binding node id */
  binding: string;
  /** `ClusterRole/cluster-admin`, `Role/ns/name` */
  role: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

/**
 * Drop secret-bearing fields from one item, in place and field by field: a Secret's `data` and `stringData`, and the
 * last-applied annotation on any object. Returns the item for chaining.
 */
export function sanitizeItem(item: unknown): unknown {
  if (!isObj(item)) return item;
  if (item.kind === 'Secret') {
    delete item.data;
    delete item.stringData;
  }
  const md = item.metadata;
  if (isObj(md) && isObj(md.annotations)) delete md.annotations[LAST_APPLIED];
  return item;
}

/** The parsed file: a List (or one object) with `items`. Throws a one-line message when it is not that shape. */
export function listItems(doc: unknown): unknown[] {
  if (!isObj(doc)) throw new Error('expected a JSON object (kubectl get ... -o json prints a List)');
  if (Array.isArray(doc.items)) return doc.items;
  if (doc.items !== undefined) throw new Error(`items should be an array, got ${doc.items === null ? 'null' : typeof doc.items}`);
  if (typeof doc.kind === 'string' && typeof doc.apiVersion === 'string' && isObj(doc.metadata)) return [doc];
  throw new Error('no items array: not the List that kubectl get ... -o json prints');
}

export interface MapOptions {
  cluster: string;
  /** provenance source, `file:cluster.json`, `api:https://10.0.0.1:6443` */
  source: string;
  now: Date;
  /** where the items came from, for notes: `file` (default) or `cluster` (a live scan) */
  input?: 'file' | 'cluster';
  /** the cluster's service-account token issuer (`https://oidc.eks.…/id/…`), when known: cloud trusts are matched to it */
  issuer?: string;
}


export function clusterScanTarget(cluster: string): ScanTarget {
  return { id: `k8s:cluster:${cluster}`, platform: 'k8s', kind: 'cluster', name: cluster };
}

export const ids = {
  cluster: (c: string) => `k8s:cluster:${c}`,
  serviceAccount: (c: string, ns: string, name: string) => `k8s:service-account:${c}/${ns}/${name}`,
  tokenSecret: (c: string, ns: string, name: string) => `k8s:k8s-token-secret:${c}/${ns}/${name}`,
  role: (c: string, ns: string, name: string) => `k8s:role:${c}/${ns}/${name}`,
  clusterRole: (c: string, name: string) => `k8s:cluster-role:${c}/${name}`,
  roleBinding: (c: string, ns: string, name: string) => `k8s:role-binding:${c}/${ns}/${name}`,
  clusterRoleBinding: (c: string, name: string) => `k8s:cluster-role-binding:${c}/${name}`,
  pod: (c: string, ns: string, name: string) => `k8s:pod:${c}/${ns}/${name}`,
};

/** The cloud identity a service-account annotation names, as the node id the cloud connector gives it. */
export function cloudTarget(key: string, value: string): string | undefined {
  const v = value.trim();
  if (key === CLOUD_ANNOTATIONS.aws) return /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(v) ? `aws:iam-role:${v}` : undefined;
  if (key === CLOUD_ANNOTATIONS.gcp) return /^[^@\s]+@[^@\s]+$/.test(v) ? `gcp:service-account:${v.toLowerCase()}` : undefined;
  if (key === CLOUD_ANNOTATIONS.azure) return /^[0-9a-f-]{36}$/i.test(v) ? entraAppRef(v) : undefined;
  return undefined;
}

function compact<T extends Obj>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function rulesOf(v: unknown): PolicyRule[] {
  if (!Array.isArray(v)) return [];
  const out: PolicyRule[] = [];
  for (const r of v) {
    if (!isObj(r)) continue;
    out.push(compact({ apiGroups: strings(r.apiGroups), resources: strings(r.resources), verbs: strings(r.verbs) ?? [], resourceNames: strings(r.resourceNames), nonResourceURLs: strings(r.nonResourceURLs) }));
  }
  return out;
}

/** `*` on `*` in every API group: what cluster-admin grants. */
export function isWildcardRule(r: PolicyRule): boolean {
  return r.verbs.includes('*') && (r.resources ?? []).includes('*') && (r.apiGroups ?? []).includes('*') && !r.resourceNames?.length;
}

/** Dates as ISO strings; anything else undefined. */
function isoDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

interface Meta {
  name: string;
  namespace?: string;
  created?: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
}

function metaOf(item: Obj): Meta | undefined {
  const md = item.metadata;
  if (!isObj(md)) return undefined;
  const name = str(md.name);
  if (!name) return undefined;
  const annotations: Record<string, string> = {};
  if (isObj(md.annotations)) for (const [k, v] of Object.entries(md.annotations)) if (typeof v === 'string' && k !== LAST_APPLIED) annotations[k] = v;
  const labels: Record<string, string> = {};
  if (isObj(md.labels)) for (const [k, v] of Object.entries(md.labels)) if (typeof v === 'string') labels[k] = v;
  return { name, namespace: str(md.namespace), created: isoDate(md.creationTimestamp), annotations, labels };
}

interface Binding {
  id: string;
  name: string;
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: Array<{ kind: string; name: string; namespace?: string }>;
}

/** The service accounts a binding subject names: `{ns, name}`, or every account (of a namespace) for the groups. */
type SubjectMatch = { ns: string; name: string } | { ns: string | '*'; name: '*' };

function subjectMatch(s: { kind: string; name: string; namespace?: string }, bindingNs: string | undefined): SubjectMatch | undefined {
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace ?? bindingNs;
    return ns ? { ns, name: s.name } : undefined;
  }
  if (s.kind === 'User') {
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(s.name);
    return m ? { ns: m[1], name: m[2] } : undefined;
  }
  if (s.kind === 'Group') {
    if (s.name === 'system:serviceaccounts') return { ns: '*', name: '*' };
    const m = /^system:serviceaccounts:([^:]+)$/.exec(s.name);
    return m ? { ns: m[1], name: '*' } : undefined;
  }
  return undefined;
}

/** Platform-defined roles: the RBAC bootstrap defaults and `system:` roles. */
function managedBy(meta: Meta): 'platform' | 'customer' {
  return meta.labels['kubernetes.io/bootstrapping'] === 'rbac-defaults' || meta.name.startsWith('system:') ? 'platform' : 'customer';
}

/**
 * Map one cluster's items (already passed through `sanitizeItem`). Items that are not objects or lack a name are
 * skipped with one coverage note per kind (incomplete: data is missing).
 */
export function mapCluster(items: unknown[], opts: MapOptions): GraphRecord[] {
  const c = opts.cluster;
  const observedAt = opts.now.toISOString();
  const prov: Provenance = { connector: CONNECTOR_ID, source: opts.source, observedAt };
  const out: GraphRecord[] = [];
  const node = (n: GraphRecord & { type: 'node' }) => out.push(n);
  const edge = (type: string, from: string, to: string, attributes?: Obj) => out.push({ type: 'edge', edge: compact({ type, from, to, attributes, provenance: [prov] }) as IdentityEdge });

  const skipped = new Map<string, number>();
  const otherKinds = new Map<string, number>();
  const byKind = new Map<string, Array<{ item: Obj; meta: Meta }>>();
  for (const raw of items) {
    sanitizeItem(raw);
    const kind = isObj(raw) && typeof raw.kind === 'string' ? raw.kind : undefined;
    if (kind && !(KINDS as readonly string[]).includes(kind)) {
      otherKinds.set(kind, (otherKinds.get(kind) ?? 0) + 1);
      continue;
    }
    const meta = isObj(raw) ? metaOf(raw) : undefined;
    const namespaced = kind !== 'ClusterRole' && kind !== 'ClusterRoleBinding';
    if (!kind || !meta || (namespaced && !meta.namespace)) {
      const k = kind ?? 'item without a kind';
      skipped.set(k, (skipped.get(k) ?? 0) + 1);
      continue;
    }
    const list = byKind.get(kind) ?? [];
    list.push({ item: raw as Obj, meta });
    byKind.set(kind, list);
  }
  const of = (k: string) => byKind.get(k) ?? [];

  node({ type: 'node', node: { id: ids.cluster(c), kind: 'resource', platform: 'k8s', type: 'cluster', name: c, scope: c, attributes: { inScan: true, ...(opts.issuer ? { issuer: normalizeIssuer(opts.issuer) } : {}) }, provenance: [prov] } satisfies ResourceNode });

  // roles and cluster roles: policy-like nodes with their rules
  const roleRules = new Map<string, PolicyRule[]>();
  for (const { item, meta } of of('ClusterRole')) {
    const id = ids.clusterRole(c, meta.name);
    const rules = rulesOf(item.rules);
    roleRules.set(id, rules);
    node({ type: 'node', node: { id, kind: 'entitlement', platform: 'k8s', type: 'cluster-role', name: meta.name, scope: c, entitlementType: 'k8s-cluster-role', managedBy: managedBy(meta), document: compact({ rules, aggregated: isObj(item.aggregationRule) ? true : undefined }), provenance: [prov] } satisfies EntitlementNode });
  }
  for (const { item, meta } of of('Role')) {
    const id = ids.role(c, meta.namespace!, meta.name);
    const rules = rulesOf(item.rules);
    roleRules.set(id, rules);
    node({ type: 'node', node: { id, kind: 'entitlement', platform: 'k8s', type: 'role', name: `${meta.namespace}/${meta.name}`, scope: c, entitlementType: 'k8s-role', managedBy: managedBy(meta), document: { rules }, attributes: { namespace: meta.namespace }, provenance: [prov] } satisfies EntitlementNode });
  }

  // service accounts
  interface Sa {
    id: string;
    ns: string;
    name: string;
    automount?: boolean;
    rules: EffectiveRule[];
    attributes: Obj;
    node: PrincipalNode;
  }
  const sas = new Map<string, Sa>();
  for (const { item, meta } of of('ServiceAccount')) {
    const ns = meta.namespace!;
    const id = ids.serviceAccount(c, ns, meta.name);
    const automount = typeof item.automountServiceAccountToken === 'boolean' ? item.automountServiceAccountToken : undefined;
    const cloud: Record<string, string> = {};
    for (const key of Object.values(CLOUD_ANNOTATIONS)) if (meta.annotations[key]) cloud[key] = meta.annotations[key];
    const secretsListed = Array.isArray(item.secrets) ? item.secrets.filter(isObj).map((s) => str(s.name)).filter((s): s is string => Boolean(s)) : [];
    const attributes: Obj = compact({ namespace: ns, isDefault: meta.name === 'default' || undefined, automountServiceAccountToken: automount, cloudAnnotations: Object.keys(cloud).length ? cloud : undefined, secrets: secretsListed.length ? secretsListed : undefined });
    // the control plane's own accounts and each namespace's automatic `default` belong to the platform (no owner
    // expected); labels are the service account's tags (an `owner` or `team` label names its owner)
    const system = SYSTEM_NAMESPACES.has(ns) || meta.name === 'default';
    const n: PrincipalNode = { id, kind: 'principal', platform: 'k8s', type: 'service-account', name: `${ns}/${meta.name}`, externalId: `system:serviceaccount:${ns}:${meta.name}`, scope: c, accountType: system ? 'system' : 'service', createdAt: meta.created, attributes, provenance: [prov] };
    if (Object.keys(meta.labels).length) n.tags = { ...meta.labels };
    if (!meta.created) delete n.createdAt;
    sas.set(id, { id, ns, name: meta.name, automount, rules: [], attributes, node: n });
    for (const [key, value] of Object.entries(cloud)) {
      const to = cloudTarget(key, value);
      if (to) edge('FEDERATES_TO', id, to, { annotation: key, subject: `system:serviceaccount:${ns}:${meta.name}` });
    }
  }

  // bindings: SA -GRANTED(binding)→ binding -GRANTED(role)→ role; rules resolved per SA
  const bindings: Binding[] = [];
  const readBinding = (item: Obj, meta: Meta, cluster: boolean): Binding | undefined => {
    const ref = isObj(item.roleRef) ? item.roleRef : undefined;
    const kind = str(ref?.kind);
    const name = str(ref?.name);
    if (!kind || !name) return undefined;
    const subjects = Array.isArray(item.subjects)
      ? item.subjects.filter(isObj).flatMap((s) => {
          const k = str(s.kind);
          const n = str(s.name);
          return k && n ? [compact({ kind: k, name: n, namespace: str(s.namespace) })] : [];
        })
      : [];
    return { id: cluster ? ids.clusterRoleBinding(c, meta.name) : ids.roleBinding(c, meta.namespace!, meta.name), name: meta.name, namespace: cluster ? undefined : meta.namespace, roleRef: { kind, name }, subjects };
  };
  for (const [kind, cluster] of [['ClusterRoleBinding', true], ['RoleBinding', false]] as const) {
    for (const { item, meta } of of(kind)) {
      const b = readBinding(item, meta, cluster);
      if (!b) {
        skipped.set(`${kind} without a roleRef`, (skipped.get(`${kind} without a roleRef`) ?? 0) + 1);
        continue;
      }
      bindings.push(b);
    }
  }
  const missingRoles = new Set<string>();
  for (const b of bindings) {
    const roleId = b.roleRef.kind === 'ClusterRole' ? ids.clusterRole(c, b.roleRef.name) : b.namespace ? ids.role(c, b.namespace, b.roleRef.name) : undefined;
    if (!roleId) continue;
    const rules = roleRules.get(roleId);
    const missingSubjects: string[] = [];
    const bindingAttributes: Obj = compact({ namespace: b.namespace, roleUnresolved: rules ? undefined : true });
    const roleLabel = b.roleRef.kind === 'ClusterRole' ? `ClusterRole/${b.roleRef.name}` : `Role/${b.namespace}/${b.roleRef.name}`;
    if (!rules) missingRoles.add(roleLabel);
    node({ type: 'node', node: { id: b.id, kind: 'entitlement', platform: 'k8s', type: b.namespace ? 'role-binding' : 'cluster-role-binding', name: b.namespace ? `${b.namespace}/${b.name}` : b.name, scope: c, entitlementType: b.namespace ? 'k8s-role-binding' : 'k8s-cluster-role-binding', managedBy: 'customer', document: compact({ roleRef: b.roleRef, namespace: b.namespace, subjects: b.subjects }), attributes: bindingAttributes, provenance: [prov] } satisfies EntitlementNode });
    edge('GRANTED', b.id, roleId, { via: 'role' });
    const where = b.namespace ?? '*';
    for (const s of b.subjects) {
      const m = subjectMatch(s, b.namespace);
      if (!m) continue;
      const targets = m.name === '*' ? [...sas.values()].filter((sa) => m.ns === '*' || sa.ns === m.ns) : [sas.get(ids.serviceAccount(c, m.ns, m.name))].filter((x): x is Sa => Boolean(x));
      if (m.name !== '*' && targets.length === 0) {
        // a binding to an account the file does not hold (deleted, or not created yet: whoever creates it gets the rights)
        missingSubjects.push(`${m.ns}/${m.name}`);
        continue;
      }
      for (const sa of targets) {
        edge('GRANTED', sa.id, b.id, compact({ via: 'binding', subject: s.kind, group: s.kind === 'Group' ? s.name : undefined }));
        for (const r of rules ?? []) sa.rules.push({ ...r, namespace: where, binding: b.id, role: roleLabel });
      }
    }
    if (missingSubjects.length) bindingAttributes.missingServiceAccounts = missingSubjects;
  }
  for (const sa of sas.values()) {
    if (sa.rules.length) sa.attributes.effectiveRules = sa.rules;
    sa.attributes.clusterAdmin = sa.rules.some((r) => r.namespace === '*' && isWildcardRule(r)) || undefined;
    compact(sa.attributes);
    node({ type: 'node', node: sa.node });
  }

  // token secrets (legacy, long-lived): only `kubernetes.io/service-account-token`; other secrets are not identities
  for (const { item, meta } of of('Secret')) {
    const type = str(item.type);
    if (type !== LEGACY_TOKEN_TYPE) continue;
    const ns = meta.namespace!;
    const saName = meta.annotations['kubernetes.io/service-account.name'];
    const id = ids.tokenSecret(c, ns, meta.name);
    const holder = saName ? ids.serviceAccount(c, ns, saName) : undefined;
    const cred: CredentialNode = { id, kind: 'credential', platform: 'k8s', type: 'k8s-token-secret', name: `${ns}/${meta.name}`, scope: c, credentialType: 'token', createdAt: meta.created, expiresAt: null, active: true, attributes: compact({ namespace: ns, secretType: type, legacy: true, serviceAccount: saName }), provenance: [prov] };
    if (!meta.created) delete cred.createdAt;
    node({ type: 'node', node: cred });
    if (holder) edge('HAS_CREDENTIAL', holder, id);
  }

  // pods: the account each runs as, whether its token is mounted, projected tokens
  for (const { item, meta } of of('Pod')) {
    const ns = meta.namespace!;
    const spec = isObj(item.spec) ? item.spec : {};
    const saName = str(spec.serviceAccountName) ?? str(spec.serviceAccount) ?? 'default';
    const saId = ids.serviceAccount(c, ns, saName);
    const podAutomount = typeof spec.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken : undefined;
    const saAutomount = sas.get(saId)?.automount;
    const automount = podAutomount ?? saAutomount ?? true;
    const volumes = Array.isArray(spec.volumes) ? spec.volumes.filter(isObj) : [];
    const projected = volumes.some((v) => isObj(v.projected) && Array.isArray(v.projected.sources) && v.projected.sources.some((s) => isObj(s) && isObj(s.serviceAccountToken)));
    const owner = isObj(item.metadata) && Array.isArray(item.metadata.ownerReferences) ? item.metadata.ownerReferences.filter(isObj)[0] : undefined;
    const id = ids.pod(c, ns, meta.name);
    node({ type: 'node', node: { id, kind: 'workload', platform: 'k8s', type: 'pod', name: `${ns}/${meta.name}`, scope: c, attributes: compact({ namespace: ns, serviceAccount: saName, automountServiceAccountToken: automount, projectedToken: projected || undefined, ownerKind: str(owner?.kind), ownerName: str(owner?.name) }), provenance: [prov] } satisfies WorkloadNode });
    edge('RUNS_AS', id, saId, compact({ automountServiceAccountToken: automount, projectedToken: projected || undefined }));
  }

  const cov = (message: string, impact: string, incomplete: boolean, reason: CoverageNote['reason'] = 'invalid-input'): GraphRecord => ({ type: 'coverage', coverage: { connector: CONNECTOR_ID, source: opts.source, scope: c, reason, message, impact, incomplete } });
  for (const [k, n] of skipped) out.push(cov(`${n} ${k} item(s) without a name, namespace or required field were skipped`, 'those objects are not in the graph', true));
  if (missingRoles.size) out.push(cov(`${missingRoles.size} role(s) referenced by bindings are not in the ${opts.input ?? 'file'} (${[...missingRoles].slice(0, 3).join(', ')}${missingRoles.size > 3 ? ', …' : ''})`, 'the rights those bindings give are unknown', true, 'not-found'));
  if (otherKinds.size) out.push(cov(`kinds not read: ${[...otherKinds.keys()].sort().join(', ')}`, 'none: only service accounts, token secrets, RBAC and pods are identity data', false, 'unsupported'));
  return out;
}
