/**
 * The authorization engine for AWS identity policies and role trust (docs/authorization.md).
 *
 * `createEvaluator(graph, { now })` answers "may this principal do this action on this resource?" the way AWS's
 * documented evaluation logic does for one account: an explicit Deny in any of the principal's policies (its own
 * inline and attached policies, its groups' policies, its permissions boundary) wins; otherwise an identity-policy
 * Allow is needed, and the permissions boundary must allow too. Statements match by Action / NotAction
 * (case-insensitive globs), Resource / NotResource (case-sensitive ARN globs, part by part) and Condition (see
 * conditions.ts), with policy variables substituted per principal (variables.ts). Whatever the scan cannot know
 * (a source IP, an external id, a role session's MFA) makes the answer `conditional` with the keys named; the engine
 * never guesses `allowed`.
 *
 * Cost: documents are compiled once (per parsed document), a principal's policy set once per set, and answers are
 * memoised per policy set and request, so principals that share their policies share the work. A set whose
 * documents read principal-dependent keys (variables, aws:PrincipalArn, aws:PrincipalTag/..., MFA) is keyed by the
 * principal too.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { EntitlementNode, IdentityNode } from '../model/types.js';
import { compileGlob, type GlobMatcher } from '../util/glob.js';
import {
  ABSENT_KEY,
  arnWitness,
  compileArnPattern,
  compileCondition,
  conditionVariableKeys,
  evaluateCondition,
  FALSE,
  keyValues,
  not3,
  TRUE,
  type ArnMatcher,
  type CompiledCondition,
  type KeyState,
  type Tri,
  UNKNOWN,
  UNKNOWN_KEY,
} from './conditions.js';
import type { AssumeEvaluation, ConditionContext, ConditionOutcome, Decision, Evaluation, Evaluator, RequestOptions, StatementRef } from './decision.js';
import { type PolicyDocument, type PrincipalSet, parsePolicy, type Statement } from './document.js';
import { entitlementDocument, policiesOf } from './effective.js';
import { organizationOf, type OrgView, rcpGoverns, rcpsOf, scpScopeOf, type ScpScope } from './organization.js';
import { parseTemplate, resolveTemplate, type Template, type Token, type VarValue } from './variables.js';

// ---------------------------------------------------------------------------------------------------------------
// Compiled documents

interface ActionSet {
  all: boolean;
  exact: Set<string>;
  globs: GlobMatcher[];
}

interface ResourceEntry {
  template: Template;
  /** compiled once when the entry has no variables */
  matcher?: ArnMatcher;
  tokens?: Token[];
}

interface CStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions?: ActionSet;
  notActions?: ActionSet;
  resources?: ResourceEntry[];
  notResources?: ResourceEntry[];
  conditions: CompiledCondition[];
  principals?: PrincipalSet;
  notPrincipals?: PrincipalSet;
  /** the `AWS` values of Principal / NotPrincipal, trimmed */
  awsPrincipals?: string[];
}

interface CDoc {
  statements: CStatement[];
  /** parse problems and skipped statements, one line each */
  notes: string[];
  /** the document reads a key that depends on the principal (as a condition key or a variable) */
  principalDependent: boolean;
}

/** Condition keys the evaluator derives from the principal (lower case); `aws:principaltag/` is a prefix. */
const PRINCIPAL_KEYS = new Set([
  'aws:principalarn',
  'aws:principalaccount',
  'aws:username',
  'aws:userid',
  'aws:principaltype',
  'aws:principalisawsservice',
  'aws:multifactorauthpresent',
  'aws:multifactorauthage',
  'aws:tokenissuetime',
]);

function isPrincipalKey(keyLower: string): boolean {
  return PRINCIPAL_KEYS.has(keyLower) || keyLower.startsWith('aws:principaltag/');
}

function compileActions(patterns: string[]): ActionSet {
  const set: ActionSet = { all: false, exact: new Set(), globs: [] };
  for (const raw of patterns) {
    const p = raw.trim().toLowerCase();
    if (p === '*') set.all = true;
    else if (/[*?]/.test(p)) set.globs.push(compileGlob(p));
    else set.exact.add(p);
  }
  return set;
}

function actionIn(set: ActionSet, actionLower: string): boolean {
  if (set.all || set.exact.has(actionLower)) return true;
  for (const g of set.globs) if (g.test(actionLower)) return true;
  return false;
}

function statementMatchesAction(st: CStatement, actionLower: string): boolean {
  if (st.actions) return actionIn(st.actions, actionLower);
  if (st.notActions) return !actionIn(st.notActions, actionLower);
  return false;
}

function compileResources(list: string[], variables: boolean): ResourceEntry[] {
  return list.map((raw) => {
    const template = parseTemplate(raw, variables);
    const entry: ResourceEntry = { template };
    if (!template.hasVars) {
      const r = resolveTemplate(template, true, () => UNKNOWN_VAR);
      if (r.kind === 'tokens') {
        entry.matcher = compileArnPattern(r.tokens);
        entry.tokens = r.tokens;
      }
    }
    return entry;
  });
}

const UNKNOWN_VAR: VarValue = { kind: 'unknown' };
const identityCache = new WeakMap<PolicyDocument, CDoc>();
const trustCache = new WeakMap<PolicyDocument, CDoc>();

/** Compile a parsed document once. `identity`: identity policy or boundary; `trust`: a role trust policy. */
function compileDocument(doc: PolicyDocument, kind: 'identity' | 'trust'): CDoc {
  const cache = kind === 'identity' ? identityCache : trustCache;
  const hit = cache.get(doc);
  if (hit) return hit;
  const variables = doc.version?.trim() === '2012-10-17';
  const notes = [...doc.issues];
  const statements: CStatement[] = [];
  let principalDependent = false;
  for (const st of doc.statements) {
    const problem = kind === 'identity' ? identityProblem(st) : trustProblem(st);
    if (problem) {
      notes.push(`Statement[${st.index}]${st.sid ? ` (${st.sid})` : ''}: ${problem}, skipped`);
      continue;
    }
    const c: CStatement = { index: st.index, effect: st.effect, conditions: [] };
    if (st.sid) c.sid = st.sid;
    if (st.actions) c.actions = compileActions(st.actions);
    else if (st.notActions) c.notActions = compileActions(st.notActions);
    if (st.resources) c.resources = compileResources(st.resources, variables);
    else if (st.notResources) c.notResources = compileResources(st.notResources, variables);
    if (st.principals) c.principals = st.principals;
    if (st.notPrincipals) c.notPrincipals = st.notPrincipals;
    if (st.principals || st.notPrincipals) c.awsPrincipals = awsValues((st.principals ?? st.notPrincipals)!);
    if (kind === 'trust' && st.notPrincipals) notes.push(`Statement[${st.index}]: AWS does not accept NotPrincipal in a trust policy; evaluated as in a resource policy`);
    for (const [operator, block] of Object.entries(st.conditions ?? {})) {
      for (const [key, values] of Object.entries(block)) {
        const cc = compileCondition(operator, key, values, variables);
        c.conditions.push(cc);
        if (!cc.op) notes.push(`Statement[${st.index}]: unknown condition operator ${operator} (its condition is left undecided)`);
        if (isPrincipalKey(cc.keyLower) || conditionVariableKeys(cc).some(isPrincipalKey)) principalDependent = true;
      }
    }
    for (const r of [...(c.resources ?? []), ...(c.notResources ?? [])]) if (r.template.keys.some(isPrincipalKey)) principalDependent = true;
    statements.push(c);
  }
  const out: CDoc = { statements, notes, principalDependent };
  cache.set(doc, out);
  return out;
}

