/**
 * What a principal's identity policies allow, at service / action granularity.
 *
 * Model (deliberately conservative: when in doubt a grant is kept, so rules over-report rather than miss):
 * - Allow statements grant their Action list, or with NotAction every catalog action except the listed ones.
 * - A Deny removes actions only when it covers every resource (`Resource: "*"`) and has no Condition; a scoped or
 *   conditional Deny is ignored (it might not apply to the request that matters).
 * - Permission boundaries (GRANTED edges with `via: boundary`) limit: the effective set is the intersection with the
 *   boundary's Allow set. Boundaries never grant.
 * - Allow statements with a Condition still grant, but the service is flagged `conditional` when only such
 *   statements grant it; rules may lower their confidence.
 * - `wide` grants are the ones on every resource (`Resource: "*"`, or NotResource, which leaves nearly every
 *   resource): only these count for admin-equivalence.
 * - Service control policies of an AWS organisation (organization.ts), for principals of member accounts: the
 *   effective set is also intersected with what every level of the OU tree allows, and their honoured Denies (on
 *   every resource, without Condition) are removed. A conditional SCP Deny is left to the request evaluator
 *   (`nhi can`, paths, and the admin check in organization-aware rules).
 * Resource-based policies, RCPs and session policies are out of scope here (the evaluator applies RCPs).
 *
 * Each policy document is analysed once (memoised on the document object) and each distinct combination of
 * policies once per graph, so estates where thousands of principals share a handful of policies stay fast.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { EntitlementNode, IdentityEdge } from '../model/types.js';
import { type AccessLevel, ACCESS_LEVELS, actionsOfService, allServices, splitAction } from './actions.js';
import { type PolicyDocument, type Statement, coversAllResources, globRegExp, parsePolicy } from './document.js';
import { scpScopeOf } from './organization.js';

/** Actions granted in one service: every action, or a set of lower-case action names. */
export type ServiceGrant = { all: true } | { all: false; actions: Set<string> };
/** service prefix (lower case) → grant */
export type Grants = Map<string, ServiceGrant>;

// ---------------------------------------------------------------------------------------------------------------
// Grant set algebra

function addAction(g: Grants, service: string, name: string): void {
  const cur = g.get(service);
  if (cur?.all) return;
  if (cur) cur.actions.add(name);
  else g.set(service, { all: false, actions: new Set([name]) });
}

function addAll(g: Grants, service: string): void {
  g.set(service, { all: true });
}

export function unionGrants(list: Grants[]): Grants {
  const out: Grants = new Map();
  for (const g of list) {
    for (const [svc, sg] of g) {
      if (sg.all) addAll(out, svc);
      else for (const a of sg.actions) addAction(out, svc, a);
    }
  }
  return out;
}

/** Names of every catalog action of a service (lower case). */
function catalogNames(service: string): string[] {
  return [...actionsOfService(service).keys()];
}

export function subtractGrants(a: Grants, d: Grants): Grants {
  if (d.size === 0) return a;
  const out: Grants = new Map();
  for (const [svc, sg] of a) {
    const deny = d.get(svc);
    if (!deny) {
      out.set(svc, sg);
      continue;
    }
    if (deny.all) continue;
    let names: string[];
    if (sg.all) {
      const catalog = catalogNames(svc);
      // a service the catalog does not know cannot be enumerated: keep it whole (conservative)
      if (catalog.length === 0) {
        out.set(svc, sg);
        continue;
      }
      names = catalog;
    } else names = [...sg.actions];
    const left = new Set(names.filter((n) => !deny.actions.has(n)));
    if (left.size > 0) out.set(svc, { all: false, actions: left });
  }
  return out;
}

export function intersectGrants(a: Grants, b: Grants): Grants {
  const out: Grants = new Map();
  for (const [svc, sa] of a) {
    const sb = b.get(svc);
    if (!sb) continue;
    if (sa.all) out.set(svc, sb);
    else if (sb.all) out.set(svc, sa);
    else {
      const both = new Set([...sa.actions].filter((x) => sb.actions.has(x)));
      if (both.size > 0) out.set(svc, { all: false, actions: both });
    }
  }
  return out;
}

/** Does the grant set include this action (`iam:PutRolePolicy`)? */
export function grantsAction(g: Grants, action: string): boolean {
  const { service, name } = splitAction(action);
  const sg = g.get(service);
  return !!sg && (sg.all || sg.actions.has(name));
}

