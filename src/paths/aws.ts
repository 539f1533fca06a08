/**
 * AWS in the escalation analysis: escalation methods (src/paths/methods/aws.ts) applied with the authorization
 * engine, and role trust, as "can become" edges.
 *
 * How it stays linear in the estate:
 * - targets are indexed once (roles by the service they trust, users, roles and groups by account, policies by the
 *   principals that hold them);
 * - for each caller and action, a superset of the resources its Allow statements can match is read from its
 *   policies (memoised per policy set): only candidates inside it are evaluated, and the engine memoises by policy
 *   set, so principals that share their policies share the work;
 * - when a caller is allowed on every candidate alike (Allow on `*`, no Deny or boundary that names resources), it
 *   gets ONE edge to a hub node standing for all the candidates, and the hub has one edge per candidate, built once
 *   per account and method: edges grow with principals plus targets, never with their product.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityEdge, PrincipalNode } from '../model/types.js';
import type { Evaluation, StatementRef } from '../policy/decision.js';
import { parsePolicy, type PolicyDocument, type Statement } from '../policy/document.js';
import { documentGrants, entitlementDocument, fullAdminRoutes, policiesOf } from '../policy/effective.js';
import { refineAdminRoutes } from '../policy/organization.js';
import { compileGlob } from '../util/glob.js';
import type { BecomeEdge, EdgeProducer, EscalationMethod, MethodRequirement, PathContext } from './types.js';
import { adminSinkId } from './types.js';

/** The method id of role trust (sts:AssumeRole), shared with the method catalogue. */
export const ASSUME_ROLE_METHOD = 'aws-assume-role';

/** A hub stands for every candidate of one method in one account (see the module comment). */
export function awsHubId(account: string, methodId: string): string {
  return `meta:hub:aws:${account}:${methodId}`;
}

const CALLER_TYPES = new Set(['iam-user', 'iam-role', 'iam-group']);
const STS = new Set(['sts']);
const IAM = new Set(['iam']);

