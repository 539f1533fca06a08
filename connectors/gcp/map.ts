/**
 * Pure mapping of Google Cloud IAM data (as gcloud prints it with --format=json, or as the APIs return it) to graph
 * records, following docs/model.md ("Google Cloud"). Used by the offline path now and by the live path later, so
 * both give the same graph for the same data.
 */
import type { CredentialNode, EntitlementNode, GraphRecord, IdentityEdge, PrincipalNode, Provenance, ResourceNode, ScanTarget } from '../../src/model/types.js';
import { ACT_AS_PERMISSIONS, IMPERSONATION_ROLES } from '../../src/policy/gcp.js';
import { compact } from '../../src/util/object.js';
import { toIso as iso } from '../../src/util/dates.js';
import { SkipLog } from '../validation.js';
import { validateGcpProject, type Locate } from './validate.js';

export const CONNECTOR_ID = 'gcp';

export interface GcpServiceAccount {
  email: string;
  name?: string;
  projectId?: string;
  uniqueId?: string;
  displayName?: string;
  description?: string;
  disabled?: boolean;
}
export interface GcpKey {
  name: string;
  keyType?: 'USER_MANAGED' | 'SYSTEM_MANAGED' | string;
  keyOrigin?: string;
  keyAlgorithm?: string;
  validAfterTime?: string;
  validBeforeTime?: string;
  disabled?: boolean;
}
export interface GcpBinding {
  role: string;
  members?: string[];
  condition?: { title?: string; expression?: string; description?: string };
}
export interface GcpPolicy {
  bindings?: GcpBinding[];
  version?: number;
  etag?: string;
}
export interface GcpRole {
  name: string;
  title?: string;
  stage?: string;
  includedPermissions?: string[];
}
export interface GcpWifPool {
  name: string;
  displayName?: string;
  disabled?: boolean;
  state?: string;
}
export interface GcpWifProvider {
  name: string;
  displayName?: string;
  disabled?: boolean;
  state?: string;
  attributeMapping?: Record<string, string>;
  attributeCondition?: string;
  oidc?: { issuerUri?: string; allowedAudiences?: string[] };
}
export interface GcpActivity {
  fullResourceName?: string;
  activity?: { lastAuthenticatedTime?: string; serviceAccount?: { serviceAccountId?: string; fullResourceName?: string }; serviceAccountKey?: { fullResourceName?: string } };
  observationPeriod?: { startTime?: string; endTime?: string };
}
export interface GcpRecommendation {
  name?: string;
  description?: string;
  recommenderSubtype?: string;
  content?: { overview?: { member?: string; removedRole?: string; addedRoles?: string[]; resource?: string } };
  stateInfo?: { state?: string };
  insights?: unknown;
}

/** A Recommender insight of type google.iam.serviceAccount.Insight ("not used in the observation period"). */
export interface GcpInsight {
  name?: string;
  insightSubtype?: string;
  content?: { email?: string; serviceAccountId?: string; lastAuthenticatedTime?: string };
  stateInfo?: { state?: string };
  /** `"7776000s"` */
  observationPeriod?: string;
  lastRefreshTime?: string;
}
export interface GcpDenyPolicy {
  name: string;
  displayName?: string;
  rules?: unknown[];
}

export interface GcpProjectData {
  projectId: string;
  projectNumber?: string;
  parent?: string;
  serviceAccounts: GcpServiceAccount[];
  keys: Record<string, GcpKey[]>;
  policy?: GcpPolicy;
  saPolicies: Record<string, GcpPolicy>;
  roles: GcpRole[];
  pools: GcpWifPool[];
  providers: GcpWifProvider[];
  saActivity?: GcpActivity[];
  keyActivity?: GcpActivity[];
  recommendations?: GcpRecommendation[];
  insights?: GcpInsight[];
  /** IAM policies of the folders and organization above the project, nearest first */
  ancestors?: Array<{ resource: string; policy?: GcpPolicy }>;
  denyPolicies?: GcpDenyPolicy[];
}

type Source = 'serviceAccounts' | 'keys' | 'policy' | 'saPolicy' | 'roles' | 'wif' | 'activity' | 'recommendations' | 'insights' | 'ancestors' | 'deny';