// ---------------------------------------------------------------------------------------------------------------
// Statements and documents

/** What one Allow/Deny statement's Action or NotAction covers (resources and conditions are the caller's concern). */
export function statementGrants(st: Pick<Statement, 'actions' | 'notActions'>): Grants {
  const g: Grants = new Map();
  if (st.actions) {
    for (const pattern of st.actions) addPattern(g, pattern);
    return g;
  }
  if (st.notActions) {
    const patterns = st.notActions.map((p) => {
      const { service, name } = splitAction(p);
      return { svc: globRegExp(service), name, nameRe: globRegExp(name) };
    });
    for (const svc of allServices()) {
      const hits = patterns.filter((p) => p.svc.test(svc));
      if (hits.length === 0) {
        addAll(g, svc);
        continue;
      }
      if (hits.some((p) => p.name === '*')) continue;
      for (const name of catalogNames(svc)) if (!hits.some((p) => p.nameRe.test(name))) addAction(g, svc, name);
    }
  }
  return g;
}

function addPattern(g: Grants, pattern: string): void {
  const { service, name } = splitAction(pattern);
  if (!service) return;
  const services = service === '*' ? allServices() : /[*?]/.test(service) ? allServices().filter((s) => globRegExp(service).test(s)) : [service];
  for (const svc of services) {
    if (name === '*' || (service === '*' && name === '')) {
      addAll(g, svc);
    } else if (/[*?]/.test(name)) {
      const re = globRegExp(name);
      for (const n of catalogNames(svc)) if (re.test(n)) addAction(g, svc, n);
    } else if (name) {
      // literal: kept even when the catalog does not know it yet
      addAction(g, svc, name);
    }
  }
}

export interface StatementAnalysis {
  statement: Statement;
  grants: Grants;
  /** applies to every resource */
  wide: boolean;
  conditional: boolean;
}

export interface DocumentGrants {
  document: PolicyDocument;
  /** every Allow statement */
  allow: Grants;
  /** Allow statements without a Condition */
  allowUnconditional: Grants;
  /** Allow statements on every resource (with or without Condition) */
  wide: Grants;
  /** Allow statements on every resource without Condition */
  wideUnconditional: Grants;
  /** Deny statements on every resource without Condition (the only Denies honoured) */
  deny: Grants;
  allows: StatementAnalysis[];
}

const docCache = new WeakMap<PolicyDocument, DocumentGrants>();