interface Indexes {
  usersByAccount: Map<string, PrincipalNode[]>;
  rolesByAccount: Map<string, PrincipalNode[]>;
  groupsByAccount: Map<string, PrincipalNode[]>;
  rolesTrusting: Map<string, PrincipalNode[]>;
  groupsOf: Map<string, string[]>;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function arnOf(p: PrincipalNode): string | undefined {
  const a = p.attributes?.arn ?? p.externalId;
  return typeof a === 'string' ? a : undefined;
}

function isCaller(p: PrincipalNode): boolean {
  return p.platform === 'aws' && CALLER_TYPES.has(p.type) && p.attributes?.serviceLinked !== true && p.attributes?.external !== true && p.scope !== undefined;
}

function buildIndexes(graph: IdentityGraph): Indexes {
  const ix: Indexes = { usersByAccount: new Map(), rolesByAccount: new Map(), groupsByAccount: new Map(), rolesTrusting: new Map(), groupsOf: new Map() };
  for (const p of graph.principals()) {
    if (p.platform !== 'aws' || !p.scope || p.attributes?.external === true) continue;
    if (p.type === 'iam-user') push(ix.usersByAccount, p.scope, p);
    else if (p.type === 'iam-group') push(ix.groupsByAccount, p.scope, p);
    else if (p.type === 'iam-role' && p.attributes?.serviceLinked !== true) {
      push(ix.rolesByAccount, p.scope, p);
      for (const e of graph.in(p.id, 'CAN_ASSUME')) {
        if (!e.from.startsWith('aws:service-principal:')) continue;
        push(ix.rolesTrusting, e.from.slice('aws:service-principal:'.length).toLowerCase(), p);
      }
    }
  }
  for (const users of ix.usersByAccount.values()) {
    for (const u of users) for (const e of graph.out(u.id, 'MEMBER_OF')) push(ix.groupsOf, u.id, e.to);
  }
  return ix;
}

/** Does the user have a console password? true / false, or undefined when the scan does not know. */
function hasLoginProfile(graph: IdentityGraph, user: PrincipalNode): boolean | undefined {
  const v = user.attributes?.passwordEnabled;
  if (typeof v === 'boolean') return v;
  if (graph.credentialsOf(user.id).some((c) => c.credentialType === 'password')) return true;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Which resources can a caller's Allow statements match for an action? (a superset, to prefilter candidates)

interface ResourceScope {
  /** resource globs of the Allow statements that name the action (variables widened to `*`) */
  patterns: string[];
  /** some statement for the action (a Deny, a boundary, NotResource, a variable) makes the answer depend on the resource */
  resourceDependent: boolean;
  /** some statement for the action has conditions */
  conditional: boolean;
  /** the Allow statements' resources as written (variables kept), for the per-caller prefilter */
  rawPatterns: string[];
  /**
   * some statement for the action has a condition on a key that can differ from target to target (a resource tag,
   * `iam:PolicyARN`, anything not known to be about the caller or the request alone)
   */
  targetConditions: boolean;
  /**
   * The statements that decide the action for this caller (policy, statement, group; boundary ones marked):
   * callers with equal signatures get equal answers for it, whatever else their policies hold. Empty when the
   * statements can depend on who the caller is (variables, conditions): then the answer is personal.
   */
  signature: string;
}

const actionGlobs = new Map<string, ReturnType<typeof compileGlob>>();
function actionMatches(patterns: readonly string[] | undefined, action: string): boolean {
  if (!patterns) return false;
  for (const p of patterns) {
    let g = actionGlobs.get(p);
    if (!g) {
      g = compileGlob(p);
      actionGlobs.set(p, g);
    }
    if (g.test(action)) return true;
  }
  return false;
}

function statementCovers(st: { actions?: string[]; notActions?: string[] }, action: string): boolean {
  if (st.actions) return actionMatches(st.actions, action);
  if (st.notActions) return !actionMatches(st.notActions, action);
  return false;
}

const widen = (r: string) => r.replace(/\$\{[^}]*\}/g, '*');

/**
 * Condition keys whose value is the same whichever target the request names: about the caller, its session or the
 * request as a whole. A condition on any other key (a resource tag, `iam:PolicyARN`, a service-specific key) may
 * decide target by target.
 */
const CALLER_KEYS = new Set(
  [
    'aws:currenttime', 'aws:epochtime', 'aws:tokenissuetime', 'aws:multifactorauthpresent', 'aws:multifactorauthage', 'aws:principalarn',
    'aws:principalaccount', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:principaltype', 'aws:principalisawsservice', 'aws:userid',
    'aws:username', 'aws:sourceip', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:vpcsourceip', 'aws:securetransport', 'aws:requestedregion',
    'aws:viaawsservice', 'aws:calledvia', 'aws:calledviafirst', 'aws:calledvialast', 'aws:useragent', 'aws:referer', 'aws:federatedprovider',
    'aws:sourceidentity', 'aws:ec2instancesourcevpc', 'aws:ec2instancesourceprivateipv4', 'iam:passedtoservice',
  ],
);
const callerKey = (k: string) => {
  const l = k.toLowerCase();
  return CALLER_KEYS.has(l) || l.startsWith('aws:principaltag/');
};

/** The statements of a document that name an action (memoised per parsed document and action). */
const coverMemo = new WeakMap<object, Map<string, Statement[]>>();
const NO_STATEMENTS: Statement[] = [];
function covering(doc: PolicyDocument, action: string): Statement[] {
  let m = coverMemo.get(doc);
  if (!m) coverMemo.set(doc, (m = new Map()));
  let list = m.get(action);
  if (!list) {
    list = doc.statements.filter((st) => statementCovers(st, action));
    if (list.length === 0) list = NO_STATEMENTS;
    m.set(action, list);
  }
  return list;
}

/**
 * The services whose actions a document's Allow statements can name (lower case), or null for "any": a `*` action,
 * a wildcard in a service name, or a NotAction. Memoised per parsed document; lets the analysis skip, in one look,
 * the many identities whose policies name no service an escalation method uses.
 */
const servicesMemo = new WeakMap<object, Set<string> | null>();
function allowedServices(doc: PolicyDocument): Set<string> | null {
  if (servicesMemo.has(doc)) return servicesMemo.get(doc)!;
  let out: Set<string> | null = new Set<string>();
  for (const st of doc.statements) {
    if (st.effect !== 'Allow') continue;
    if (st.notActions || !st.actions) {
      out = null;
      break;
    }
    for (const a of st.actions) {
      const colon = a.indexOf(':');
      const svc = colon < 0 ? a : a.slice(0, colon);
      if (colon < 0 || /[*?]/.test(svc)) {
        out = null;
        break;
      }
      out.add(svc.toLowerCase());
    }
    if (out === null) break;
  }
  servicesMemo.set(doc, out);
  return out;
}

/** Could any of the principal's own or group policies allow an action of one of these services? */
function mayUse(graph: IdentityGraph, principalId: string, services: ReadonlySet<string>): boolean {
  for (const ref of policiesOf(graph, principalId).policies) {
    const svc = allowedServices(parsePolicy(entitlementDocument(ref.entitlement)));
    if (svc === null) return true;
    for (const x of svc) if (services.has(x)) return true;
  }
  return false;
}

/** What a principal's policies can touch, as bits: an escalation method's service, sts, iam (one look per principal). */
const USES_METHODS = 1;
const USES_STS = 2;
const USES_IAM = 4;
function relevance(memos: WeakMap<object, Map<string, number>>, ctx: PathContext, principalId: string, methodServices: ReadonlySet<string>): number {
  const graph = ctx.graph;
  // one memo per analysis (its engine): a graph changed between analyses is looked at afresh
  let memo = memos.get(ctx.evaluator);
  if (!memo) memos.set(ctx.evaluator, (memo = new Map()));
  let bits = memo.get(principalId);
  if (bits === undefined) {
    bits = (mayUse(graph, principalId, methodServices) ? USES_METHODS : 0) | (mayUse(graph, principalId, STS) ? USES_STS : 0) | (mayUse(graph, principalId, IAM) ? USES_IAM : 0);
    memo.set(principalId, bits);
  }
  return bits;
}

/** The scope of a caller none of whose statements name the action (shared, never changed). */
const NOTHING: ResourceScope = Object.freeze({ patterns: [], resourceDependent: false, conditional: false, rawPatterns: [], targetConditions: false, signature: '' }) as ResourceScope;

function resourceScope(graph: IdentityGraph, callerId: string, action: string): ResourceScope {
  const { policies, boundaries } = policiesOf(graph, callerId);
  let any = false;
  for (const ref of policies) {
    if (covering(parsePolicy(entitlementDocument(ref.entitlement)), action).length > 0) {
      any = true;
      break;
    }
  }
  if (!any) return NOTHING;
  const scope: ResourceScope = { patterns: [], resourceDependent: false, conditional: false, rawPatterns: [], targetConditions: false, signature: '' };
  const sig: string[] = [];
  let personal = false;
  for (const ref of policies) {
    for (const st of covering(parsePolicy(entitlementDocument(ref.entitlement)), action)) {
      sig.push(`${ref.entitlement.id}#${st.index}@${ref.via}`);
      if ((st.resources ?? []).some((r) => r.includes('${'))) personal = true;
      if (st.conditions && Object.keys(st.conditions).length > 0) {
        scope.conditional = true;
        personal = true;
        for (const keys of Object.values(st.conditions)) if (Object.keys(keys).some((k) => !callerKey(k))) scope.targetConditions = true;
      }
      if (st.effect === 'Deny') {
        const all = (st.resources ?? []).every((r) => r === '*') && !st.notResources;
        if (!all) scope.resourceDependent = true;
        continue;
      }
      if (st.notResources) {
        scope.patterns.push('*');
        scope.rawPatterns.push('*');
        scope.resourceDependent = true;
        continue;
      }
      for (const r of st.resources ?? []) {
        if (r.includes('${')) scope.resourceDependent = true;
        scope.patterns.push(widen(r));
        scope.rawPatterns.push(r);
      }
    }
  }
  for (const ref of boundaries) {
    sig.push(`B:${ref.entitlement.id}`);
    for (const st of covering(parsePolicy(entitlementDocument(ref.entitlement)), action)) {
      if (st.conditions && Object.keys(st.conditions).length > 0) {
        personal = true;
        scope.targetConditions = true;
      }
      const all = (st.resources ?? []).every((r) => r === '*') && !st.notResources;
      if (!all || st.effect === 'Deny' || (st.conditions && Object.keys(st.conditions).length > 0)) scope.resourceDependent = true;
    }
  }
  scope.signature = personal ? '' : sig.sort().join(',');
  return scope;
}

// ---------------------------------------------------------------------------------------------------------------

interface Candidate {
  /** the node the caller becomes or acts on */
  id: string;
  /** the node id the method acts on when it differs from `id` (a policy's holder) */
  actedOn?: string;
  /** ARN used for `${target}` */
  arn: string;
  /** ARN used for `${policy}` */
  policyArn?: string;
  /** an unknown precondition (no credential report: login profile unknown) lowers confidence */
  uncertain?: string;
}

function fill(template: string, account: string, c?: Candidate, partition = 'aws', companion?: string): string {
  return template
    .replace(/\$\{partition\}/g, partition)
    .replace(/\$\{companion\}/g, companion ?? '*')
    .replace(/\$\{account\}/g, account)
    .replace(/\$\{region\}/g, '*')
    .replace(/\$\{target\}/g, c?.arn ?? '*')
    .replace(/\$\{policy\}/g, c?.policyArn ?? c?.arn ?? '*');
}

/**
 * The resources of a shared candidate list for one requirement (`${target}` filled in), indexed so that a caller's
 * resource patterns find their candidates without scanning the list: ARNs are grouped by their first five fields
 * (`arn:aws:iam::123456789012`) and sorted by the rest, so a pattern's literal start is a binary search away. A
 * pattern with exactly six fields can only match a six-field ARN field by field (its five colons must meet the ARN's
 * five), which is what makes the split sound; anything else is tested on every entry (and memoised).
 */
class TargetIndex {
  private readonly groups = new Map<string, { tails: string[]; cands: Candidate[] }>();
  private readonly other: Array<{ res: string; cand: Candidate }> = [];
  private readonly memo = new Map<string, Candidate[]>();
  readonly order = new Map<Candidate, number>();