export interface MapOptions {
  now: Date;
  /** provenance source per kind of data, e.g. `file:service-accounts.json` or `iam.projects.serviceAccounts.list` */
  source: (what: Source) => string;
  /** description keys parsed into tags (`owner: team-a` / `owner=team-a`) */
  ownerKeys?: string[];
  /** how skipped records name their input (default: the provenance source, `file:` dropped) */
  locate?: Locate;
}

const NEVER = /^9999-/;

/** Every role bound in a project's policies: the project, its service accounts, and the folders / organization above. */
export function rolesBoundIn(d: Pick<GcpProjectData, 'policy' | 'saPolicies' | 'ancestors'>): Set<string> {
  const policies = [d.policy, ...Object.values(d.saPolicies), ...(d.ancestors ?? []).map((a) => a.policy)];
  return new Set(policies.flatMap((p) => (p?.bindings ?? []).map((b) => b.role)));
}

/** Node id of a binding member (`user:a@b`, `serviceAccount:x@p.iam.gserviceaccount.com`, `principalSet://…`). */
export function memberId(member: string): string | undefined {
  if (member === 'allUsers') return 'gcp:all-users';
  // a GKE workload (Kubernetes service account) of workload identity: serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA]
  const gke = /^serviceAccount:([^[\s]+\.svc\.id\.goog)\[([^/\]]+)\/([^\]]+)\]$/.exec(member);
  if (gke) return `gcp:gke-workload:${gke[1]}[${gke[2]}/${gke[3]}]`;
  if (member === 'allAuthenticatedUsers') return 'gcp:all-authenticated-users';
  const m = /^(deleted:)?(user|serviceAccount|group|domain):([^?]+)/.exec(member);
  if (m) {
    const kind = m[2] === 'serviceAccount' ? 'service-account' : m[2];
    return `gcp:${kind}:${m[3].toLowerCase()}`;
  }
  if (member.startsWith('principal://') || member.startsWith('principalSet://')) return `gcp:wif-principal:${member}`;
  if (/^project(Owner|Editor|Viewer):/.test(member)) return `gcp:convenience:${member}`;
  return undefined;
}