function identityProblem(st: Statement): string | undefined {
  if (st.principals || st.notPrincipals) return 'Principal / NotPrincipal is not allowed in an identity policy';
  if (st.actions && st.notActions) return 'both Action and NotAction';
  if (!st.actions && !st.notActions) return 'no Action or NotAction';
  if (st.resources && st.notResources) return 'both Resource and NotResource';
  if (!st.resources && !st.notResources) return 'no Resource or NotResource (required in identity policies)';
  return undefined;
}

function trustProblem(st: Statement): string | undefined {
  if (st.actions && st.notActions) return 'both Action and NotAction';
  if (!st.actions && !st.notActions) return 'no Action or NotAction';
  if (st.principals && st.notPrincipals) return 'both Principal and NotPrincipal';
  if (!st.principals && !st.notPrincipals) return 'no Principal (required in a trust policy)';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Principals

type PrincipalKind = 'user' | 'role' | 'root' | 'group' | 'other';

interface PrincipalInfo {
  id: string;
  node?: IdentityNode;
  kind: PrincipalKind;
  arn?: string;
  account?: string;
  partition: string;
  name?: string;
  /** role name without its path (for assumed-role session ARNs) */
  roleName?: string;
  uniqueId?: string;
  /** tag key (lower case) → value */
  tags: ReadonlyMap<string, string>;
  mfa: KeyState;
  mfaAge: KeyState;
  tokenIssueTime: KeyState;
  /** aws:PrincipalOrgID / aws:PrincipalOrgPaths (known when the graph holds the organisation) */
  orgId: KeyState;
  orgPaths: KeyState;
}

const ARN_RE = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/;

function parseArn(arn: string | undefined): { partition: string; service: string; account: string; resource: string } | undefined {
  const m = arn ? ARN_RE.exec(arn) : null;
  return m ? { partition: m[1], service: m[2], account: m[4], resource: m[5] } : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** MultiFactorAuthPresent of an IAM user without an MFA device: absent (access keys) or false (a session). */
const MFA_NO_DEVICE: KeyState = { kind: 'known', worlds: [null, ['false']] };
/** ... and of a user that has one (or whose MFA state was not read): true is possible too. */
const MFA_MAYBE: KeyState = { kind: 'known', worlds: [null, ['false'], ['true']] };
const NO_TAGS: ReadonlyMap<string, string> = new Map();

function principalInfo(graph: IdentityGraph, id: string, clock: Clock): PrincipalInfo {
  const node = graph.node(id);
  const type = node?.platform === 'aws' && node.kind === 'principal' ? node.type : undefined;
  const kind: PrincipalKind = type === 'iam-user' ? 'user' : type === 'iam-role' ? 'role' : type === 'root' ? 'root' : type === 'iam-group' ? 'group' : 'other';
  const arn = str(node?.attributes?.arn) ?? str(node?.externalId) ?? (id.startsWith('aws:') ? str(id.slice(id.indexOf(':', 4) + 1)) : undefined);
  const parsed = parseArn(arn);
  const account = str(node?.scope) ?? parsed?.account;
  let tags = NO_TAGS;
  if (node?.tags && Object.keys(node.tags).length > 0) {
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(node.tags)) m.set(k.toLowerCase(), v);
    tags = m;
  }
  const info: PrincipalInfo = { id, kind, partition: parsed?.partition ?? 'aws', tags, mfa: UNKNOWN_KEY, mfaAge: UNKNOWN_KEY, tokenIssueTime: UNKNOWN_KEY, orgId: UNKNOWN_KEY, orgPaths: UNKNOWN_KEY };
  if (node) info.node = node;
  if (arn && parsed) info.arn = arn;
  if (account) info.account = account;
  if (node?.name) info.name = node.name;
  if (kind === 'role') {
    info.roleName = parsed?.resource.split('/').pop() ?? node?.name;
    info.uniqueId = str(node?.attributes?.roleId);
    info.tokenIssueTime = clock.issuedNow;
  }
  if (kind === 'user' || kind === 'root') {
    if (kind === 'user') info.uniqueId = str(node?.attributes?.userId);
    // long-term access keys: the MFA keys and aws:TokenIssueTime are absent; temporary credentials (console,
    // GetSessionToken, AssumeRole from the user) carry MultiFactorAuthPresent false, or true with an MFA device
    const mfaActive = node?.attributes?.mfaActive;
    info.mfa = mfaActive === false ? MFA_NO_DEVICE : MFA_MAYBE;
    info.mfaAge = mfaActive === false ? ABSENT_KEY : UNKNOWN_KEY;
    info.tokenIssueTime = clock.keysOrSession;
  }
  if (kind === 'group') info.tokenIssueTime = clock.keysOrSession;
  return info;
}

interface Clock {
  nowIso: string;
  epoch: string;
  current: KeyState;
  epochState: KeyState;
  /** aws:TokenIssueTime of a role session: now */
  issuedNow: KeyState;
  /** aws:TokenIssueTime of a user: absent with access keys, now in a session */
  keysOrSession: KeyState;
}

function clockOf(now: Date): Clock {
  const nowIso = now.toISOString();
  const epoch = String(Math.floor(now.getTime() / 1000));
  return { nowIso, epoch, current: keyValues([nowIso]), epochState: keyValues([epoch]), issuedNow: keyValues([nowIso]), keysOrSession: { kind: 'known', worlds: [null, [nowIso]] } };
}

/** The state of a condition key for a request by `p`; `ctx` (from the caller) wins over what is derived. */
function keyState(p: PrincipalInfo, keyLower: string, ctx: Map<string, KeyState> | undefined, clock: Clock): KeyState {
  const given = ctx?.get(keyLower);
  if (given) return given;
  const isPrincipal = p.kind === 'user' || p.kind === 'role' || p.kind === 'root';
  switch (keyLower) {
    case 'aws:currenttime':
      return clock.current;
    case 'aws:epochtime':
      return clock.epochState;
    case 'aws:tokenissuetime':
      return p.tokenIssueTime;
    case 'aws:principalarn':
      return isPrincipal && p.arn ? keyValues([p.arn]) : UNKNOWN_KEY;
    case 'aws:principalaccount':
      return p.kind !== 'other' && p.account ? keyValues([p.account]) : UNKNOWN_KEY;
    case 'aws:username':
      if (p.kind === 'user' && p.name) return keyValues([p.name]);
      return p.kind === 'role' || p.kind === 'root' ? ABSENT_KEY : UNKNOWN_KEY;
    case 'aws:userid':
      if (p.kind === 'user' && p.uniqueId) return keyValues([p.uniqueId]);
      if (p.kind === 'root' && p.account) return keyValues([p.account]);
      return UNKNOWN_KEY;
    case 'aws:principaltype':
      if (p.kind === 'user' || p.kind === 'group') return keyValues(['User']);
      if (p.kind === 'role') return keyValues(['AssumedRole']);
      if (p.kind === 'root') return keyValues(['Account']);
      return UNKNOWN_KEY;
    case 'aws:principalisawsservice':
      return p.kind === 'other' ? UNKNOWN_KEY : keyValues(['false']);
    case 'aws:multifactorauthpresent':
      return p.mfa;
    case 'aws:multifactorauthage':
      return p.mfaAge;
    case 'aws:principalorgid':
      return isPrincipal ? p.orgId : UNKNOWN_KEY;
    case 'aws:principalorgpaths':
      return isPrincipal ? p.orgPaths : UNKNOWN_KEY;
  }
  if (keyLower.startsWith('aws:principaltag/')) {
    if (!isPrincipal) return UNKNOWN_KEY;
    const v = p.tags.get(keyLower.slice('aws:principaltag/'.length));
    return v === undefined ? ABSENT_KEY : keyValues([v]);
  }
  return UNKNOWN_KEY;
}

/**
 * A principal of an account the organisation does not list is in no organisation or in another one: its
 * aws:PrincipalOrgID is absent or some other id. The other id stands as a value no real id equals; a pattern that
 * would match any org id (`o-*`) stays undecided between the two worlds.
 */
const OTHER_ORG = 'o-(another-organization)';

function orgKeys(info: PrincipalInfo, view: OrgView | undefined): void {
  if (!view || !info.account || (info.kind !== 'user' && info.kind !== 'role' && info.kind !== 'root')) return;
  const a = view.accounts.get(info.account);
  if (a) {
    if (a.organizationId) info.orgId = keyValues([a.organizationId]);
    if (a.orgPath) info.orgPaths = keyValues([a.orgPath]);
    else if (a.organizationId && a.management) info.orgPaths = UNKNOWN_KEY;
    return;
  }
  info.orgId = { kind: 'known', worlds: [null, [OTHER_ORG]] };
  info.orgPaths = { kind: 'known', worlds: [null, [`${OTHER_ORG}/`]] };
}

/** A key used as a policy variable: one value, absent, or unknown (several worlds that disagree count as unknown). */
function varValue(state: KeyState): VarValue {
  if (state.kind === 'unknown') return UNKNOWN_VAR;
  const [first, ...rest] = state.worlds;
  const same = rest.every((w) => (w === null ? first === null : first !== null && w.length === first.length && w.every((x, i) => x === first[i])));
  if (!same) return UNKNOWN_VAR;
  if (first === null) return { kind: 'absent' };
  return first.length === 1 ? { kind: 'value', value: first[0] } : UNKNOWN_VAR;
}

interface NormalContext {
  map?: Map<string, KeyState>;
  key: string;
}

const NO_CONTEXT: NormalContext = { key: '' };

/** What a context object held when it was last normalised (callers usually pass the same object again). */
interface SeenContext {
  names: string[];
  values: Array<string | string[] | undefined>;
  copies: Array<string[] | undefined>;
  norm: NormalContext;
}

const seenContexts = new WeakMap<ConditionContext, SeenContext>();

function unchanged(ctx: ConditionContext, seen: SeenContext): boolean {
  let count = 0;
  for (const k in ctx) if (Object.prototype.hasOwnProperty.call(ctx, k)) count++;
  if (count !== seen.names.length) return false;
  for (let i = 0; i < seen.names.length; i++) {
    const name = seen.names[i];
    if (!Object.prototype.hasOwnProperty.call(ctx, name)) return false;
    const v = ctx[name];
    if (v !== seen.values[i]) return false;
    const copy = seen.copies[i];
    if (copy && (!Array.isArray(v) || v.length !== copy.length || v.some((x, j) => x !== copy[j]))) return false;
  }
  return true;
}

/** Key states and a stable key of a request context (same content, same key, whatever the key order). */
function normaliseContext(ctx: ConditionContext | undefined, cache: Map<string, NormalContext>): NormalContext {
  if (!ctx) return NO_CONTEXT;
  const seen = seenContexts.get(ctx);
  if (seen && unchanged(ctx, seen)) return seen.norm;
  const norm = normaliseContent(ctx, cache);
  const names = Object.keys(ctx);
  const values = names.map((k) => ctx[k]);
  seenContexts.set(ctx, { names, values, copies: values.map((v) => (Array.isArray(v) ? [...v] : undefined)), norm });
  return norm;
}

function normaliseContent(ctx: ConditionContext, cache: Map<string, NormalContext>): NormalContext {
  const names = Object.keys(ctx);
  if (names.length === 0) return NO_CONTEXT;
  if (names.length > 1) names.sort();
  let key = '';
  for (const k of names) {
    const v = ctx[k];
    key += `${k.toLowerCase()}\u0000${v === undefined ? '\u0001' : Array.isArray(v) ? v.join('\u0002') + '\u0003' : v}\u0000`;
  }
  const hit = cache.get(key);
  if (hit) return hit;
  const map = new Map<string, KeyState>();
  for (const k of names) {
    const v = ctx[k];
    const values = v === undefined ? null : Array.isArray(v) ? v.map(String) : [String(v)];
    map.set(k.toLowerCase(), values === null || values.length === 0 ? ABSENT_KEY : keyValues(values));
  }
  const out: NormalContext = { map, key };
  if (cache.size >= 10_000) cache.clear();
  cache.set(key, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Policy sets

interface SetEntry {
  ref: StatementRef;
  st: CStatement;
}

interface ActionSlice {
  identity: SetEntry[];
  boundaries: SetEntry[][];
  /** SCP statements by level (root first); each level must allow */
  scps: SetEntry[][];
}

interface PolicySetBase {
  /** readable key of the policies (without the principal): `A|<via>|<policy id>` and `B|<boundary id>` lines */
  key: string;
  identity: SetEntry[];
  boundaries: SetEntry[][];
  /** SCP statements by level, when SCPs limit the principals of this set */
  scps: SetEntry[][];
  scope?: ScpScope;
  principalDependent: boolean;
  notes: string[];
  byAction: Map<string, ActionSlice>;
}

interface Parts {
  identityAllow: Tri;
  identityDeny: Tri;
  /** TRUE when there is no boundary */
  boundaryAllow: Tri;
  boundaryDeny: Tri;
  identityAllowKeys: string[];
  identityDenyKeys: string[];
  boundaryAllowKeys: string[];
  boundaryDenyKeys: string[];
  /** TRUE when no SCP applies */
  scpAllow: Tri;
  scpDeny: Tri;
  rcpDeny: Tri;
  scpAllowKeys: string[];
  scpDenyKeys: string[];
  rcpDenyKeys: string[];
}

interface Cached {
  evaluation: Evaluation;
  parts: Parts;
}

interface PrincipalEntry {
  info: PrincipalInfo;
  base: PolicySetBase;
  results: ResultCache;
}

/**
 * action as asked → resource → answer (with a request context: resource + context key → answer). When no statement
 * that names the action looks at the resource (all say `Resource: "*"`), every resource shares one answer.
 */
type ResultCache = Map<string, ActionCache>;

interface ActionCache {
  lower: string;
  resourceFree: boolean;
  plain: Map<string, Cached>;
  withContext?: Map<string, Cached>;
}

/** No statement of the slice depends on the resource: each has a `*` Resource entry. */
function resourceFree(s: ActionSlice): boolean {
  const free = (e: SetEntry) => e.st.resources !== undefined && e.st.resources.some((r) => r.template.raw.trim() === '*');
  // SCP conditions may read aws:ResourceAccount / aws:ResourceOrgID, which depend on the resource
  const orgFree = (e: SetEntry) => free(e) && !e.st.conditions.some((c) => c.keyLower.startsWith('aws:resource'));
  return s.identity.every(free) && s.boundaries.every((b) => b.every(free)) && s.scps.every((b) => b.every(orgFree));
}

/** Concrete resources tried for a request resource with wildcards. */
const MAX_CANDIDATES = 16;

/** A request resource with wildcards (other than `*` alone, which stands for actions without resource types). */
function isResourcePattern(resource: string): boolean {
  return resource !== '*' && (resource.includes('*') || resource.includes('?'));
}

/** Above this many memoised answers, the memo is cleared (it refills with the questions still being asked). */
const MAX_CACHED = 400_000;

function freezeEvaluation(e: Evaluation): Evaluation {
  Object.freeze(e.allows);
  Object.freeze(e.denies);
  Object.freeze(e.conditions);
  Object.freeze(e.unknownKeys);
  if (e.notes) Object.freeze(e.notes);
  if (e.boundary) {
    Object.freeze(e.boundary.allows);
    Object.freeze(e.boundary.denies);
    Object.freeze(e.boundary);
  }
  if (e.scp) {
    Object.freeze(e.scp.allows);
    Object.freeze(e.scp.denies);
    Object.freeze(e.scp);
  }
  if (e.rcp) {
    Object.freeze(e.rcp.denies);
    Object.freeze(e.rcp);
  }
  return Object.freeze(e);
}

function addKeys(into: string[], keys: readonly string[]): void {
  for (const k of keys) if (!into.includes(k)) into.push(k);
}

/** Sorted, deduplicated case-insensitively (the first spelling in sort order wins). */
function tidyKeys(keys: readonly string[]): string[] {
  const sorted = [...keys].sort((a, b) => {
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
  const out: string[] = [];
  let last: string | undefined;
  for (const k of sorted) {
    const l = k.toLowerCase();
    if (l !== last) out.push(k);
    last = l;
  }
  return out;
}

/** shared empty list (frozen: never pushed to) */
const NO_KEYS = Object.freeze([]) as unknown as string[];
const EMPTY = Object.freeze([]) as unknown as never[];

function orEmpty<T>(list: T[]): T[] {
  return list.length === 0 ? EMPTY : list;
}
const OUTCOME: Record<Tri, ConditionOutcome['outcome']> = { 0: 'false', 1: 'unknown', 2: 'true' };

interface StatementResult {
  outcome: Tri;
  keys: string[];
}

interface SideResult {
  allow: Tri;
  deny: Tri;
  allows: StatementRef[];
  denies: StatementRef[];
  allowKeys: string[];
  denyKeys: string[];
}

interface OrgParts {
  scpAllow: Tri;
  scpDeny: Tri;
  rcpDeny: Tri;
  scpAllowKeys: string[];
  scpDenyKeys: string[];
  rcpDenyKeys: string[];
}

interface OrgSides {
  parts: OrgParts;
  scpDenies: StatementRef[];
  rcpDenies: StatementRef[];
  scp: NonNullable<Evaluation['scp']>;
  rcp: NonNullable<Evaluation['rcp']>;
}

/** No SCP or RCP applies: shared, never changed. */
const NO_ORG: OrgSides = Object.freeze({
  parts: Object.freeze({ scpAllow: TRUE, scpDeny: FALSE, rcpDeny: FALSE, scpAllowKeys: NO_KEYS, scpDenyKeys: NO_KEYS, rcpDenyKeys: NO_KEYS }) as OrgParts,
  scpDenies: EMPTY,
  rcpDenies: EMPTY,
  scp: { decision: 'allowed', allows: EMPTY, denies: EMPTY },
  rcp: { decision: 'allowed', denies: EMPTY },
}) as OrgSides;

/**
 * Build an evaluator over one graph, as of `opts.now` (aws:CurrentTime, aws:EpochTime, aws:TokenIssueTime).
 */
export function createEvaluator(graph: IdentityGraph, opts: { now: Date }): Evaluator {
  const clock = clockOf(opts.now);
  const principals = new Map<string, PrincipalEntry>();
  const bases = new Map<string, PolicySetBase>();
  /** every memo (one per shared policy set, one per principal whose set depends on it), to clear them all */
  const resultMaps: ResultCache[] = [];
  const sharedResults = new Map<PolicySetBase, ResultCache>();
  const contexts = new Map<string, NormalContext>();
  let cachedCount = 0;

  function documentOf(e: EntitlementNode): CDoc {
    return compileDocument(parsePolicy(entitlementDocument(e)), 'identity');
  }

  // ---- AWS Organizations: SCPs limit the principals of member accounts, RCPs the resources (organization.ts)
  const org = organizationOf(graph);
  /** account → RCP Deny statements (compiled as resource policies: they carry a Principal) */
  const rcpEntries = new Map<string, SetEntry[] | null>();
  const rcpByAction = new Map<string, SetEntry[]>();
  /** some RCP statement reads a key that differs between principals of one account */
  let rcpPrincipalDependent = false;
  const ACCOUNT_WIDE_KEYS = new Set(['aws:principalaccount', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:principalisawsservice']);
  function rcpsFor(account: string): SetEntry[] | null {
    let hit = rcpEntries.get(account);
    if (hit !== undefined) return hit;
    const found = rcpsOf(graph, account);
    hit = null;
    if (found) {
      hit = [];
      for (const pol of found.policies) {
        const doc = compileDocument(parsePolicy(pol.document), 'trust');
        for (const st of doc.statements) {
          if (st.effect !== 'Deny') continue;
          if (st.conditions.some((c) => isPrincipalKey(c.keyLower) && !ACCOUNT_WIDE_KEYS.has(c.keyLower))) rcpPrincipalDependent = true;
          hit.push({ ref: orgRef(pol, st, 'rcp'), st });
        }
      }
    }
    rcpEntries.set(account, hit);
    return hit;
  }
  if (org?.hasRcps) for (const a of org.accounts.keys()) rcpsFor(a);
  /** the RCP Deny statements on this action for a request on this resource (undefined: no RCP applies) */
  function rcpSlice(actionLower: string, resource: string): SetEntry[] | undefined {
    if (!org?.hasRcps || !rcpGoverns(actionLower)) return undefined;
    const account = parseArn(resource)?.account;
    if (!account) return undefined;
    const all = rcpsFor(account);
    if (!all) return undefined;
    const k = `${account}\u0000${actionLower}`;
    let s = rcpByAction.get(k);
    if (!s) rcpByAction.set(k, (s = all.filter((e) => statementMatchesAction(e.st, actionLower))));
    return s;
  }
  /** aws:ResourceAccount / aws:ResourceOrgID of a request resource, for SCP and RCP conditions */
  function orgContext(resource: string, ctx: Map<string, KeyState> | undefined): Map<string, KeyState> | undefined {
    const account = parseArn(resource)?.account;
    if (!account) return ctx;
    const out = new Map(ctx ?? []);
    if (!out.has('aws:resourceaccount')) out.set('aws:resourceaccount', keyValues([account]));
    if (!out.has('aws:resourceorgid') && org) {
      const a = org.accounts.get(account);
      if (a?.organizationId) out.set('aws:resourceorgid', keyValues([a.organizationId]));
    }
    return out;
  }

  /** Small numbers for ids, so policy-set keys stay short (they are hashed on every first question). */
  const interned = new Map<string, number>();
  function intern(id: string): number {
    let n = interned.get(id);
    if (n === undefined) interned.set(id, (n = interned.size));
    return n;
  }

  function entryOf(principalId: string): PrincipalEntry {
    const hit = principals.get(principalId);
    if (hit) return hit;
    const info = principalInfo(graph, principalId, clock);
    orgKeys(info, org);
    const scope = org ? scpScopeOf(graph, principalId) : undefined;
    const { policies: all, boundaries: allBoundaries } = policiesOf(graph, principalId);
    const policies = all.filter((p) => p.entitlement.platform === 'aws');
    const boundaries = allBoundaries.filter((b) => b.entitlement.platform === 'aws');
    // the root user and ids the graph does not hold get answers of their own (with their own notes)
    let compact: string;
    if (info.kind === 'root') compact = 'ROOT';
    else if (!info.node) compact = 'MISSING';
    else {
      const parts = policies.map((p) => `${intern(p.via)}.${intern(p.entitlement.id)}`);
      for (const b of boundaries) parts.push(`b${intern(b.entitlement.id)}`);
      compact = parts.sort().join(',');
    }
    // with an organisation, answers depend on the principal's account (its SCPs; RCP conditions on its org)
    if (org) compact += `|a${info.account ?? ''}|${scope ? 's' : ''}${info.kind === 'root' ? 'r' : ''}`;
    let base = bases.get(compact);
    if (!base) {
      const readable =
        compact === 'ROOT' || compact === 'MISSING'
          ? compact
          : [...policies.map((p) => `A|${p.via}|${p.entitlement.id}`), ...boundaries.map((b) => `B|${b.entitlement.id}`)].sort().join('\n');
      base = { key: readable, identity: [], boundaries: [], scps: [], principalDependent: false, notes: [], byAction: new Map() };
      if (scope) {
        base.scope = scope;
        base.key += `\nS|${scope.account.id}`;
        for (const level of scope.levels) {
          const entries: SetEntry[] = [];
          for (const pol of level.scps) {
            const doc = documentOf(pol);
            if (doc.principalDependent) base.principalDependent = true;
            for (const n of doc.notes) base.notes.push(`${pol.name} (service control policy): ${n}`);
            for (const st of doc.statements) entries.push({ ref: orgRef(pol, st, 'scp', level.nodeId), st });
          }
          base.scps.push(entries);
        }
      }
      if (org?.hasRcps && rcpPrincipalDependent) base.principalDependent = true;
      for (const p of policies) {
        const doc = documentOf(p.entitlement);
        if (doc.principalDependent) base.principalDependent = true;
        for (const n of doc.notes) base.notes.push(`${p.entitlement.name}: ${n}`);
        for (const st of doc.statements) base.identity.push({ ref: statementRef(p.entitlement, st, p.via, 'identity'), st });
      }
      for (const b of boundaries) {
        const doc = documentOf(b.entitlement);
        if (doc.principalDependent) base.principalDependent = true;
        for (const n of doc.notes) base.notes.push(`${b.entitlement.name} (permissions boundary): ${n}`);
        base.boundaries.push(doc.statements.map((st) => ({ ref: statementRef(b.entitlement, st, 'direct', 'boundary'), st })));
      }
      bases.set(compact, base);
    }
    let results: ResultCache;
    if (base.principalDependent) results = new Map();
    else {
      let shared = sharedResults.get(base);
      if (!shared) {
        shared = new Map();
        sharedResults.set(base, shared);
        resultMaps.push(shared);
      }
      results = shared;
    }
    if (base.principalDependent) resultMaps.push(results);
    const entry: PrincipalEntry = { info, base, results };
    principals.set(principalId, entry);
    return entry;
  }

  function slice(base: PolicySetBase, actionLower: string): ActionSlice {
    let s = base.byAction.get(actionLower);
    if (!s) {
      s = {
        identity: base.identity.filter((e) => statementMatchesAction(e.st, actionLower)),
        boundaries: base.boundaries.map((b) => b.filter((e) => statementMatchesAction(e.st, actionLower))),
        scps: base.scps.length === 0 ? EMPTY : base.scps.map((b) => b.filter((e) => statementMatchesAction(e.st, actionLower))),
      };
      base.byAction.set(actionLower, s);
    }
    return s;
  }

  /** Evaluate one statement whose action already matched. */
  function statement(e: SetEntry, resource: string, p: PrincipalInfo, ctx: Map<string, KeyState> | undefined, conditions: ConditionOutcome[]): StatementResult {
    if (e.st.conditions.length === 0 && e.st.resources?.length === 1 && e.st.resources[0].matcher && !e.st.resources[0].matcher.uncertain) {
      // the common case: one Resource entry without variables, no Condition
      return { outcome: e.st.resources[0].matcher.test(resource) ? TRUE : FALSE, keys: NO_KEYS };
    }
    const lookup = (k: string) => varValue(keyState(p, k, ctx, clock));
    const keys: string[] = [];
    let res: Tri = TRUE;
    if (e.st.resources) res = matchResources(e.st.resources, resource, lookup, keys);
    else if (e.st.notResources) res = not3(matchResources(e.st.notResources, resource, lookup, keys));
    if (res === FALSE) return { outcome: FALSE, keys: NO_KEYS };
    let cond: Tri = TRUE;
    const condKeys: string[] = [];
    for (const c of e.st.conditions) {
      const r = evaluateCondition(c, keyState(p, c.keyLower, ctx, clock), lookup);
      conditions.push({ statement: e.ref, operator: c.operator, key: c.key, values: c.values, outcome: OUTCOME[r.outcome] });
      if (r.outcome < cond) cond = r.outcome;
      if (r.outcome === UNKNOWN) addKeys(condKeys, r.unknownKeys);
    }
    const outcome = (res < cond ? res : cond) as Tri;
    if (outcome !== UNKNOWN) return { outcome, keys: NO_KEYS };
    if (res === UNKNOWN) addKeys(condKeys, keys);
    return { outcome, keys: condKeys };
  }

  function side(entries: SetEntry[], resource: string, p: PrincipalInfo, ctx: Map<string, KeyState> | undefined, conditions: ConditionOutcome[]): SideResult {
    const out: SideResult = { allow: FALSE, deny: FALSE, allows: [], denies: [], allowKeys: [], denyKeys: [] };
    for (const e of entries) {
      const r = statement(e, resource, p, ctx, conditions);
      if (r.outcome === FALSE) continue;
      if (e.st.effect === 'Allow') {
        out.allows.push(e.ref);
        if (r.outcome > out.allow) out.allow = r.outcome;
        if (r.outcome === UNKNOWN) addKeys(out.allowKeys, r.keys);
      } else {
        out.denies.push(e.ref);
        if (r.outcome > out.deny) out.deny = r.outcome;
        if (r.outcome === UNKNOWN) addKeys(out.denyKeys, r.keys);
      }
    }
    return out;
  }

  /**
   * Policy sets that must all allow (the permissions boundaries; the SCPs of each level from the root down): allowed
   * only as far as every set allows, denied by a Deny in any; no set at all limits nothing.
   */
  function everySide(sets: SetEntry[][], resource: string, p: PrincipalInfo, ctx: Map<string, KeyState> | undefined, conditions: ConditionOutcome[]): SideResult {
    const out: SideResult = { allow: TRUE, deny: FALSE, allows: [], denies: [], allowKeys: [], denyKeys: [] };
    for (const set of sets) {
      const r = side(set, resource, p, ctx, conditions);
      if (r.allow < out.allow) out.allow = r.allow;
      if (r.deny > out.deny) out.deny = r.deny;
      out.allows.push(...r.allows);
      out.denies.push(...r.denies);
      addKeys(out.allowKeys, r.allowKeys);
      addKeys(out.denyKeys, r.denyKeys);
    }
    return out;
  }

  /** The SCP levels' and the RCPs' verdicts for one request (only called when some apply). */
  function orgSides(scps: SetEntry[][], rcp: SetEntry[] | undefined, resource: string, info: PrincipalInfo, ctx: Map<string, KeyState> | undefined, conditions: ConditionOutcome[]): OrgSides {
    const octx = orgContext(resource, ctx);
    const { allow: sAllow, deny: sDeny, allows: sAllows, denies: sDenies, allowKeys: sAllowKeys, denyKeys: sDenyKeys } = everySide(scps, resource, info, octx, conditions);
    let rDeny: Tri = FALSE;
    let rDenies: StatementRef[] = [];
    let rDenyKeys: string[] = [];
    if (rcp) {
      const r = side(rcp, resource, info, octx, conditions);
      rDeny = r.deny;
      rDenies = r.denies;
      rDenyKeys = r.denyKeys;
    }
    const scpDecision: Decision = sDeny === TRUE || sAllow === FALSE ? 'denied' : sAllow === TRUE && sDeny === FALSE ? 'allowed' : 'conditional';
    return {
      parts: { scpAllow: sAllow, scpDeny: sDeny, rcpDeny: rDeny, scpAllowKeys: orEmpty(sAllowKeys), scpDenyKeys: orEmpty(sDenyKeys), rcpDenyKeys: orEmpty(rDenyKeys) },
      scpDenies: orEmpty(sDenies),
      rcpDenies: orEmpty(rDenies),
      scp: { decision: scpDecision, allows: orEmpty(sAllows), denies: orEmpty(sDenies) },
      rcp: { decision: rDeny === TRUE ? 'denied' : rDeny === FALSE ? 'allowed' : 'conditional', denies: orEmpty(rDenies) },
    };
  }

  function compute(entry: PrincipalEntry, action: string, actionLower: string, resource: string, ctx: Map<string, KeyState> | undefined): Cached {
    const { info, base } = entry;
    const conditions: ConditionOutcome[] = [];
    const notes = base.notes.length > 0 || info.kind === 'root' || !info.node ? [...base.notes] : NO_KEYS;
    const s = slice(base, actionLower);
    // ---- SCPs (every level must allow, any Deny wins) and RCPs (their Denies) of the organisation
    const rcp = rcpSlice(actionLower, resource);
    const os = s.scps.length > 0 || rcp !== undefined ? orgSides(s.scps, rcp, resource, info, ctx, conditions) : NO_ORG;
    const orgParts = os.parts;
    const sDenies = os.scpDenies;
    const rDenies = os.rcpDenies;

    if (info.kind === 'root') {
      const evaluation: Evaluation = { decision: 'allowed', principalId: info.id, action, resource, allows: [], denies: orEmpty([...sDenies, ...rDenies]), conditions, unknownKeys: [], notes };
      if (base.scps.length > 0) evaluation.scp = os.scp;
      if (rcp) evaluation.rcp = os.rcp;
      const parts: Parts = { identityAllow: TRUE, identityDeny: FALSE, boundaryAllow: TRUE, boundaryDeny: FALSE, identityAllowKeys: NO_KEYS, identityDenyKeys: NO_KEYS, boundaryAllowKeys: NO_KEYS, boundaryDenyKeys: NO_KEYS, ...orgParts };
      if (base.scps.length === 0 && !rcp) notes.push(org ? 'the account root user may do everything (no SCP of the organisation limits it)' : 'the account root user may do everything (only SCPs, which the scan does not read, limit it)');
      else {
        notes.push('the account root user may do everything its organisation\'s SCPs and RCPs leave');
        evaluation.decision = 'denied';
        decide(evaluation, TRUE, FALSE, TRUE, NO_KEYS, NO_KEYS, NO_KEYS, NO_KEYS, orgParts);
      }
      return { evaluation: freezeEvaluation(evaluation), parts };
    }
    if (!info.node) notes.push('the principal is not in the graph');
    const id = side(s.identity, resource, info, ctx, conditions);
    const { allow: bAllow, deny: bDeny, allows: bAllows, denies: bDenies, allowKeys: bAllowKeys, denyKeys: bDenyKeys } = everySide(s.boundaries, resource, info, ctx, conditions);
    // memoised answers share one frozen empty list wherever a list is empty (most are)
    const parts: Parts = {
      identityAllow: id.allow,
      identityDeny: id.deny,
      boundaryAllow: bAllow,
      boundaryDeny: bDeny,
      identityAllowKeys: orEmpty(id.allowKeys),
      identityDenyKeys: orEmpty(id.denyKeys),
      boundaryAllowKeys: orEmpty(bAllowKeys),
      boundaryDenyKeys: orEmpty(bDenyKeys),
      scpAllow: orgParts.scpAllow,
      scpDeny: orgParts.scpDeny,
      rcpDeny: orgParts.rcpDeny,
      scpAllowKeys: orgParts.scpAllowKeys,
      scpDenyKeys: orgParts.scpDenyKeys,
      rcpDenyKeys: orgParts.rcpDenyKeys,
    };
    const extraDenies = bDenies.length + sDenies.length + rDenies.length;
    const denies = extraDenies === 0 ? id.denies : [...id.denies, ...bDenies, ...sDenies, ...rDenies];
    const evaluation: Evaluation = { decision: 'denied', principalId: info.id, action, resource, allows: orEmpty(id.allows), denies: orEmpty(denies), conditions: orEmpty(conditions), unknownKeys: NO_KEYS };
    if (base.boundaries.length > 0) {
      const bDecision: Decision = bDeny === TRUE || bAllow === FALSE ? 'denied' : bAllow === TRUE && bDeny === FALSE ? 'allowed' : 'conditional';
      evaluation.boundary = { decision: bDecision, allows: orEmpty(bAllows), denies: orEmpty(bDenies) };
    }
    if (base.scps.length > 0) evaluation.scp = os.scp;
    if (rcp) evaluation.rcp = os.rcp;
    decide(evaluation, id.allow, id.deny > bDeny ? id.deny : bDeny, bAllow, id.allowKeys, bAllowKeys, id.denyKeys, bDenyKeys, orgParts);
    if (notes.length > 0) evaluation.notes = [...new Set(notes)];
    return { evaluation: freezeEvaluation(evaluation), parts };
  }

  /** The decision from its parts: explicit Deny first (identity and boundary, then SCP, then RCP), then the Allows. */
  function decide(
    evaluation: Evaluation,
    idAllow: Tri,
    ownDeny: Tri,
    bAllow: Tri,
    idAllowKeys: readonly string[],
    bAllowKeys: readonly string[],
    ownDenyKeys: readonly string[],
    boundaryDenyKeys: readonly string[],
    o: OrgParts,
  ): void {
    const deny = Math.max(ownDeny, o.scpDeny, o.rcpDeny) as Tri;
    if (ownDeny === TRUE) evaluation.deniedBy = 'explicit-deny';
    else if (o.scpDeny === TRUE) evaluation.deniedBy = 'scp';
    else if (o.rcpDeny === TRUE) evaluation.deniedBy = 'rcp';
    else if (idAllow === FALSE) evaluation.deniedBy = 'no-allow';
    else if (bAllow === FALSE) evaluation.deniedBy = 'boundary';
    else if (o.scpAllow === FALSE) evaluation.deniedBy = 'scp';
    else if (idAllow === TRUE && bAllow === TRUE && o.scpAllow === TRUE && deny === FALSE) evaluation.decision = 'allowed';
    else {
      evaluation.decision = 'conditional';
      const keys: string[] = [];
      if (idAllow === UNKNOWN) addKeys(keys, idAllowKeys);
      if (bAllow === UNKNOWN) addKeys(keys, bAllowKeys);
      if (o.scpAllow === UNKNOWN) addKeys(keys, o.scpAllowKeys);
      if (deny === UNKNOWN) {
        addKeys(keys, ownDenyKeys);
        addKeys(keys, boundaryDenyKeys);
        addKeys(keys, o.scpDenyKeys);
        addKeys(keys, o.rcpDenyKeys);
      }
      evaluation.unknownKeys = tidyKeys(keys);
    }
  }

  function internal(principalId: string, action: string, resource: string, ctxRaw: ConditionContext | undefined, concrete = false): Cached {
    const entry = entryOf(principalId);
    let byAction = entry.results.get(action);
    if (!byAction) {
      const lower = action.trim().toLowerCase();
      // an RCP decides by the resource's account: such answers are never shared between resources
      byAction = { lower, resourceFree: resourceFree(slice(entry.base, lower)) && !(org?.hasRcps && rcpGoverns(lower)), plain: new Map() };
      entry.results.set(action, byAction);
    }
    const ctx = normaliseContext(ctxRaw, contexts);
    let map = byAction.plain;
    let key = byAction.resourceFree ? '' : resource;
    if (ctx.key !== '') {
      map = byAction.withContext ??= new Map();
      key = `${key}\n${ctx.key}`;
    }
    const hit = map.get(key);
    if (hit) return hit;
    const computed =
      !concrete && !byAction.resourceFree && isResourcePattern(resource)
        ? someResource(entry, principalId, action, byAction.lower, resource, ctxRaw)
        : compute(entry, action, byAction.lower, resource, ctx.map);
    if (cachedCount >= MAX_CACHED) {
      for (const m of resultMaps) m.clear();
      cachedCount = 0;
    }
    map.set(key, computed);
    cachedCount++;
    return computed;
  }

  /**
   * A request resource with wildcards (`arn:aws:lambda:*:123456789012:function:*`) asks about a resource of the
   * caller's choosing: the answer is `allowed` when some resource matching it is allowed. The engine tries concrete
   * candidates: the pattern itself with its wildcards filled, and its overlap with each Resource entry of the Allow
   * statements (and with each NotResource entry of the Deny statements, where a Deny leaves room). A candidate is a
   * real resource the caller could pick, so `allowed` is never a guess; a cleverer pick it did not try can only be a
   * missed `allowed`.
   */
  function someResource(entry: PrincipalEntry, principalId: string, action: string, actionLower: string, pattern: string, ctxRaw: ConditionContext | undefined): Cached {
    const r = resolveTemplate(parseTemplate(pattern, false), true, () => UNKNOWN_VAR);
    const tokens = r.kind === 'tokens' ? r.tokens : [];
    const candidates: string[] = [];
    const add = (w: string | undefined) => {
      if (w !== undefined && !candidates.includes(w) && candidates.length < MAX_CANDIDATES) candidates.push(w);
    };
    add(arnWitness(tokens, tokens));
    const s = slice(entry.base, actionLower);
    for (const e of [...s.identity, ...s.boundaries.flat(), ...s.scps.flat()]) {
      const list = e.st.effect === 'Allow' ? e.st.resources : e.st.notResources;
      for (const re of list ?? []) if (re.tokens) add(arnWitness(re.tokens, tokens));
    }
    let best: Cached | undefined;
    let bestWitness = '';
    for (const w of candidates) {
      const c = internal(principalId, action, w, ctxRaw, true);
      const rank = c.evaluation.decision === 'allowed' ? 2 : c.evaluation.decision === 'conditional' ? 1 : 0;
      const bestRank = !best ? -1 : best.evaluation.decision === 'allowed' ? 2 : best.evaluation.decision === 'conditional' ? 1 : 0;
      if (rank > bestRank) {
        best = c;
        bestWitness = w;
      }
      if (rank === 2) break;
    }
    if (!best) {
      // not an ARN pattern the engine can fill: compare it as written
      return compute(entry, action, actionLower, pattern, normaliseContext(ctxRaw, contexts).map);
    }
    const e = best.evaluation;
    const note =
      e.decision === 'denied'
        ? `no resource matching ${pattern} that was tried is allowed (tried ${candidates.join(', ')})`
        : `${e.decision} for ${bestWitness}, a resource matching ${pattern}`;
    const evaluation: Evaluation = { ...e, resource: pattern, notes: [...(e.notes ?? []), note] };
    return { evaluation: freezeEvaluation(evaluation), parts: best.parts };
  }

  /** The memoised answer as this principal's answer about this resource. */
  function asked(e: Evaluation, principalId: string, resource: string): Evaluation {
    return e.principalId === principalId && e.resource === resource ? e : { ...e, principalId, resource };
  }

  function evaluate(principalId: string, action: string, resource: string, opts?: RequestOptions): Evaluation {
    return asked(internal(principalId, action, resource, opts?.context).evaluation, principalId, resource);
  }

  function policySetKey(principalId: string): string {
    const { base } = entryOf(principalId);
    return base.principalDependent ? `${base.key}\nP|${principalId}` : base.key;
  }

  function canAssume(callerId: string, roleId: string): AssumeEvaluation {
    return assume(callerId, roleId);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Role trust

  function assume(callerId: string, roleId: string): AssumeEvaluation {
    const out: AssumeEvaluation = { decision: 'denied', callerId, roleId, trust: [], conditions: [], unknownKeys: [] };
    const notes: string[] = [];
    const role = graph.node(roleId);
    const caller = entryOf(callerId);
    const p = caller.info;
    if (!role || role.kind !== 'principal' || role.type !== 'iam-role') {
      out.notes = [`${roleId} is not an IAM role in the graph`];
      return out;
    }
    if (p.kind !== 'user' && p.kind !== 'role') {
      out.notes = [
        p.kind === 'root'
          ? 'the account root user cannot call sts:AssumeRole'
          : `${callerId} is not an IAM user or role (service and federated principals are handled by the paths code)`,
      ];
      return out;
    }
    const roleArn = str(role.attributes?.arn) ?? str(role.externalId) ?? roleId.replace(/^aws:iam-role:/, '');
    const roleAccount = str(role.scope) ?? parseArn(roleArn)?.account;
    const sameAccount = p.account !== undefined && p.account === roleAccount;
    const doc = compileDocument(parsePolicy(role.attributes?.trustPolicy), 'trust');
    for (const n of doc.notes) notes.push(`trust policy of ${role.name}: ${n}`);
    const identityCached = internal(callerId, 'sts:AssumeRole', roleArn, undefined);
    const identity = identityCached.parts;
    out.identity = asked(identityCached.evaluation, callerId, roleArn);

    const hasBoundary = caller.base.boundaries.length > 0;
    let allow: Tri = FALSE;
    let bestVia: AssumeEvaluation['via'];
    let bestRank = -1;
    const allowKeys: string[] = [];
    let trustDeny: Tri = FALSE;
    const trustDenyKeys: string[] = [];
    const VIA_RANK = { principal: 3, anyone: 2, account: 1 } as const;

    // how the trust alone admits the caller, when no complete path does (e.g. trust in the account, no grant)
    let trustOnly: Tri = FALSE;
    let trustVia: AssumeEvaluation['via'];
    let trustRank = -1;
    for (const st of doc.statements) {
      if (!statementMatchesAction(st, 'sts:assumerole')) continue;
      const admissions = admit(st, p, hasBoundary);
      if (admissions.length === 0) continue;
      const ref: StatementRef = { policyId: roleId, policyName: `${role.name} (trust policy)`, statementIndex: st.index, via: 'direct', kind: 'trust', effect: st.effect };
      if (st.sid) ref.sid = st.sid;
      const r = statement({ ref, st }, roleArn, p, undefined, out.conditions);
      if (r.outcome === FALSE) continue;
      let admits = false;
      for (const a of admissions) {
        // the components that must all hold for this admission
        const parts: Array<{ v: Tri; keys: readonly string[] }> = [{ v: r.outcome, keys: r.keys }, { v: a.tri, keys: a.keys }];
        const trustV = (r.outcome < a.tri ? r.outcome : a.tri) as Tri;
        if (trustV === FALSE) continue;
        admits = true;
        if (st.effect === 'Allow' && (trustV > trustOnly || (trustV === trustOnly && VIA_RANK[a.via] > trustRank))) {
          trustOnly = trustV;
          trustVia = a.via;
          trustRank = VIA_RANK[a.via];
        }
        if (st.effect === 'Allow') {
          const needsIdentity = !sameAccount || a.via === 'account';
          // a grant to a role's ARN (not its session) is still limited by the role's permissions boundary
          const needsBoundary = needsIdentity || (p.kind === 'role' && !a.session);
          if (needsIdentity) parts.push({ v: identity.identityAllow, keys: identity.identityAllowKeys });
          if (needsBoundary) parts.push({ v: identity.boundaryAllow, keys: identity.boundaryAllowKeys });
          // the caller's SCPs limit every request it makes, whatever grants it
          if (identity.scpAllow !== TRUE) parts.push({ v: identity.scpAllow, keys: identity.scpAllowKeys });
        }
        let v: Tri = TRUE;
        for (const c of parts) if (c.v < v) v = c.v;
        if (v === FALSE) continue;
        if (st.effect === 'Deny') {
          if (v > trustDeny) trustDeny = v;
          if (v === UNKNOWN) for (const c of parts) if (c.v === UNKNOWN) addKeys(trustDenyKeys, c.keys);
          continue;
        }
        if (v > allow || (v === allow && VIA_RANK[a.via] > bestRank)) {
          allow = v > allow ? v : allow;
          bestVia = a.via;
          bestRank = VIA_RANK[a.via];
        }
        if (v === UNKNOWN) for (const c of parts) if (c.v === UNKNOWN) addKeys(allowKeys, c.keys);
      }
      if (admits) out.trust.push(ref);
    }
    const via = bestVia ?? trustVia;
    if (via) out.via = via;

    const identityDeny = Math.max(identity.identityDeny, identity.boundaryDeny, identity.scpDeny, identity.rcpDeny) as Tri;
    const deny = trustDeny > identityDeny ? trustDeny : identityDeny;
    if (deny === TRUE || allow === FALSE) out.decision = 'denied';
    else if (allow === TRUE && deny === FALSE) out.decision = 'allowed';
    else {
      out.decision = 'conditional';
      const keys: string[] = [];
      if (allow === UNKNOWN) addKeys(keys, allowKeys);
      if (deny === UNKNOWN) {
        addKeys(keys, trustDenyKeys);
        addKeys(keys, identity.identityDenyKeys);
        addKeys(keys, identity.boundaryDenyKeys);
        addKeys(keys, identity.scpDenyKeys);
        addKeys(keys, identity.rcpDenyKeys);
      }
      out.unknownKeys = tidyKeys(keys);
    }
    if (out.decision === 'denied' && trustOnly !== FALSE && trustDeny !== TRUE) {
      if (identity.scpDeny === TRUE || identity.scpAllow === FALSE) notes.push('the service control policies of the caller\'s account do not allow sts:AssumeRole on the role');
      else if (identity.rcpDeny === TRUE) notes.push('a resource control policy of the role\'s account denies sts:AssumeRole on it');
    }
    if (notes.length > 0) out.notes = [...new Set(notes)];
    return out;
  }

  return { evaluate, canAssume, policySetKey };
}

function statementRef(e: EntitlementNode, st: CStatement, via: string, kind: 'identity' | 'boundary'): StatementRef {
  const ref: StatementRef = { policyId: e.id, policyName: e.name, statementIndex: st.index, via, kind, effect: st.effect };
  if (st.sid) ref.sid = st.sid;
  return Object.freeze(ref);
}

function orgRef(e: EntitlementNode, st: CStatement, kind: 'scp' | 'rcp', level?: string): StatementRef {
  const ref: StatementRef = { policyId: e.id, policyName: e.name, statementIndex: st.index, via: 'direct', kind, effect: st.effect };
  if (st.sid) ref.sid = st.sid;
  if (level) ref.level = level;
  return Object.freeze(ref);
}

function matchResources(entries: ResourceEntry[], resource: string, lookup: (k: string) => VarValue, keys: string[]): Tri {
  let best: Tri = FALSE;
  for (const e of entries) {
    let m = e.matcher;
    let unknownKeys: string[] = [];
    if (!m) {
      const r = resolveTemplate(e.template, true, lookup);
      // a variable without a value: this entry matches no resource
      if (r.kind === 'never') continue;
      m = compileArnPattern(r.tokens);
      unknownKeys = r.unknownKeys;
    }
    if (!m.test(resource)) continue;
    if (!m.uncertain) return TRUE;
    best = UNKNOWN;
    addKeys(keys, unknownKeys);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// Trust principals

interface Admission {
  via: 'principal' | 'anyone' | 'account';
  /** the grant names a role session (not limited by the role's boundary; the session name is the caller's) */
  session?: boolean;
  tri: Tri;
  keys: readonly string[];
}

const ROOT_RE = /^arn:[^:]+:iam::(\d{12}):root$/;
const SESSION_RE = /^arn:[^:]+:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const SESSION_KEY = ['sts:RoleSessionName'];

function awsValues(set: PrincipalSet): string[] {
  const out: string[] = [];
  for (const [type, values] of Object.entries(set.byType)) if (type.toLowerCase() === 'aws') for (const v of values) out.push(v.trim());
  return out;
}

/** How one principal value names the caller, if it does. */
function names(value: string, p: PrincipalInfo): Admission | undefined {
  if (value === '*') return { via: 'anyone', tri: TRUE, keys: [] };
  if (p.account && (value === p.account || ROOT_RE.exec(value)?.[1] === p.account)) return { via: 'account', tri: TRUE, keys: [] };
  if ((p.arn && value === p.arn) || (p.uniqueId && value === p.uniqueId)) return { via: 'principal', tri: TRUE, keys: [] };
  if (p.kind === 'role') {
    const m = SESSION_RE.exec(value);
    // a session of the calling role: whether it is *this* session depends on the session name
    if (m && m[1] === p.account && m[2] === p.roleName) return { via: 'principal', session: true, tri: UNKNOWN, keys: SESSION_KEY };
  }
  return undefined;
}

/** The ways a trust statement's Principal / NotPrincipal admits the caller (empty: it does not). */
function admit(st: CStatement, p: PrincipalInfo, hasBoundary: boolean): Admission[] {
  if (st.principals) {
    if (st.principals.anyone) return [{ via: 'anyone', tri: TRUE, keys: [] }];
    const out: Admission[] = [];
    for (const v of st.awsPrincipals ?? []) {
      const a = names(v, p);
      if (a) out.push(a);
    }
    return out;
  }
  if (!st.notPrincipals) return [];
  // NotPrincipal (AWS does not accept it in trust policies; evaluated as in resource policies)
  const listed = st.notPrincipals.anyone ? [{ via: 'anyone' as const, tri: TRUE, keys: [] }] : (st.awsPrincipals ?? []).map((v) => names(v, p)).filter((a): a is Admission => !!a);
  if (st.effect === 'Allow') {
    // everyone except the listed principals
    if (listed.some((a) => a.tri === TRUE)) return [];
    if (listed.length > 0) return [{ via: 'anyone', tri: UNKNOWN, keys: SESSION_KEY }];
    return [{ via: 'anyone', tri: TRUE, keys: [] }];
  }
  // Deny with NotPrincipal: denies a principal with a permissions boundary whatever the list says; otherwise the
  // exception needs the account and the principal itself (for a role: its session) listed
  if (hasBoundary || st.notPrincipals.anyone) return hasBoundary ? [{ via: 'anyone', tri: TRUE, keys: [] }] : [];
  const account = listed.some((a) => a.via === 'account');
  const self = listed.some((a) => a.via === 'principal' && !a.session);
  const session = listed.some((a) => a.session);
  if (account && self && p.kind === 'user') return [];
  // a role's session is excepted only when the account, the role and that very session are listed
  if (account && self && session) return [{ via: 'anyone', tri: UNKNOWN, keys: SESSION_KEY }];
  return [{ via: 'anyone', tri: TRUE, keys: [] }];
}