/** Analyse a (raw or normalised) policy document once; memoised on the normalised document. */
export function documentGrants(raw: unknown): DocumentGrants {
  const document = parsePolicy(raw);
  const cached = docCache.get(document);
  if (cached) return cached;
  const allows: StatementAnalysis[] = [];
  const denies: Grants[] = [];
  for (const st of document.statements) {
    const wide = coversAllResources(st) || !!st.notResources;
    const conditional = !!st.conditions && Object.keys(st.conditions).length > 0;
    if (st.effect === 'Allow') {
      allows.push({ statement: st, grants: statementGrants(st), wide, conditional });
    } else if (coversAllResources(st) && !conditional) {
      denies.push(statementGrants(st));
    }
  }
  const pick = (f: (s: StatementAnalysis) => boolean) => unionGrants(allows.filter(f).map((s) => s.grants));
  const result: DocumentGrants = {
    document,
    allow: pick(() => true),
    allowUnconditional: pick((s) => !s.conditional),
    wide: pick((s) => s.wide),
    wideUnconditional: pick((s) => s.wide && !s.conditional),
    deny: unionGrants(denies),
    allows,
  };
  docCache.set(document, result);
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Principals

export interface GrantSource {
  policyId: string;
  policyName: string;
  statementIndex: number;
  sid?: string;
  /** `direct` or the id of the group the policy reaches the principal through */
  via: string;
  conditional: boolean;
}

export interface EffectiveService {
  service: string;
  /** every action of the service */
  all: boolean;
  /** granted catalog action names (lower case) when not `all` */
  actions?: string[];
  levels: AccessLevel[];
  /** granted only by statements with a Condition */
  conditional: boolean;
  sources: GrantSource[];
}

export interface PolicyRef {
  entitlement: EntitlementNode;
  via: string;
  edge: IdentityEdge;
}

export interface EffectivePermissions {
  principalId: string;
  /** service → what is effectively allowed, after Deny and boundary */
  services: Map<string, EffectiveService>;
  /** allowed on every resource (for admin checks), after Deny and boundary */
  wide: Grants;
  wideUnconditional: Grants;
  /** honoured Deny set (union over the identity policies and boundaries) */
  deny: Grants;
  /** the boundary's allow set, when the principal has one */
  boundary?: Grants;
  boundaryWide?: Grants;
  policies: PolicyRef[];
  boundaries: PolicyRef[];
}

const allLevelsCache = new Map<string, AccessLevel[]>();

function levelsOf(service: string, sg: ServiceGrant): AccessLevel[] {
  if (sg.all) {
    const cached = allLevelsCache.get(service);
    if (cached) return cached;
  }
  const catalog = actionsOfService(service);
  const levels = new Set<AccessLevel>();
  if (sg.all) {
    if (catalog.size === 0) return [...ACCESS_LEVELS];
    for (const a of catalog.values()) levels.add(a.accessLevel);
  } else {
    for (const n of sg.actions) {
      const info = catalog.get(n);
      if (info) levels.add(info.accessLevel);
    }
  }
  const out = ACCESS_LEVELS.filter((l) => levels.has(l));
  if (sg.all) allLevelsCache.set(service, out);
  return out;
}

/** Policies attached to a principal (directly or via groups), split into granting policies and boundaries. */
export function policiesOf(graph: IdentityGraph, principalId: string): { policies: PolicyRef[]; boundaries: PolicyRef[] } {
  const policies: PolicyRef[] = [];
  const boundaries: PolicyRef[] = [];
  for (const ref of graph.entitlementsOf(principalId)) {
    if (ref.edge.attributes?.via === 'boundary') {
      // a boundary limits only the principal it is set on
      if (ref.via === 'direct') boundaries.push(ref);
    } else policies.push(ref);
  }
  return { policies, boundaries };
}

/** What the SCPs over a principal leave: per level the union of its SCPs' Allows; their honoured Denies. */
interface ScpLimit {
  key: string;
  /** one per level: allowed by some SCP there (any resource / every resource) */
  levels: Array<{ allow: Grants; wide: Grants; wideUnconditional: Grants }>;
  deny: Grants;
  names: string[];
}

function scpLimitOf(graph: IdentityGraph, principalId: string): ScpLimit | undefined {
  const scope = scpScopeOf(graph, principalId);
  if (!scope) return undefined;
  const levels: ScpLimit['levels'] = [];
  const denies: Grants[] = [];
  const names: string[] = [];
  for (const level of scope.levels) {
    const docs = level.scps.map((p) => documentGrants(p.document));
    for (const p of level.scps) {
      const n = `${p.name} (${p.id.replace(/^aws:scp:/, '')})`;
      if (!names.includes(n)) names.push(n);
    }
    levels.push({ allow: unionGrants(docs.map((d) => d.allow)), wide: unionGrants(docs.map((d) => d.wide)), wideUnconditional: unionGrants(docs.map((d) => d.wideUnconditional)) });
    for (const d of docs) denies.push(d.deny);
  }
  return { key: `S|${scope.account.id}`, levels, deny: unionGrants(denies), names };
}

function scpIntersect(list: Grants[], service?: string): Grants | undefined {
  let out: Grants | undefined;
  for (const g of list) {
    const x = service ? only(g, service) : g;
    out = out ? intersectGrants(out, x) : x;
  }
  return out;
}

function only(g: Grants, service: string): Grants {
  const sg = g.get(service);
  return sg ? new Map([[service, sg]]) : new Map();
}

/**
 * Effective permissions restricted to a few services, computed without building the full service map: cheap
 * when only some services matter (usage facts, IAM for admin checks). Same semantics as effectivePermissions.
 */
export function effectiveForServices(graph: IdentityGraph, principalId: string, services: Iterable<string>): Map<string, EffectiveService> {
  const { policies, boundaries } = policiesOf(graph, principalId);
  const docs = policies.map((p) => ({ ref: p, g: documentGrants(entitlementDocument(p.entitlement)) }));
  const bdocs = boundaries.map((b) => documentGrants(entitlementDocument(b.entitlement)));
  const scp = scpLimitOf(graph, principalId);
  const out = new Map<string, EffectiveService>();
  for (const raw of services) {
    const svc = raw.toLowerCase();
    if (out.has(svc)) continue;
    const deny = unionGrants([...docs.map((d) => only(d.g.deny, svc)), ...bdocs.map((b) => only(b.deny, svc)), ...(scp ? [only(scp.deny, svc)] : [])]);
    let boundary: Grants | undefined;
    for (const b of bdocs) boundary = boundary ? intersectGrants(boundary, only(b.allow, svc)) : only(b.allow, svc);
    if (scp) {
      const lim = scpIntersect(scp.levels.map((l) => l.allow), svc)!;
      boundary = boundary ? intersectGrants(boundary, lim) : lim;
    }
    const limit = (g: Grants) => {
      const allowed = subtractGrants(g, deny);
      return boundary ? intersectGrants(allowed, boundary) : allowed;
    };
    const allow = limit(unionGrants(docs.map((d) => only(d.g.allow, svc))));
    const sg = allow.get(svc);
    if (!sg) continue;
    const unconditional = limit(unionGrants(docs.map((d) => only(d.g.allowUnconditional, svc))));
    const sources: GrantSource[] = [];
    for (const { ref, g } of docs) {
      for (const st of g.allows) {
        if (!st.grants.has(svc)) continue;
        const src: GrantSource = { policyId: ref.entitlement.id, policyName: ref.entitlement.name, statementIndex: st.statement.index, via: ref.via, conditional: st.conditional };
        if (st.statement.sid) src.sid = st.statement.sid;
        sources.push(src);
      }
    }
    const es: EffectiveService = { service: svc, all: sg.all, levels: levelsOf(svc, sg), conditional: !unconditional.has(svc), sources };
    if (!sg.all) es.actions = [...sg.actions].sort();
    out.set(svc, es);
  }
  return out;
}

const graphCache = new WeakMap<IdentityGraph, Map<string, EffectivePermissions>>();

/**
 * Effective identity-policy permissions of a principal (users include their groups' policies).
 * Memoised per graph and per combination of policies.
 */
export function effectivePermissions(graph: IdentityGraph, principalId: string): EffectivePermissions {
  const { policies, boundaries } = policiesOf(graph, principalId);
  const scp = scpLimitOf(graph, principalId);
  let key = [...policies.map((p) => `A|${p.via}|${p.entitlement.id}`), ...boundaries.map((b) => `B|${b.entitlement.id}`)].sort().join('\n');
  if (scp) key += `\n${scp.key}`;
  let cache = graphCache.get(graph);
  if (!cache) {
    cache = new Map();
    graphCache.set(graph, cache);
  }
  const hit = cache.get(key);
  if (hit) return { ...hit, principalId, policies, boundaries };
  const result = compute(principalId, policies, boundaries, scp);
  cache.set(key, result);
  return result;
}

const ADMINISTRATOR_ACCESS_DOCUMENT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/**
 * The document of an entitlement. AWS's AdministratorAccess is well known: when an export left its document out
 * (e.g. AWS managed policies filtered away), its documented content is used.
 */
export function entitlementDocument(e: EntitlementNode): unknown {
  if (e.document === undefined && isAdministratorAccess(e)) return ADMINISTRATOR_ACCESS_DOCUMENT;
  return e.document;
}

function compute(principalId: string, policies: PolicyRef[], boundaries: PolicyRef[], scp?: ScpLimit): EffectivePermissions {
  const docs = policies.map((p) => ({ ref: p, g: documentGrants(entitlementDocument(p.entitlement)) }));
  const bdocs = boundaries.map((b) => documentGrants(entitlementDocument(b.entitlement)));
  const deny = unionGrants([...docs.map((d) => d.g.deny), ...bdocs.map((b) => b.deny), ...(scp ? [scp.deny] : [])]);
  let boundary: Grants | undefined;
  let boundaryWide: Grants | undefined;
  for (const b of bdocs) {
    boundary = boundary ? intersectGrants(boundary, b.allow) : b.allow;
    boundaryWide = boundaryWide ? intersectGrants(boundaryWide, b.wide) : b.wide;
  }
  // SCPs limit like boundaries: what is left must be allowed at every level of the organisation
  let orgLimit: Grants | undefined;
  let orgLimitWide: Grants | undefined;
  if (scp) {
    orgLimit = scpIntersect(scp.levels.map((l) => l.allow));
    orgLimitWide = scpIntersect(scp.levels.map((l) => l.wide));
  }
  const limit = (g: Grants, lim: Grants | undefined, org?: Grants) => {
    const allowed = subtractGrants(g, deny);
    const bounded = lim ? intersectGrants(allowed, lim) : allowed;
    return org ? intersectGrants(bounded, org) : bounded;
  };
  const allow = limit(unionGrants(docs.map((d) => d.g.allow)), boundary, orgLimit);
  const allowUnconditional = limit(unionGrants(docs.map((d) => d.g.allowUnconditional)), boundary, orgLimit);
  const wide = limit(unionGrants(docs.map((d) => d.g.wide)), boundaryWide, orgLimitWide);
  const wideUnconditional = limit(unionGrants(docs.map((d) => d.g.wideUnconditional)), boundaryWide, orgLimitWide);

  const sources = new Map<string, GrantSource[]>();
  for (const { ref, g } of docs) {
    for (const s of g.allows) {
      for (const svc of s.grants.keys()) {
        if (!allow.has(svc)) continue;
        const src: GrantSource = {
          policyId: ref.entitlement.id,
          policyName: ref.entitlement.name,
          statementIndex: s.statement.index,
          via: ref.via,
          conditional: s.conditional,
        };
        if (s.statement.sid) src.sid = s.statement.sid;
        const list = sources.get(svc);
        if (list) list.push(src);
        else sources.set(svc, [src]);
      }
    }
  }
  const services = new Map<string, EffectiveService>();
  for (const [svc, sg] of allow) {
    const es: EffectiveService = {
      service: svc,
      all: sg.all,
      levels: levelsOf(svc, sg),
      conditional: !allowUnconditional.has(svc),
      sources: sources.get(svc) ?? [],
    };
    if (!sg.all) es.actions = [...sg.actions].sort();
    services.set(svc, es);
  }
  const out: EffectivePermissions = { principalId, services, wide, wideUnconditional, deny, policies, boundaries };
  if (boundary) out.boundary = boundary;
  if (boundaryWide) out.boundaryWide = boundaryWide;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Admin equivalence

/**
 * IAM actions that let a principal grant itself (or a role it can use) any permission: write or attach policies,
 * swap a policy's default version, rewrite a trust policy, or drop its own permissions boundary. Holding any of
 * them on every resource is admin-equivalent.
 */
export const IAM_ESCALATION_ACTIONS: readonly string[] = [
  'iam:AttachGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:AttachUserPolicy',
  'iam:CreatePolicyVersion',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteUserPermissionsBoundary',
  'iam:PutGroupPolicy',
  'iam:PutRolePolicy',
  'iam:PutUserPolicy',
  'iam:SetDefaultPolicyVersion',
  'iam:UpdateAssumeRolePolicy',
];

export const ADMINISTRATOR_ACCESS_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';

export type AdminRouteKind = 'administrator-access' | 'action-wildcard' | 'not-action' | 'iam-permissions-management';

export interface AdminRoute {
  kind: AdminRouteKind;
  policyId: string;
  policyName: string;
  /** `direct` or the id of the group that carries the policy */
  via: string;
  statementIndex: number;
  sid?: string;
  /** the statement has a Condition */
  conditional: boolean;
  /** the escalation actions the statement grants after Deny and boundary (catalog casing) */
  escalationActions: string[];
  /** one sentence for the evidence */
  description: string;
  /** `name (p-id)` of the service control policies that apply to the principal (they leave this route) */
  scps?: string[];
}

function isAdministratorAccess(e: EntitlementNode): boolean {
  return e.externalId === ADMINISTRATOR_ACCESS_ARN || e.id === `aws:managed-policy:${ADMINISTRATOR_ACCESS_ARN}`;
}

/**
 * Routes by which a principal holds full admin (empty = not admin-equivalent). A route is a single Allow statement
 * on every resource that, after honoured Denies and the permissions boundary, still grants at least one IAM
 * escalation action. `Action: "*"` and AdministratorAccess are the common cases; NotAction statements count when
 * they leave IAM in.
 */
export function isAdminEquivalent(graph: IdentityGraph, principalId: string): AdminRoute[] {
  const { policies, boundaries } = policiesOf(graph, principalId);
  if (policies.length === 0) return [];
  const docs = policies.map((ref) => ({ ref, g: documentGrants(entitlementDocument(ref.entitlement)) }));
  // only IAM matters: evaluate that one service instead of the whole catalog
  if (!docs.some((d) => d.g.wide.has('iam'))) return [];
  const bdocs = boundaries.map((b) => documentGrants(entitlementDocument(b.entitlement)));
  const scp = scpLimitOf(graph, principalId);
  const deny = unionGrants([...docs.map((d) => only(d.g.deny, 'iam')), ...bdocs.map((b) => only(b.deny, 'iam')), ...(scp ? [only(scp.deny, 'iam')] : [])]);
  let boundaryWide: Grants | undefined;
  for (const b of bdocs) boundaryWide = boundaryWide ? intersectGrants(boundaryWide, only(b.wide, 'iam')) : only(b.wide, 'iam');
  const scpWide = scp ? scpIntersect(scp.levels.map((l) => l.wide), 'iam') : undefined;
  const scpWideUnconditional = scp ? scpIntersect(scp.levels.map((l) => l.wideUnconditional), 'iam') : undefined;
  const permitted = (a: string) => !grantsAction(deny, a) && (!boundaryWide || grantsAction(boundaryWide, a)) && (!scpWide || grantsAction(scpWide, a));
  const routes: AdminRoute[] = [];
  for (const { ref, g } of docs) {
    for (const s of g.allows) {
      if (!s.wide || !s.grants.has('iam')) continue;
      const esc = IAM_ESCALATION_ACTIONS.filter((a) => grantsAction(s.grants, a) && permitted(a));
      if (esc.length === 0) continue;
      const route = adminRoute(ref, s, esc);
      if (scp) {
        // an SCP that allows these actions only under a Condition leaves the route conditional
        if (scpWideUnconditional && !esc.some((a) => grantsAction(scpWideUnconditional, a)) && !route.conditional) {
          route.conditional = true;
          route.description = route.description.replace(/\.$/, ` (the organization's SCPs allow it only under a Condition).`);
        }
        route.scps = scp.names;
      }
      routes.push(route);
    }
  }
  return routes;
}

/**
 * Routes by which a principal holds full admin NOW: AdministratorAccess, `*` on `*`, or a NotAction allow that leaves
 * nearly everything. IAM policy management on every resource is left out: such a principal must first act (put or
 * attach a policy, swap a version) to become admin, which the escalation analysis reports as its first hop.
 */
export function fullAdminRoutes(graph: IdentityGraph, principalId: string): AdminRoute[] {
  // a NotAction allow is full admin only when it leaves every IAM escalation action in; one that carves some out
  // (`NotAction: [iam:Create*, iam:Attach*]`) must still use what is left to become admin
  return isAdminEquivalent(graph, principalId).filter(
    (r) => r.kind === 'administrator-access' || r.kind === 'action-wildcard' || (r.kind === 'not-action' && r.escalationActions.length === IAM_ESCALATION_ACTIONS.length),
  );
}

function adminRoute(ref: PolicyRef, s: StatementAnalysis, esc: string[]): AdminRoute {
  const st = s.statement;
  const isStar = (st.actions ?? []).some((a) => a === '*' || a === '*:*');
  const kind: AdminRouteKind = isAdministratorAccess(ref.entitlement)
    ? 'administrator-access'
    : isStar
      ? 'action-wildcard'
      : st.notActions
        ? 'not-action'
        : 'iam-permissions-management';
  const where = `Statement ${st.index}${st.sid ? ` (${st.sid})` : ''} of policy ${ref.entitlement.name}`;
  const what =
    kind === 'administrator-access'
      ? 'is the AWS managed AdministratorAccess policy (* on *)'
      : kind === 'action-wildcard'
        ? 'allows Action * on Resource *'
        : kind === 'not-action'
          ? `allows everything except ${st.notActions!.join(', ')} on Resource *, which leaves IAM policy management`
          : `allows ${esc.join(', ')} on Resource *, enough to grant itself any permission`;
  const route: AdminRoute = {
    kind,
    policyId: ref.entitlement.id,
    policyName: ref.entitlement.name,
    via: ref.via,
    statementIndex: st.index,
    conditional: s.conditional,
    escalationActions: esc,
    description: `${where} ${what}${s.conditional ? ' (only under a Condition)' : ''}${st.notResources ? ' (via NotResource)' : ''}.`,
  };
  if (st.sid) route.sid = st.sid;
  return route;
}