  constructor(
    all: readonly Candidate[],
    resourceOf: (c: Candidate) => string,
  ) {
    const rows: Array<{ head: string; tail: string; cand: Candidate }> = [];
    all.forEach((cand, i) => {
      this.order.set(cand, i);
      const res = resourceOf(cand);
      const parts = splitArn(res);
      if (parts && !parts.tail.includes(':')) rows.push({ head: parts.head, tail: parts.tail, cand });
      else this.other.push({ res, cand });
    });
    rows.sort((a, b) => (a.head < b.head ? -1 : a.head > b.head ? 1 : a.tail < b.tail ? -1 : a.tail > b.tail ? 1 : 0));
    for (const r of rows) {
      let g = this.groups.get(r.head);
      if (!g) this.groups.set(r.head, (g = { tails: [], cands: [] }));
      g.tails.push(r.tail);
      g.cands.push(r.cand);
    }
  }

  private readonly setMemo = new Map<string, Candidate[]>();

  /** The candidates any of the patterns match, in list order (memoised: callers share their pattern sets). */
  matchAll(patterns: readonly string[]): Candidate[] {
    const key = patterns.join('\n');
    const hit = this.setMemo.get(key);
    if (hit) return hit;
    const set = new Set<Candidate>();
    for (const p of patterns) for (const c of this.match(p)) set.add(c);
    const out = [...set].sort((x, y) => this.order.get(x)! - this.order.get(y)!);
    // exact names (a user's own ARN) are cheap to find again; keep the memo for the sets worth keeping
    if (out.length > 8 && this.setMemo.size < 10_000) this.setMemo.set(key, out);
    return out;
  }

  /** The candidates whose resource the (case-sensitive) pattern matches, in no particular order. */
  match(pattern: string): Candidate[] {
    const hit = this.memo.get(pattern);
    if (hit) return hit;
    const out: Candidate[] = [];
    const whole = compileGlob(pattern, { caseSensitive: true });
    const parts = splitArn(pattern);
    if (!parts || parts.tail.includes(':')) {
      for (const [h, g] of this.groups) for (let i = 0; i < g.tails.length; i++) if (whole.test(`${h}:${g.tails[i]}`)) out.push(g.cands[i]);
    } else {
      const head = compileGlob(parts.head, { caseSensitive: true });
      const tail = compileGlob(parts.tail, { caseSensitive: true });
      const wild = parts.tail.search(/[*?]/);
      const prefix = wild < 0 ? parts.tail : parts.tail.slice(0, wild);
      for (const [h, g] of this.groups) {
        if (!head.test(h)) continue;
        for (let i = lowerBound(g.tails, prefix); i < g.tails.length && g.tails[i].startsWith(prefix); i++) {
          if (wild < 0 ? g.tails[i] === prefix : tail.test(g.tails[i])) out.push(g.cands[i]);
        }
      }
    }
    for (const o of this.other) if (whole.test(o.res)) out.push(o.cand);
    // patterns differ per caller only through their variables; keep the memo for the shared ones
    if (this.memo.size < 10_000) this.memo.set(pattern, out);
    return out;
  }
}

function splitArn(arn: string): { head: string; tail: string } | undefined {
  let at = -1;
  for (let n = 0; n < 5; n++) {
    at = arn.indexOf(':', at + 1);
    if (at < 0) return undefined;
  }
  return { head: arn.slice(0, at), tail: arn.slice(at + 1) };
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A caller's Allow patterns with the policy variables the scan knows filled in (`${aws:username}` for a user, the
 * account), the others widened to `*`: a superset of what the engine will allow, narrower than widening them all.
 */
function callerPatterns(sc: ResourceScope, caller: PrincipalNode, account: string): string[] {
  if (!sc.resourceDependent) return sc.patterns;
  const out: string[] = [];
  for (const r of sc.rawPatterns) {
    let absent = false;
    const p = r.replace(/\$\{([^}]*)\}/g, (_, key: string) => {
      const k = key.toLowerCase();
      if (k === 'aws:username') {
        // only users have a user name: in a role's request the variable is absent and the resource matches nothing
        if (caller.type === 'iam-user') return caller.name;
        absent = true;
      }
      if (k === 'aws:principalaccount') return account;
      return '*';
    });
    if (!absent) out.push(p);
  }
  return out;
}

const dependsOnTarget = (r: MethodRequirement) => r.resource.includes('${target}') || r.resource.includes('${policy}');
const isAssume = (r: MethodRequirement) => r.action.toLowerCase() === 'sts:assumerole' && r.resource === '${target}';
const partitionOf = (arn: string | undefined) => {
  if (!arn || !arn.startsWith('arn:')) return 'aws';
  const end = arn.indexOf(':', 4);
  return (end < 0 ? arn.slice(4) : arn.slice(4, end)) || 'aws';
};


/**
 * The SCP / RCP statements that leave a hop open only under a condition (a conditional Deny, or SCP Allows that hold
 * only under a condition): the hop's evidence names them. Empty without an organisation.
 */
const NO_REFS: StatementRef[] = [];

function orgRefs(e: Evaluation | undefined): StatementRef[] {
  if (!e || (!e.scp && !e.rcp)) return NO_REFS;
  const out = e.denies.filter((s) => s.kind === 'scp' || s.kind === 'rcp');
  if (e.scp?.decision === 'conditional') out.push(...e.scp.allows);
  return out;
}

function withOrgRefs(list: StatementRef[], e: Evaluation | undefined): StatementRef[] {
  if (e && (e.scp || e.rcp)) list.push(...orgRefs(e));
  return list;
}