/** Owner-like tags from a description: `owner: team-a`, `team=data`, `contact: a@b`. */
export function tagsFromDescription(description: string | undefined, keys: string[]): Record<string, string> | undefined {
  if (!description) return undefined;
  const out: Record<string, string> = {};
  for (const k of keys) {
    const m = new RegExp(`(?:^|[\\s,;(\\[])${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[:=]\\s*([^\\s,;)\\]]+)`, 'i').exec(description);
    if (m) out[k] = m[1];
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Map one project. Every record is validated first (validate.ts): one that does not fit is skipped with a coverage
 * note naming it, and the rest is mapped; exports and API answers alike. Each path yields the project as its scan
 * target (projectScanTarget): the live scan as soon as it knows the project, the offline scan per export folder.
 */
export function mapGcpProject(raw: GcpProjectData, opts: MapOptions): GraphRecord[] {
  const log = new SkipLog(CONNECTOR_ID);
  const locate: Locate =
    opts.locate ??
    ((what, key) => {
      const source = opts.source(what === 'pools' ? 'wif' : what);
      const label = source.startsWith('file:') ? source.slice('file:'.length) : source;
      return { source, where: key ? `${label} ${key}` : label };
    });
  const d = validateGcpProject(raw, locate, log, raw.projectId);
  const out = mapValidProject(d, opts);
  for (const note of log.notes()) out.push({ type: 'coverage', coverage: note });
  return out;
}

/** The scan target of one project: `gcp:project:<project id>`. */
export function projectScanTarget(projectId: string): ScanTarget {
  return { id: `gcp:project:${projectId}`, platform: 'gcp', kind: 'project', name: projectId };
}

function mapValidProject(d: GcpProjectData, opts: MapOptions): GraphRecord[] {
  const out: GraphRecord[] = [];
  const observedAt = opts.now.toISOString();
  const prov = (what: Source): Provenance => ({ connector: CONNECTOR_ID, source: opts.source(what), observedAt });
  const seen = new Set<string>();
  const node = (n: GraphRecord & { type: 'node' }) => {
    seen.add(n.node.id);
    out.push(n);
  };
  const edge = (type: string, from: string, to: string, what: Source, attributes?: Record<string, unknown>) => {
    const e: IdentityEdge = { type, from, to, provenance: [prov(what)] };
    if (attributes) e.attributes = attributes;
    out.push({ type: 'edge', edge: e });
  };
  const projectId = `gcp:project:${d.projectId}`;
  node({ type: 'node', node: { id: projectId, kind: 'resource', platform: 'gcp', type: 'project', name: d.projectId, scope: d.projectId, attributes: compact({ inScan: true, projectNumber: d.projectNumber, parent: d.parent }), provenance: [prov('policy')] } satisfies ResourceNode });
  // the folder / organization chain above the project (as far as it was read)
  let below = projectId;
  const chain = d.ancestors?.length ? d.ancestors.map((a) => a.resource) : d.parent ? [d.parent] : [];
  for (const res of chain) {
    const m = /^(folders|organizations)\/(.+)$/.exec(res);
    if (!m) break;
    const type = m[1] === 'folders' ? 'folder' : 'organization';
    const id = `gcp:${type}:${m[2]}`;
    if (!seen.has(id)) node({ type: 'node', node: { id, kind: 'resource', platform: 'gcp', type, name: res, attributes: { resource: res }, provenance: [prov('ancestors')] } satisfies ResourceNode });
    edge('IN_SCOPE', below, id, 'ancestors');
    below = id;
  }

  const ensureMember = (member: string, what: Source): string | undefined => {
    const id = memberId(member);
    if (!id || seen.has(id)) return id;
    const kind = id.split(':')[1];
    const name = id.slice(`gcp:${kind}:`.length) || kind;
    const accountType = kind === 'user' ? 'human' : kind === 'service-account' || kind === 'wif-principal' || kind === 'gke-workload' ? 'service' : 'system';
    const attributes: Record<string, unknown> = { external: kind === 'service-account' ? true : undefined, deleted: member.startsWith('deleted:') || undefined };
    if (kind === 'gke-workload') {
      const m = /^(.+)\[([^/]+)\/(.+)\]$/.exec(name);
      Object.assign(attributes, { workloadPool: m?.[1], namespace: m?.[2], kubernetesServiceAccount: m?.[3], member });
    }
    if (kind === 'wif-principal') {
      const pool = /workloadIdentityPools\/([^/]+)/.exec(member)?.[1];
      const attr = /\/attribute\.([^/]+)\/(.+)$/.exec(member);
      const subject = /\/subject\/(.+)$/.exec(member);
      Object.assign(attributes, { pool, attribute: attr?.[1] ?? (subject ? 'subject' : undefined), value: attr?.[2] ?? subject?.[1], member });
    }
    const type = kind === 'all-users' ? 'all-users' : kind === 'all-authenticated-users' ? 'all-authenticated-users' : kind;
    node({ type: 'node', node: { id, kind: 'principal', platform: 'gcp', type, name: kind === 'all-users' ? 'allUsers' : kind === 'all-authenticated-users' ? 'allAuthenticatedUsers' : name, accountType, attributes: compact(attributes), provenance: [prov(what)] } satisfies PrincipalNode });
    return id;
  };

  // service accounts and their keys
  for (const sa of d.serviceAccounts) {
    const email = sa.email.toLowerCase();
    const id = `gcp:service-account:${email}`;
    const system = /@gcp-sa-[^.]+\.iam\.gserviceaccount\.com$|@cloudservices\.gserviceaccount\.com$|@cloudbuild\.gserviceaccount\.com$/.test(email);
    node({
      type: 'node',
      node: {
        id,
        kind: 'principal',
        platform: 'gcp',
        type: 'service-account',
        name: email,
        externalId: sa.uniqueId ?? email,
        scope: sa.projectId ?? d.projectId,
        accountType: system ? 'system' : 'service',
        disabled: sa.disabled === true,
        tags: tagsFromDescription(sa.description, opts.ownerKeys ?? ['owner', 'team', 'contact']),
        attributes: compact({
          uniqueId: sa.uniqueId,
          displayName: sa.displayName,
          description: sa.description,
          projectId: sa.projectId ?? d.projectId,
          defaultCompute: /^\d+-compute@developer\.gserviceaccount\.com$/.test(email) || undefined,
          defaultAppEngine: email === `${d.projectId}@appspot.gserviceaccount.com` || undefined,
        }),
        provenance: [prov('serviceAccounts')],
      } satisfies PrincipalNode,
    });
    edge('IN_SCOPE', id, projectId, 'serviceAccounts');
    for (const k of d.keys[email] ?? d.keys[sa.email] ?? []) {
      const keyId = k.name.split('/').pop()!;
      const kid = `gcp:sa-key:${email}/${keyId}`;
      node({
        type: 'node',
        node: {
          id: kid,
          kind: 'credential',
          platform: 'gcp',
          type: 'sa-key',
          name: keyId.slice(0, 12),
          externalId: keyId,
          scope: sa.projectId ?? d.projectId,
          credentialType: 'service-account-key',
          createdAt: iso(k.validAfterTime),
          lastRotatedAt: iso(k.validAfterTime),
          expiresAt: !k.validBeforeTime || NEVER.test(k.validBeforeTime) ? null : iso(k.validBeforeTime),
          active: k.disabled !== true,
          attributes: compact({ keyType: k.keyType, keyOrigin: k.keyOrigin, keyAlgorithm: k.keyAlgorithm, serviceAccount: email, platformManaged: k.keyType === 'SYSTEM_MANAGED' || undefined }),
          provenance: [prov('keys')],
        } satisfies CredentialNode,
      });
      edge('HAS_CREDENTIAL', id, kid, 'keys');
    }
  }

  // roles (definitions with permissions), then bindings
  const roleIds = new Set<string>();
  // custom roles whose permissions let a member become the service account they are granted on
  const actAsRoles = new Set(d.roles.filter((r) => !r.name.startsWith('roles/') && r.includedPermissions?.some((p) => ACT_AS_PERMISSIONS.includes(p))).map((r) => r.name));
  for (const r of d.roles) {
    const id = `gcp:role:${r.name}`;
    roleIds.add(id);
    node({ type: 'node', node: { id, kind: 'entitlement', platform: 'gcp', type: 'role', name: r.name, entitlementType: 'role', managedBy: r.name.startsWith('roles/') ? 'platform' : 'customer', document: compact({ title: r.title, stage: r.stage, includedPermissions: r.includedPermissions }), provenance: [prov('roles')] } satisfies EntitlementNode });
  }
  const recommendationFor = (resource: string, member: string, role: string) =>
    (d.recommendations ?? []).find((rec) => {
      const o = rec.content?.overview;
      if (o?.member !== member || o?.removedRole !== role) return false;
      if (!o.resource) return true;
      // Recommender names projects by number or id: //cloudresourcemanager.googleapis.com/projects/<number>
      const alt = d.projectNumber ? resource.replace(`projects/${d.projectId}`, `projects/${d.projectNumber}`) : resource;
      return o.resource.endsWith(resource) || o.resource.endsWith(alt);
    });
  const bindingsOf = (resource: string, policy: GcpPolicy | undefined, what: 'policy' | 'saPolicy' | 'ancestors', saEmail?: string) => {
    for (const b of policy?.bindings ?? []) {
      const bid = `gcp:binding:${resource}/${b.role}${b.condition?.title ? `#${b.condition.title}` : ''}`;
      const roleId = `gcp:role:${b.role}`;
      if (!roleIds.has(roleId)) {
        roleIds.add(roleId);
        node({ type: 'node', node: { id: roleId, kind: 'entitlement', platform: 'gcp', type: 'role', name: b.role, entitlementType: 'role', managedBy: b.role.startsWith('roles/') ? 'platform' : 'customer', provenance: [prov(what)] } satisfies EntitlementNode });
      }
      const inherited = what === 'ancestors';
      node({ type: 'node', node: { id: bid, kind: 'entitlement', platform: 'gcp', type: 'role-binding', name: `${b.role} on ${resource}`, entitlementType: 'role-binding', managedBy: 'customer', scope: inherited ? resource : d.projectId, document: compact({ role: b.role, resource, condition: b.condition, inherited: inherited || undefined }), provenance: [prov(what)] } satisfies EntitlementNode });
      edge('GRANTED', bid, roleId, what, { via: 'role' });
      for (const m of b.members ?? []) {
        const mid = ensureMember(m, what);
        if (!mid) continue;
        const rec = recommendationFor(resource, m, b.role);
        edge('GRANTED', mid, bid, what, compact({ via: 'binding', member: m, condition: b.condition?.expression, recommendation: rec ? recommendationSummary(rec) : undefined }));
        if (saEmail && (IMPERSONATION_ROLES.has(b.role) || actAsRoles.has(b.role))) {
          edge('CAN_ASSUME', mid, `gcp:service-account:${saEmail}`, what, compact({ role: b.role, condition: b.condition?.expression, member: m }));
        }
      }
    }
  };
  bindingsOf(`projects/${d.projectId}`, d.policy, 'policy');
  for (const a of d.ancestors ?? []) bindingsOf(a.resource, a.policy, 'ancestors');
  for (const [email, policy] of Object.entries(d.saPolicies)) bindingsOf(`serviceAccounts/${email.toLowerCase()}`, policy, 'saPolicy', email.toLowerCase());

  // workload identity federation
  for (const p of d.pools) {
    const id = `gcp:wif-pool:${p.name}`;
    node({ type: 'node', node: { id, kind: 'principal', platform: 'gcp', type: 'wif-pool', name: p.displayName ?? p.name.split('/').pop()!, scope: d.projectId, accountType: 'system', disabled: p.disabled === true || p.state === 'DELETED', attributes: { pool: p.name.split('/').pop() }, provenance: [prov('wif')] } satisfies PrincipalNode });
  }
  for (const p of d.providers) {
    const id = `gcp:wif-provider:${p.name}`;
    const poolName = p.name.replace(/\/providers\/[^/]+$/, '');
    let host: string | undefined;
    try {
      host = p.oidc?.issuerUri ? new URL(p.oidc.issuerUri).host : undefined;
    } catch {
      host = undefined;
    }
    node({
      type: 'node',
      node: {
        id,
        kind: 'principal',
        platform: 'gcp',
        type: 'wif-provider',
        name: p.displayName ?? p.name.split('/').pop()!,
        scope: d.projectId,
        accountType: 'system',
        disabled: p.disabled === true || p.state === 'DELETED',
        attributes: compact({ issuerUri: p.oidc?.issuerUri, url: host, attributeMapping: p.attributeMapping, attributeCondition: p.attributeCondition, allowedAudiences: p.oidc?.allowedAudiences, pool: poolName.split('/').pop() }),
        provenance: [prov('wif')],
      } satisfies PrincipalNode,
    });
    edge('MEMBER_OF', id, `gcp:wif-pool:${poolName}`, 'wif');
  }
  // federated principals reach service accounts through workloadIdentityUser bindings: link them to their pool's providers
  for (const n of out) {
    if (n.type !== 'node' || n.node.type !== 'wif-principal') continue;
    const pool = n.node.attributes?.pool;
    for (const p of d.providers) if (p.name.includes(`/workloadIdentityPools/${pool}/`)) edge('CAN_ASSUME', `gcp:wif-provider:${p.name}`, n.node.id, 'wif', { via: 'pool membership' });
  }

  // deny policies: recorded with their rules; the service accounts they name get a DENIES edge
  for (const dp of d.denyPolicies ?? []) {
    const id = `gcp:deny-policy:${dp.name}`;
    node({ type: 'node', node: { id, kind: 'entitlement', platform: 'gcp', type: 'deny-policy', name: dp.displayName || dp.name.split('/').pop()!, entitlementType: 'deny-policy', managedBy: 'customer', scope: d.projectId, document: { rules: dp.rules ?? [] }, provenance: [prov('deny')] } satisfies EntitlementNode });
    edge('IN_SCOPE', id, projectId, 'deny');
    const named = new Set<string>();
    for (const rule of (dp.rules ?? []) as Array<{ denyRule?: { deniedPrincipals?: string[]; deniedPermissions?: string[] } }>) {
      for (const pr of rule.denyRule?.deniedPrincipals ?? []) {
        const email = /^principal:\/\/iam\.googleapis\.com\/projects\/-\/serviceAccounts\/(.+)$/.exec(pr)?.[1]?.toLowerCase();
        if (email && seen.has(`gcp:service-account:${email}`) && !named.has(email)) {
          named.add(email);
          edge('DENIES', id, `gcp:service-account:${email}`, 'deny', { permissions: rule.denyRule?.deniedPermissions ?? [] });
        }
      }
    }
  }

  // usage: Policy Analyzer last authentication
  const saByUnique = new Map(d.serviceAccounts.map((s) => [s.uniqueId, s.email.toLowerCase()]));
  for (const a of d.saActivity ?? []) {
    const ref = a.activity?.serviceAccount?.serviceAccountId ?? a.fullResourceName?.split('/').pop();
    const email = (ref && (saByUnique.get(ref) ?? (ref.includes('@') ? ref.toLowerCase() : undefined))) || undefined;
    if (!email) continue;
    const start = iso(a.observationPeriod?.startTime);
    const end = iso(a.observationPeriod?.endTime) ?? observedAt;
    out.push({ type: 'usage', usage: { nodeId: `gcp:service-account:${email}`, scope: { kind: 'any' }, lastUsedAt: iso(a.activity?.lastAuthenticatedTime) ?? null, window: compact({ start, end }) as { start?: string; end: string }, provenance: prov('activity') } });
  }
  // Recommender service-account insights say "not used in the observation period"; used only where Policy Analyzer
  // gave nothing for the account (an account without an insight may be used or simply not analysed: no claim)
  if (!d.saActivity) {
    const byId = new Map(d.serviceAccounts.map((s) => [s.uniqueId, s.email.toLowerCase()]));
    for (const ins of d.insights ?? []) {
      if (ins.stateInfo?.state && ins.stateInfo.state !== 'ACTIVE') continue;
      const email = ins.content?.email?.toLowerCase() ?? byId.get(ins.content?.serviceAccountId);
      if (!email || !seen.has(`gcp:service-account:${email}`)) continue;
      const secs = Number(/^(\d+)(?:\.\d+)?s$/.exec(ins.observationPeriod ?? '')?.[1] ?? 90 * 86400);
      const end = iso(ins.lastRefreshTime) ?? observedAt;
      const startMs = Date.parse(end) - secs * 1000;
      // a period reaching before any representable date is not an observation window
      if (!Number.isFinite(startMs) || Number.isNaN(new Date(startMs).getTime())) continue;
      const start = new Date(startMs).toISOString();
      out.push({ type: 'usage', usage: { nodeId: `gcp:service-account:${email}`, scope: { kind: 'any' }, lastUsedAt: iso(ins.content?.lastAuthenticatedTime) ?? null, window: { start, end }, provenance: prov('insights') } });
    }
  }
  const keyLastUse = new Map<string, string>();
  for (const a of d.keyActivity ?? []) {
    const keyId = (a.activity?.serviceAccountKey?.fullResourceName ?? a.fullResourceName ?? '').split('/').pop();
    const t = iso(a.activity?.lastAuthenticatedTime);
    if (keyId && t) keyLastUse.set(keyId, t);
  }
  if (d.keyActivity) {
    // Policy Analyzer keeps a limited record: a key absent from it was not used since the record starts, which for an
    // older key is not "never". Without any observation period there is no bound, so no claim.
    const recordStart = [...d.keyActivity, ...(d.saActivity ?? [])].map((a) => iso(a.observationPeriod?.startTime)).filter((t): t is string => Boolean(t)).sort()[0];
    for (const r of out) {
      if (r.type !== 'node' || r.node.kind !== 'credential' || r.node.type !== 'sa-key') continue;
      const c = r.node as CredentialNode;
      const used = keyLastUse.get(c.externalId ?? '');
      if (used) c.lastUsedAt = used;
      else if (recordStart) {
        c.lastUsedAt = null;
        c.attributes = { ...c.attributes, usageRecordedSince: recordStart };
      }
    }
  }
  return out;
}

function recommendationSummary(r: GcpRecommendation): Record<string, unknown> {
  const o = r.content?.overview ?? {};
  return compact({ action: o.addedRoles?.length ? 'replace' : 'remove', replacementRoles: o.addedRoles, description: r.description, state: r.stateInfo?.state, name: r.name });
}