function refsOf(evals: Evaluation[]): StatementRef[] {
  const out: StatementRef[] = [];
  const seen = new Set<string>();
  for (const e of evals) {
    for (const s of e.scp || e.rcp ? [...e.allows, ...orgRefs(e)] : e.allows) {
      const k = `${s.policyId}#${s.statementIndex}#${s.via}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(s);
    }
  }
  return out;
}

function combine(evals: Evaluation[]): { decision: 'allowed' | 'conditional'; unknownKeys: string[] } | undefined {
  if (evals.some((e) => e.decision === 'denied')) return undefined;
  const keys = new Set<string>();
  for (const e of evals) for (const k of e.unknownKeys) keys.add(k);
  return { decision: evals.every((e) => e.decision === 'allowed') ? 'allowed' : 'conditional', unknownKeys: [...keys].sort() };
}

/**
 * Does a permissions boundary keep this principal from ever being admin? Policy-changing methods stay inside the
 * boundary, so a bounded identity only counts as reaching admin when its boundary itself allows IAM policy changes on
 * every resource (the same test as admin-equivalence applied to the boundary).
 */
const boundedMemo = new WeakMap<IdentityGraph, Map<string, boolean>>();

function boundedBelowAdmin(graph: IdentityGraph, principalId: string): boolean {
  let memo = boundedMemo.get(graph);
  if (!memo) boundedMemo.set(graph, (memo = new Map()));
  let v = memo.get(principalId);
  if (v === undefined) memo.set(principalId, (v = computeBounded(graph, principalId)));
  return v;
}

function computeBounded(graph: IdentityGraph, principalId: string): boolean {
  const { boundaries } = policiesOf(graph, principalId);
  if (boundaries.length === 0) return false;
  return boundaries.some((b) => {
    const g = documentGrants(entitlementDocument(b.entitlement));
    const iam = g.wideUnconditional.get('iam');
    return !iam || (!iam.all && !['attachrolepolicy', 'putrolepolicy', 'attachuserpolicy', 'putuserpolicy', 'createpolicyversion'].some((a) => iam.actions.has(a)));
  });
}

const CONFIDENCE_ORDER = { high: 2, medium: 1, low: 0 } as const;
const weaker = (a: 'high' | 'medium' | 'low', b: 'high' | 'medium' | 'low') => (CONFIDENCE_ORDER[a] <= CONFIDENCE_ORDER[b] ? a : b);

export interface AwsProducerOptions {
  /** above this many candidates, a caller allowed on all of them alike gets one edge to a hub */
  hubThreshold?: number;
}

/** Full-admin routes per policy set, shared by edges() and admins() of one analysis (same graph, same engine). */
const adminRouteMemo = new WeakMap<object, Map<string, ReturnType<typeof fullAdminRoutes>>>();
function adminRoutesOf(ctx: PathContext, principalId: string): ReturnType<typeof fullAdminRoutes> {
  let memo = adminRouteMemo.get(ctx.evaluator);
  if (!memo) adminRouteMemo.set(ctx.evaluator, (memo = new Map()));
  const key = ctx.evaluator.policySetKey(principalId);
  let routes = memo.get(key);
  if (!routes) memo.set(key, (routes = refineAdminRoutes(ctx.graph, ctx.evaluator, principalId, fullAdminRoutes(ctx.graph, principalId))));
  return routes;
}

export function createAwsProducer(methods: readonly EscalationMethod[], opts: AwsProducerOptions = {}): EdgeProducer {
  const hubThreshold = opts.hubThreshold ?? 8;
  const awsMethods = methods.filter((m) => m.platform === 'aws' && m.id !== ASSUME_ROLE_METHOD);
  /** the services whose actions some method needs */
  const METHOD_SERVICES = new Set(awsMethods.flatMap((m) => m.anyOf.flat().map((r) => r.action.slice(0, Math.max(0, r.action.indexOf(':'))).toLowerCase())));
  /** what each principal's policies can touch (relevance bits), per graph */
  const relevanceMemo = new WeakMap<object, Map<string, number>>();
  return {
    id: 'aws',
    admins(ctx) {
      const out: Array<{ id: string; why: string }> = [];
      for (const p of ctx.graph.principals()) {
        if (!isCaller(p) && p.type !== 'root') continue;
        if (p.type === 'root') {
          out.push({ id: p.id, why: 'the root user of the account' });
          continue;
        }
        // full admin needs IAM: identities whose policies name no IAM action are passed over in one look
        if (!(relevance(relevanceMemo, ctx, p.id, METHOD_SERVICES) & USES_IAM)) continue;
        const routes = adminRoutesOf(ctx, p.id);
        if (routes.length > 0) out.push({ id: p.id, why: routes[0].description });
      }
      return out;
    },
    *edges(ctx) {
      const { graph, evaluator } = ctx;
      const ix = buildIndexes(graph);
            // per policy set: action → what its statements allow; callers share their set's table
      const scopesBySet = new Map<string, Map<string, ResourceScope>>();
      const scopesOfCaller = new Map<string, Map<string, ResourceScope>>();
      const setKeyOf = new Map<string, string>();
      const setKey = (callerId: string) => {
        let k = setKeyOf.get(callerId);
        if (k === undefined) setKeyOf.set(callerId, (k = evaluator.policySetKey(callerId)));
        return k;
      };
      const scopeOf = (callerId: string, action: string) => {
        let table = scopesOfCaller.get(callerId);
        if (!table) {
          const k = setKey(callerId);
          table = scopesBySet.get(k);
          if (!table) scopesBySet.set(k, (table = new Map()));
          scopesOfCaller.set(callerId, table);
        }
        let sc = table.get(action);
        if (!sc) table.set(action, (sc = resourceScope(graph, callerId, action)));
        return sc;
      };
      /** shared candidate lists without the targets whose boundary keeps them below admin, by account and method */
      const unboundedMemo = new Map<string, Candidate[]>();
      /** resource indexes of shared candidate lists, by list, requirement resource, partition and companion */
      const indexMemo = new Map<readonly Candidate[], Map<string, TargetIndex>>();
      /** the classes of a shared list under one set of patterns (candidates that the same patterns match) */
      const classMemo = new Map<string, Array<{ key: string; members: Candidate[] }>>();
      const byRoleMemo = new Map<readonly Candidate[], { byRole: Map<string, Candidate[]>; order: Map<Candidate, number> }>();
      const roleLookup = (list: readonly Candidate[]) => {
        let v = byRoleMemo.get(list);
        if (!v) {
          v = { byRole: new Map(), order: new Map() };
          list.forEach((c, i) => {
            push(v!.byRole, c.actedOn ?? c.id, c);
            v!.order.set(c, i);
          });
          byRoleMemo.set(list, v);
        }
        return v;
      };
      const candidatesByRole = (list: readonly Candidate[]) => roleLookup(list).byRole;
      const orderOf = (list: readonly Candidate[]) => roleLookup(list).order;
      /** hubs standing for one class of candidates of one method (built once, shared by every caller that reaches them) */
      const classHubs = new Map<string, string>();
      /** hubs standing for the targets one policy set reaches by one method */
      const setHubs = new Map<string, string>();
      /** hub → candidate edges, yielded once at the end */
      const pendingHubEdges: BecomeEdge[] = [];
      const candidateMemo = new Map<string, Candidate[]>();
      /** what one policy set can do with one method's requirement list, when that does not depend on who holds it */
      const listMemo = new Map<string, { hub?: string; evals?: Evaluation[]; decision?: 'allowed' | 'conditional'; unknownKeys?: string[]; edges: Array<Omit<BecomeEdge, 'from'>> } | null>();
      const assumableMemo = new Map<string, Set<string>>();
      let trustingMemo: Map<string, PrincipalNode[]> | undefined;
      /** Roles whose trust names an account (its root), by account. */
      const accountTrusting = () => {
        if (!trustingMemo) {
          trustingMemo = new Map();
          for (const roles of ix.rolesByAccount.values()) {
            for (const r of roles) for (const e of graph.in(r.id, 'CAN_ASSUME')) if (e.from.startsWith('aws:account:')) push(trustingMemo, e.from.slice('aws:account:'.length), r);
          }
        }
        return trustingMemo;
      };

      // an identity with full admin already has nowhere to escalate: its methods are not enumerated (`nhi paths` says
      // it is admin), which keeps the work proportional to the identities that are not
      const isAdmin = (p: PrincipalNode) => adminRoutesOf(ctx, p.id).length > 0;
      for (const caller of graph.principals()) {
        if (!isCaller(caller) || !(relevance(relevanceMemo, ctx, caller.id, METHOD_SERVICES) & USES_METHODS) || isAdmin(caller)) continue;
        const account = caller.scope!;
        const partition = partitionOf(arnOf(caller));
        for (const m of awsMethods) {
          const possible = possibleLists(m, caller);
          if (possible) yield* methodEdges(m, caller, account, partition, possible);
        }
      }
      yield* assumeEdges();
      yield* pendingHubEdges;

      // -------------------------------------------------------------------------------------------------------
      function candidatesFor(m: EscalationMethod, caller: PrincipalNode | undefined, account: string): Candidate[] {
        const t = m.target;
        switch (t.kind) {
          case 'self': {
            const arn = caller && arnOf(caller);
            return caller && arn ? [{ id: caller.id, arn }] : [];
          }
          case 'role-trusting-service':
          case 'role-of-existing-resource': {
            const roles = (ix.rolesTrusting.get(t.service.toLowerCase()) ?? []).filter((r) => r.scope === account);
            return roles
              .filter((r) => !t.needsInstanceProfile || (Array.isArray(r.attributes?.instanceProfiles) && r.attributes!.instanceProfiles.length > 0))
              .flatMap((r) => (arnOf(r) ? [{ id: r.id, arn: arnOf(r)! }] : []));
          }
          case 'user': {
            const users = ix.usersByAccount.get(account) ?? [];
            const out: Candidate[] = [];
            for (const u of users) {
              const a = arnOf(u);
              if (!a) continue;
              if (t.keySlotFree && graph.credentialsOf(u.id).filter((c) => c.credentialType === 'access-key').length >= 2) continue;
              if (t.noMfaDevice && u.attributes?.mfaActive === true) continue;
              if (t.loginProfile) {
                const has = hasLoginProfile(graph, u);
                if (has === undefined) out.push({ id: u.id, arn: a, uncertain: 'whether the user has a console password (no credential report)' });
                else if (has === (t.loginProfile === 'present')) out.push({ id: u.id, arn: a });
              } else out.push({ id: u.id, arn: a });
            }
            return out;
          }
          case 'role':
            return (ix.rolesByAccount.get(account) ?? []).flatMap((r) => (arnOf(r) ? [{ id: r.id, arn: arnOf(r)! }] : []));
          case 'group': {
            if (!caller || caller.type !== 'iam-user') return [];
            const mine = new Set(ix.groupsOf.get(caller.id) ?? []);
            return (ix.groupsByAccount.get(account) ?? [])
              .filter((g) => (t.callerMustBeMember ? mine.has(g.id) : !mine.has(g.id)))
              .flatMap((g) => (arnOf(g) ? [{ id: g.id, arn: arnOf(g)! }] : []));
          }
          case 'attached-policy': {
            if (!caller && t.holder !== 'role') return [];
            const customer = (ref: { entitlement: { entitlementType: string; managedBy?: string; externalId?: string; attributes?: Record<string, unknown> } }) =>
              ref.entitlement.entitlementType === 'managed-policy' &&
              ref.entitlement.managedBy !== 'platform' &&
              !!ref.entitlement.externalId &&
              // a policy with a single version has nothing to switch to
              !(t.otherVersion && typeof ref.entitlement.attributes?.versionCount === 'number' && ref.entitlement.attributes.versionCount < 2);
            const out: Candidate[] = [];
            if (t.holder === 'role') {
              // customer-managed policies attached to another role, which the caller then assumes
              // (the same list for every caller: a caller's own roles in it only make self-loops, which the analysis drops)
              for (const r of ix.rolesByAccount.get(account) ?? []) {
                if (!arnOf(r)) continue;
                for (const ref of policiesOf(graph, r.id).policies) if (customer(ref)) out.push({ id: r.id, arn: arnOf(r)!, policyArn: ref.entitlement.externalId });
              }
              return out;
            }
            if (!caller) return out;
            // customer-managed policies the caller holds itself or through its groups
            for (const ref of policiesOf(graph, caller.id).policies) {
              if (customer(ref)) out.push({ id: caller.id, arn: arnOf(caller) ?? caller.id, policyArn: ref.entitlement.externalId, actedOn: ref.entitlement.id });
            }
            return out;
          }
          default:
            return [];
        }
      }

      /** Candidates that do not depend on the caller (roles trusting a service, users, roles), built once per account. */
      function sharedCandidates(m: EscalationMethod, account: string): Candidate[] | undefined {
        const t = m.target;
        if (t.kind !== 'role-trusting-service' && t.kind !== 'role-of-existing-resource' && t.kind !== 'user' && t.kind !== 'role' && !(t.kind === 'attached-policy' && t.holder === 'role')) return undefined;
        const key = `${account}\u0000${m.id}`;
        let list = candidateMemo.get(key);
        if (!list) {
          list = candidatesFor(m, undefined, account);
          candidateMemo.set(key, list);
        }
        return list;
      }

      /** Roles the caller can try to assume: those whose trust names it, and those trusting its account. */
      function assumable(caller: PrincipalNode): Set<string> {
        let set = assumableMemo.get(caller.id);
        if (set) return set;
        set = new Set(graph.out(caller.id, 'CAN_ASSUME').map((e) => e.to));
        if (scopeOf(caller.id, 'sts:AssumeRole').patterns.length > 0) for (const r of accountTrusting().get(caller.scope!) ?? []) set.add(r.id);
        assumableMemo.set(caller.id, set);
        return set;
      }

      /**
       * The cheap question first, asked of every caller and method without allocating: may the caller use the method
       * at all (its type, its boundary, its policies naming each action of a requirement list)? The lists it may use.
       */
      function possibleLists(m: EscalationMethod, caller: PrincipalNode): MethodRequirement[][] | undefined {
        if (m.callerTypes && !m.callerTypes.includes(caller.type)) return undefined;
        let possible: MethodRequirement[][] | undefined;
        for (const reqs of m.anyOf) {
          let ok = true;
          for (const r of reqs) {
            if (!isAssume(r) && scopeOf(caller.id, r.action).patterns.length === 0) {
              ok = false;
              break;
            }
          }
          if (ok) (possible ??= []).push(reqs);
        }
        if (possible && m.limitedBy === 'caller-boundary' && boundedBelowAdmin(graph, caller.id)) return undefined;
        return possible;
      }

      function* methodEdges(m: EscalationMethod, caller: PrincipalNode, account: string, partition: string, possible: MethodRequirement[][]): Iterable<BecomeEdge> {
        const companion = companionFor(m, caller, account, partition);
        if (companion === null) return; // the method passes a second role, and the caller may pass none
        const shared = sharedCandidates(m, account);
        // shared candidate lists keep the caller in: answers are shared between callers, and the analysis drops the
        // self-loop; a caller-specific list never holds another caller
        let all = shared ?? candidatesFor(m, caller, account);
        if (m.limitedBy === 'target-boundary') {
          const k = `${account}\u0000${m.id}`;
          const hit = shared ? unboundedMemo.get(k) : undefined;
          if (hit) all = hit;
          else {
            all = all.filter((c) => !boundedBelowAdmin(graph, c.actedOn ?? c.id));
            if (shared) unboundedMemo.set(k, all);
          }
        }
        if (all.length === 0) return;
        const to = (c: Candidate) => (m.becomes === 'admin' ? adminSinkId('aws', account) : c.id);
        const evalReq = (r: MethodRequirement, c?: Candidate): Evaluation =>
          isAssume(r) && c ? assumeAsEvaluation(caller.id, c.actedOn ?? c.id) : evaluator.evaluate(caller.id, r.action, fill(r.resource, account, c, partition, companion), { context: r.context });
        for (let li = 0; li < possible.length; li++) {
          const reqs = possible[li];
          const perTarget = reqs.filter(dependsOnTarget);
          const hasAssume = perTarget.some(isAssume);
          // principals that share a policy set get the same answer unless trust or resource-dependent statements
          // (variables, scoped Denies, boundaries naming resources) make it personal: compute it once per set
          // the answer depends only on the statements that cover the list's actions: callers whose signatures match
          // share it, even when the rest of their policies differ
          const sigs = reqs.map((r) => (isAssume(r) ? '' : scopeOf(caller.id, r.action).signature));
          const personal = hasAssume || shared === undefined || sigs.some((x, i) => !isAssume(reqs[i]) && x === '') || perTarget.some((r) => !isAssume(r) && scopeOf(caller.id, r.action).resourceDependent);
          const key = personal ? undefined : `${account}\u0000${m.id}\u0000${li}\u0000${sigs.join('|')}\u0000${companion ?? ''}`;
          let result = key !== undefined ? listMemo.get(key) : undefined;
          if (result === undefined) {
            result = listResult(m, reqs, caller, account, partition, companion, all, shared !== undefined, evalReq, to);
            // many targets shared by every holder of this policy set: one hub per set keeps edges linear
            if (key !== undefined && result && !result.hub && result.edges.length > hubThreshold) {
              const hub = awsHubId(account, `${m.id}:set${setHubs.size + 1}`);
              setHubs.set(key, hub);
              for (const e of result.edges) pendingHubEdges.push({ ...e, from: hub });
              result = { hub, evals: [], decision: 'allowed', unknownKeys: [], edges: [] };
            }
            if (key !== undefined) listMemo.set(key, result);
          }
          if (result === null) continue;
          if (result.hub) {
            yield { from: caller.id, to: result.hub, method: m.id, statements: refsOf(result.evals!), decision: result.decision!, unknownKeys: result.unknownKeys!, confidence: m.confidence, ...(m.dependsOn ? { dependsOn: m.dependsOn } : {}) };
            break;
          }
          // another list may reach more targets, or the same ones more surely (the analysis keeps the surest edge)
          for (const e of result.edges) yield { ...e, from: caller.id };
        }
      }

      /**
       * One requirement list of a method for one caller: null when it does not hold anywhere, a hub when it holds
       * alike on every candidate (callers allowed on `*`), otherwise the edges to each candidate it holds on.
       */
      function listResult(
        m: EscalationMethod,
        reqs: MethodRequirement[],
        caller: PrincipalNode,
        account: string,
        partition: string,
        companion: string | undefined,
        all: Candidate[],
        shareable: boolean,
        evalReq: (r: MethodRequirement, c?: Candidate) => Evaluation,
        to: (c: Candidate) => string,
      ): { hub?: string; evals?: Evaluation[]; decision?: 'allowed' | 'conditional'; unknownKeys?: string[]; edges: Array<Omit<BecomeEdge, 'from'>> } | null {
        const fixed = reqs.filter((r) => !dependsOnTarget(r));
        const perTarget = reqs.filter(dependsOnTarget);
        const fixedEvals = fixed.map((r) => fixedEvaluation(caller.id, r, account, partition, companion));
        if (!combine(fixedEvals)) return null;
        const indexFor = (r: MethodRequirement): TargetIndex | undefined => {
          if (!shareable) return undefined;
          let byReq = indexMemo.get(all);
          if (!byReq) indexMemo.set(all, (byReq = new Map()));
          const k = `${r.resource}\u0000${partition}\u0000${companion ?? ''}`;
          let ix = byReq.get(k);
          if (!ix) byReq.set(k, (ix = new TargetIndex(all, (c) => fill(r.resource, account, c, partition, companion))));
          return ix;
        };
        // narrow the candidates by the resources the caller's Allow statements can match, and by trust
        let pool: readonly Candidate[] = all;
        let uniform = shareable; // every candidate a set of patterns matches gets the same answer (see below)
        const patternsOf = new Map<MethodRequirement, string[]>();
        for (const r of perTarget) {
          if (isAssume(r)) {
            uniform = false; // trust differs role by role
            const mine = assumable(caller);
            if (pool === all && shareable) {
              // look the caller's assumable roles up instead of scanning the whole list
              const byRole = candidatesByRole(all);
              const hit: Candidate[] = [];
              for (const id of mine) for (const c of byRole.get(id) ?? []) hit.push(c);
              const order = orderOf(all);
              pool = hit.sort((x, y) => order.get(x)! - order.get(y)!);
            } else pool = pool.filter((c) => mine.has(c.actedOn ?? c.id));
            if (pool.length === 0) return null;
            continue;
          }
          const sc = scopeOf(caller.id, r.action);
          if (sc.resourceDependent || sc.targetConditions) uniform = false;
          const pats = [...new Set(callerPatterns(sc, caller, account))].sort();
          patternsOf.set(r, pats);
          if (pats.includes('*')) continue;
          const ix = indexFor(r);
          if (ix) {
            const matched = ix.matchAll(pats);
            if (pool === all) pool = matched;
            else {
              const hit = new Set(matched);
              pool = pool.filter((c) => hit.has(c));
            }
          } else {
            const globs = pats.map((p) => compileGlob(p, { caseSensitive: true }));
            pool = pool.filter((c) => globs.some((g) => g.test(fill(r.resource, account, c, partition, companion))));
          }
          if (pool.length === 0) return null;
        }
        if (pool.length === 0) return null;

        const edges: Array<Omit<BecomeEdge, 'from'>> = [];
        const toAdmin = m.becomes === 'admin';
        const candidateEdge = (cand: Candidate, evals: Evaluation[], c: { decision: 'allowed' | 'conditional'; unknownKeys: string[] }): Omit<BecomeEdge, 'from'> => {
          const dependsOn = [m.dependsOn, cand.uncertain].filter(Boolean).join('; ');
          return {
            to: to(cand),
            method: m.id,
            ...(toAdmin ? { target: cand.actedOn ?? cand.id } : {}),
            statements: refsOf(evals),
            decision: c.decision,
            unknownKeys: c.unknownKeys,
            confidence: cand.uncertain ? weaker(m.confidence, 'medium') : m.confidence,
            ...(dependsOn ? { dependsOn } : {}),
          };
        };
        /** one edge per candidate, each evaluated; to an admin sink, the first sure one is enough */
        const eachCandidate = (members: readonly Candidate[]) => {
          for (const cand of members) {
            const evals: Evaluation[] = [...fixedEvals];
            for (const r of perTarget) {
              const e = evalReq(r, cand);
              evals.push(e);
              if (e.decision === 'denied') break;
            }
            const c = combine(evals);
            if (!c) continue;
            const edge = candidateEdge(cand, evals, c);
            edges.push(edge);
            if (toAdmin && edge.decision === 'allowed' && edge.confidence === m.confidence) return;
          }
        };
        if (!uniform || pool.length <= hubThreshold) {
          eachCandidate(pool);
          return edges.length > 0 ? { edges } : null;
        }

        // Uniform: no Deny, boundary, variable or condition that names targets, so candidates matched by the same
        // patterns get the same answer. Split the pool into such classes (usually one), evaluate a representative of
        // each, and reach a large class through one hub shared by every caller with the same patterns.
        const psKey = [account, m.id, reqs.map((r) => `${r.action}@${r.resource}`).join('+'), partition, companion ?? '', ...perTarget.map((r) => `${r.action}=${patternsOf.get(r)!.join(',')}`)].join('\u0000');
        let classes = classMemo.get(psKey);
        if (!classes) {
          const keyOf = new Map<Candidate, string>();
          for (const r of perTarget) {
            const pats = patternsOf.get(r)!;
            if (pats.length < 2) continue;
            const ix = indexFor(r)!;
            pats.forEach((p, i) => {
              for (const c of p === '*' ? all : ix.match(p)) keyOf.set(c, `${keyOf.get(c) ?? ''}${r.action}#${i},`);
            });
          }
          const byKey = new Map<string, Candidate[]>();
          for (const c of pool) push(byKey, keyOf.get(c) ?? '', c);
          classes = [...byKey].map(([key, members]) => ({ key, members }));
          classMemo.set(psKey, classes);
        }
        for (const cls of classes) {
          if (cls.members.length <= hubThreshold) {
            eachCandidate(cls.members);
            continue;
          }
          const rep = cls.members.find((c) => !c.uncertain) ?? cls.members[0];
          const evals = [...fixedEvals, ...perTarget.map((r) => evalReq(r, rep))];
          const c = combine(evals);
          if (!c) continue;
          if (toAdmin) {
            edges.push(candidateEdge(rep, evals, c));
            continue;
          }
          const hk = `${psKey}\u0000${cls.key}`;
          let hub = classHubs.get(hk);
          if (!hub) {
            hub = awsHubId(account, `${m.id}:${classHubs.size + 1}`);
            classHubs.set(hk, hub);
            for (const cand of cls.members) pendingHubEdges.push(hubEdge(hub, cand, m));
          }
          edges.push({ to: hub, method: m.id, statements: refsOf(evals), decision: c.decision, unknownKeys: c.unknownKeys, confidence: m.confidence, ...(m.dependsOn ? { dependsOn: m.dependsOn } : {}) });
        }
        return edges.length > 0 ? { edges } : null;
      }

      /**
       * A requirement on a resource the caller creates (`arn:aws:lambda:*:${account}:function:*`): the engine reads a
       * `*` left in the request resource as "a resource of the caller's choosing" and tries concrete candidates from
       * the caller's own Resource entries (it never guesses `allowed`).
       */
      function fixedEvaluation(callerId: string, r: MethodRequirement, account: string, partition: string, companion?: string): Evaluation {
        return evaluator.evaluate(callerId, r.action, fill(r.resource, account, undefined, partition, companion), { context: r.context });
      }

      /** sts:AssumeRole on the target: the trust policy with the caller's identity policy, as an Evaluation. */
      function assumeAsEvaluation(callerId: string, roleId: string): Evaluation {
        const a = evaluator.canAssume(callerId, roleId);
        return {
          decision: a.decision,
          principalId: callerId,
          action: 'sts:AssumeRole',
          resource: roleId,
          allows: [...a.trust, ...(a.identity?.allows ?? [])],
          denies: a.identity?.denies ?? [],
          ...(a.identity?.scp ? { scp: a.identity.scp } : {}),
          ...(a.identity?.rcp ? { rcp: a.identity.rcp } : {}),
          conditions: a.conditions,
          unknownKeys: a.unknownKeys,
        };
      }

      /**
       * A method that passes a second role too (Data Pipeline): the ARN of one role trusting the companion service that
       * the caller may pass; undefined when the method has none; null when the caller may pass no such role.
       */
      function companionFor(m: EscalationMethod, caller: PrincipalNode, account: string, partition: string): string | undefined | null {
        if (m.target.kind !== 'role-trusting-service' || !m.target.companion) return undefined;
        const needs = m.anyOf.flat().filter((r) => r.resource.includes('${companion}'));
        for (const role of (ix.rolesTrusting.get(m.target.companion.service.toLowerCase()) ?? []).filter((r) => r.scope === account)) {
          const arn = arnOf(role);
          if (!arn) continue;
          if (needs.every((r) => evaluator.evaluate(caller.id, r.action, fill(r.resource, account, undefined, partition, arn), { context: r.context }).decision !== 'denied')) return arn;
        }
        return null;
      }

      function hubEdge(hub: string, cand: Candidate, m: EscalationMethod): BecomeEdge {
        return { from: hub, to: cand.id, method: m.id, statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high', ...(cand.uncertain ? { dependsOn: cand.uncertain, confidence: 'medium' as const } : {}) };
      }

      /**
       * Role trust. A CAN_ASSUME edge from a principal: the engine decides with the trust and, where needed, the
       * caller's identity policy. Trust in an account (its root): every caller of that account whose identity policy
       * allows sts:AssumeRole on the role. Roles whose account trust has no condition are the same for every caller:
       * a caller allowed sts:AssumeRole on `*` reaches them through one hub per account.
       */
      function* assumeEdges(): Iterable<BecomeEdge> {
        const plainByAccount = new Map<string, PrincipalNode[]>();
        const conditionalByAccount = new Map<string, PrincipalNode[]>();
        for (const role of graph.principals()) {
          if (role.platform !== 'aws' || role.type !== 'iam-role' || role.attributes?.serviceLinked === true) continue;
          for (const e of graph.in(role.id, 'CAN_ASSUME') as IdentityEdge[]) {
            const from = graph.node(e.from);
            if (e.from.startsWith('aws:account:')) {
              const conds = e.attributes?.conditions;
              const plain = !conds || (typeof conds === 'object' && Object.keys(conds as object).length === 0);
              push(plain ? plainByAccount : conditionalByAccount, e.from.slice('aws:account:'.length), role);
              continue;
            }
            if (!from || from.kind !== 'principal' || !isCaller(from as PrincipalNode)) continue;
            const edge = assumeEdge(from.id, role.id);
            if (edge) yield edge;
          }
        }
        const namedRoles = new Map<string, { plain: PrincipalNode[]; conditional: PrincipalNode[]; hub: string | undefined }>();
        for (const account of new Set([...plainByAccount.keys(), ...conditionalByAccount.keys()])) {
          const plain = plainByAccount.get(account) ?? [];
          const conditional = conditionalByAccount.get(account) ?? [];
          const hub = awsHubId(account, ASSUME_ROLE_METHOD);
          let hubBuilt = false;
          for (const list of [ix.usersByAccount.get(account), ix.rolesByAccount.get(account)]) {
            for (const caller of list ?? []) {
              if (!isCaller(caller) || !(relevance(relevanceMemo, ctx, caller.id, METHOD_SERVICES) & USES_STS)) continue;
              const s = scopeOf(caller.id, 'sts:AssumeRole');
              if (s.patterns.length === 0) continue;
              const uniform = s.patterns.includes('*') && !s.resourceDependent && !s.targetConditions && plain.length > hubThreshold;
              let targets: PrincipalNode[];
              if (uniform) {
                const rep = plain[0];
                const a = evaluator.canAssume(caller.id, rep.id);
                if (a.decision !== 'denied') {
                  if (!hubBuilt) {
                    hubBuilt = true;
                    for (const r of plain) yield { from: hub, to: r.id, method: ASSUME_ROLE_METHOD, statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high' };
                  }
                  yield { from: caller.id, to: hub, method: ASSUME_ROLE_METHOD, statements: withOrgRefs([...a.trust, ...(a.identity?.allows ?? [])], a.identity), decision: a.decision, unknownKeys: a.unknownKeys, confidence: 'high' };
                }
                targets = conditional;
              } else if (s.patterns.includes('*')) targets = [...plain, ...conditional];
              else {
                // the roles some patterns name, once per account and pattern set
                const k = `${account}\u0000${[...s.patterns].sort().join('\n')}`;
                let named = namedRoles.get(k);
                if (!named) {
                  const globs = s.patterns.map((p) => compileGlob(p));
                  const match = (r: PrincipalNode) => globs.some((g) => g.test(arnOf(r) ?? ''));
                  named = { plain: plain.filter(match), conditional: conditional.filter(match), hub: undefined };
                  namedRoles.set(k, named);
                }
                if (!s.resourceDependent && !s.targetConditions && named.plain.length > hubThreshold) {
                  // many plain roles named alike: one hub for this pattern set, the caller's own grant on its way in
                  const a = evaluator.canAssume(caller.id, named.plain[0].id);
                  if (a.decision !== 'denied') {
                    if (!named.hub) {
                      named.hub = awsHubId(account, `${ASSUME_ROLE_METHOD}:${namedRoles.size}`);
                      for (const r of named.plain) yield { from: named.hub, to: r.id, method: ASSUME_ROLE_METHOD, statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high' };
                    }
                    yield { from: caller.id, to: named.hub, method: ASSUME_ROLE_METHOD, statements: withOrgRefs([...a.trust, ...(a.identity?.allows ?? [])], a.identity), decision: a.decision, unknownKeys: a.unknownKeys, confidence: 'high' };
                  }
                  targets = named.conditional;
                } else targets = [...named.plain, ...named.conditional];
              }
              for (const role of targets) {
                if (role.id === caller.id) continue;
                const edge = assumeEdge(caller.id, role.id);
                if (edge) yield edge;
              }
            }
          }
        }
      }

      function assumeEdge(callerId: string, roleId: string): BecomeEdge | undefined {
        const a = evaluator.canAssume(callerId, roleId);
        if (a.decision === 'denied') return undefined;
        return { from: callerId, to: roleId, method: ASSUME_ROLE_METHOD, statements: withOrgRefs([...a.trust, ...(a.identity?.allows ?? [])], a.identity), decision: a.decision, unknownKeys: a.unknownKeys, confidence: 'high' };
      }
    },
  };
}

export type { PathContext };
