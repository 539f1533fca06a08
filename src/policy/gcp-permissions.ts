/**
 * The Google Cloud side of the authorization engine: may a member (service account, user, group, domain, federated
 * principal, GKE workload, allUsers) use a permission on a resource (a project, folder, organization or service
 * account)? Decided from the graph the gcp connector maps (docs/model.md, "Google Cloud"):
 *
 * - Allow: the member's role bindings (its own, and those of the groups the graph knows it is in) on the resource and
 *   on every resource above it (service account → project → folders → organization, following IN_SCOPE), with the
 *   permissions of each role from its definition in the graph (`includedPermissions`, read with roles.get or from
 *   roles.json). A predefined role whose definition was not read, or whose definition is visibly cut short, falls
 *   back to PREDEFINED_ROLE_PERMISSIONS (a table of escalation-relevant permissions): such a grant is medium
 *   confidence. A custom role whose definition was not read grants nothing the engine can see.
 * - IAM conditions: `request.time` compared with `timestamp("…")` (<, <=, >, >=, ==, !=), joined with &&, || and !,
 *   is decided against the as-of time; any other clause is unknown, and a binding whose condition stays unknown makes
 *   the answer `conditional`, with the expression named in `unknownKeys`. A condition that is false (an expired
 *   grant) drops the binding.
 * - Deny policies (`deny-policy` entitlements with their IAM v2 rules, attached where their IN_SCOPE edge points)
 *   subtract: a rule applies to a request when it names the member (or a group the graph knows it is in, every
 *   principal, or a set the member belongs to), lists the permission (v2 names such as
 *   `iam.googleapis.com/serviceAccountKeys.create`, `*` wildcards allowed), the member is not an exception, and its
 *   denial condition holds. A rule whose principal set or condition cannot be settled makes the answer conditional.
 *
 * Answers are memoised by "grant set": members with the same bindings and deny rules share the work.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { EntitlementNode, IdentityNode } from '../model/types.js';
import type { ConditionOutcome, Decision, Evaluation, StatementRef } from './decision.js';
import { PREDEFINED_ROLE_PERMISSIONS } from './gcp-predefined-roles.js';

// ---------------------------------------------------------------------------------------------------------------
// IAM conditions: a small three-valued subset of CEL

export type Truth = 'true' | 'false' | 'unknown';

export interface ConditionResult {
  outcome: Truth;
  /** the clauses that could not be decided (when the outcome is unknown) */
  unknown: string[];
}

type Token = { kind: 'str' | 'op' | 'word' | 'punct'; text: string; start: number; end: number };

function tokenize(src: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        text += src[j];
        j++;
      }
      if (j >= src.length) return undefined;
      out.push({ kind: 'str', text, start, end: j + 1 });
      i = j + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['&&', '||', '<=', '>=', '==', '!='].includes(two)) {
      out.push({ kind: 'op', text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if ('<>!'.includes(c)) {
      out.push({ kind: 'op', text: c, start, end: i + 1 });
      i++;
      continue;
    }
    const word = /^[A-Za-z0-9_.]+/.exec(src.slice(i));
    if (word) {
      out.push({ kind: 'word', text: word[0], start, end: i + word[0].length });
      i += word[0].length;
      continue;
    }
    out.push({ kind: 'punct', text: c, start, end: i + 1 });
    i++;
  }
  return out;
}

const COMPARE = new Set(['<', '<=', '>', '>=', '==', '!=']);

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    default:
      return a !== b;
  }
}

/** One clause between && / || / parentheses: decided when it is `request.time OP timestamp("…")` (either way round). */
function clause(tokens: Token[], src: string, now: Date): ConditionResult {
  const text = src.slice(tokens[0].start, tokens[tokens.length - 1].end).trim();
  const unknown: ConditionResult = { outcome: 'unknown', unknown: [text] };
  const ts = (at: number): number | undefined => {
    const [fn, open, str, close] = tokens.slice(at, at + 4);
    if (fn?.text !== 'timestamp' || open?.text !== '(' || str?.kind !== 'str' || close?.text !== ')') return undefined;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(str.text)) return undefined;
    const t = Date.parse(str.text);
    return Number.isNaN(t) ? undefined : t;
  };
  if (tokens.length !== 6) return unknown;
  const t0 = now.getTime();
  if (tokens[0].text === 'request.time' && tokens[1].kind === 'op' && COMPARE.has(tokens[1].text)) {
    const t = ts(2);
    if (t !== undefined) return { outcome: compare(t0, tokens[1].text, t) ? 'true' : 'false', unknown: [] };
  }
  if (tokens[5].text === 'request.time' && tokens[4].kind === 'op' && COMPARE.has(tokens[4].text)) {
    const t = ts(0);
    if (t !== undefined) return { outcome: compare(t, tokens[4].text, t0) ? 'true' : 'false', unknown: [] };
  }
  return unknown;
}

function and(a: ConditionResult, b: ConditionResult): ConditionResult {
  if (a.outcome === 'false' || b.outcome === 'false') return { outcome: 'false', unknown: [] };
  if (a.outcome === 'true' && b.outcome === 'true') return { outcome: 'true', unknown: [] };
  return { outcome: 'unknown', unknown: [...a.unknown, ...b.unknown] };
}

function or(a: ConditionResult, b: ConditionResult): ConditionResult {
  if (a.outcome === 'true' || b.outcome === 'true') return { outcome: 'true', unknown: [] };
  if (a.outcome === 'false' && b.outcome === 'false') return { outcome: 'false', unknown: [] };
  return { outcome: 'unknown', unknown: [...a.unknown, ...b.unknown] };
}

/**
 * Evaluate an IAM condition expression as of `now`. Decided: `request.time` against `timestamp("RFC 3339")` with the
 * comparison operators, combined with `&&`, `||`, `!` and parentheses. Every other clause is unknown (named in
 * `unknown`); an expression that does not parse is unknown as a whole.
 */
export function evaluateCondition(expression: string, now: Date): ConditionResult {
  const whole: ConditionResult = { outcome: 'unknown', unknown: [expression.trim()] };
  const tokens = tokenize(expression);
  if (!tokens?.length) return whole;
  let pos = 0;
  const isBoundary = (t: Token | undefined) => !t || t.text === '&&' || t.text === '||' || t.text === ')';
  const parseOr = (): ConditionResult | undefined => {
    let left = parseAnd();
    while (left && tokens[pos]?.text === '||') {
      pos++;
      const right = parseAnd();
      left = right && or(left, right);
    }
    return left;
  };
  const parseAnd = (): ConditionResult | undefined => {
    let left = parseUnary();
    while (left && tokens[pos]?.text === '&&') {
      pos++;
      const right = parseUnary();
      left = right && and(left, right);
    }
    return left;
  };
  const parseUnary = (): ConditionResult | undefined => {
    if (tokens[pos]?.text === '!') {
      pos++;
      const inner = parseUnary();
      if (!inner) return undefined;
      return { outcome: inner.outcome === 'true' ? 'false' : inner.outcome === 'false' ? 'true' : 'unknown', unknown: inner.unknown };
    }
    // a parenthesised sub-expression standing on its own (not `(a).b` or `(a) == b`)
    if (tokens[pos]?.text === '(') {
      const save = pos;
      pos++;
      const inner = parseOr();
      if (inner && tokens[pos]?.text === ')' && isBoundary(tokens[pos + 1])) {
        pos++;
        return inner;
      }
      pos = save;
    }
    // a clause: everything up to the next && / || / unmatched ) at this depth
    const from = pos;
    let depth = 0;
    while (pos < tokens.length) {
      const t = tokens[pos];
      if (depth === 0 && (t.text === '&&' || t.text === '||' || t.text === ')')) break;
      if (t.text === '?') return undefined; // the ternary operator: not in the subset
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
      pos++;
    }
    if (pos === from) return undefined;
    return clause(tokens.slice(from, pos), expression, now);
  };
  const result = parseOr();
  if (!result || pos !== tokens.length) return whole;
  return { outcome: result.outcome, unknown: [...new Set(result.unknown)] };
}

// ---------------------------------------------------------------------------------------------------------------
// Resources and their ancestry

/** `projects/p` ← `gcp:project:p`, `folders/1` ← `gcp:folder:1`, `organizations/1` ← `gcp:organization:1`. */
export function resourceOfNode(id: string): string | undefined {
  const m = /^gcp:(project|folder|organization|service-account):(.+)$/.exec(id);
  if (!m) return undefined;
  return `${m[1] === 'project' ? 'projects' : m[1] === 'folder' ? 'folders' : m[1] === 'organization' ? 'organizations' : 'serviceAccounts'}/${m[2]}`;
}

/** The node id of a resource name (`projects/p` → `gcp:project:p`). */
export function nodeOfResource(resource: string): string | undefined {
  const m = /^(projects|folders|organizations|serviceAccounts)\/(.+)$/.exec(resource);
  if (!m) return undefined;
  const kind = m[1] === 'projects' ? 'project' : m[1] === 'folders' ? 'folder' : m[1] === 'organizations' ? 'organization' : 'service-account';
  return `gcp:${kind}:${m[2]}`;
}

/** The project a service account lives in (its attributes, scope, or the domain of its email). */
export function projectOfServiceAccount(node: IdentityNode | undefined, email: string): string | undefined {
  const attr = node?.attributes?.projectId;
  if (typeof attr === 'string' && attr) return attr;
  if (node?.kind === 'principal' && node.scope && node.attributes?.external !== true) return node.scope;
  return /@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
}

// ---------------------------------------------------------------------------------------------------------------
// Role permissions

/** A set of permissions, with the wildcard entries of a definition (`*`, `storage.*`) as patterns. */
class PermissionSet {
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];
  constructor(perms: Iterable<string>) {
    for (const p of perms) {
      if (p.includes('*')) this.patterns.push(globRegExp(p));
      else this.exact.add(p);
    }
  }
  has(p: string): boolean {
    return this.exact.has(p) || this.patterns.some((r) => r.test(p));
  }
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

const PERMISSION = /^(\*|[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_*-]+)*)$/;

export interface RolePermissions {
  /** from the role's definition in the graph */
  defined?: PermissionSet;
  /** from the built-in table (predefined roles not read, or read visibly incomplete) */
  fallback?: PermissionSet;
  source: 'definition' | 'definition+fallback' | 'fallback' | 'unknown';
}

// ---------------------------------------------------------------------------------------------------------------
// Grants and deny rules

const NO_GRANTS: Grant[] = [];
const NO_DENIES: Array<{ rule: DenyRule; applies: PrincipalMatch }> = [];

export interface Grant {
  bindingId: string;
  role: string;
  resource: string;
  /** `direct`, or the group through which the member holds the binding */
  via: string;
  condition?: { expression: string; title?: string; result: ConditionResult };
}

type PrincipalMatch = 'yes' | 'no' | 'unknown';

interface DenyRule {
  policyId: string;
  policyName: string;
  index: number;
  attachment: string;
  denied: string[];
  exceptions: string[];
  permissions: RegExp[];
  exceptionPermissions: RegExp[];
  condition?: string;
}

/** v1 permission name → the IAM v2 name deny policies use (`resourcemanager.projects.get` → `cloudresourcemanager.googleapis.com/projects.get`). */
export function v2Permission(permission: string): string {
  const dot = permission.indexOf('.');
  if (dot < 0) return permission;
  const service = permission.slice(0, dot);
  return `${service === 'resourcemanager' ? 'cloudresourcemanager' : service}.googleapis.com/${permission.slice(dot + 1)}`;
}

function permissionPattern(p: string): RegExp {
  // v1 names in a deny rule are read as the v2 name they stand for
  return globRegExp(p.includes('/') ? p : v2Permission(p));
}

export interface GcpEvaluation extends Evaluation {
  /** medium when every grant that allows rests on the built-in role table */
  confidence: 'high' | 'medium';
  /** predefined roles whose permissions came from the built-in table for this answer */
  fallbackRoles: string[];
}

/**
 * Effective permissions of Google Cloud members over one graph, as of `now`. One instance per scan; answers are
 * memoised by grant set.
 */
export class GcpPermissions {
  private readonly roleCache = new Map<string, RolePermissions>();
  private readonly conditionCache = new Map<string, ConditionResult>();
  private readonly grantCache = new Map<string, Grant[]>();
  private readonly bindingCache = new Map<string, Grant | null>();
  private readonly interned = new Map<object, number>();
  private readonly viaCache = new Map<string, Grant>();
  private readonly ancestryCache = new Map<string, string[]>();
  private readonly denyCache = new Map<string, Array<{ rule: DenyRule; applies: PrincipalMatch }>>();
  private readonly keyCache = new Map<string, string>();
  private readonly answers = new Map<string, Map<string, GcpEvaluation>>();
  private readonly denyRules: DenyRule[];
  /** member id → rules naming it exactly; rules with a set or an unknown principal are checked for every member */
  private readonly denyByMember = new Map<string, DenyRule[]>();
  private readonly denyGeneric: DenyRule[] = [];

  constructor(
    readonly graph: IdentityGraph,
    readonly now: Date,
  ) {
    this.denyRules = this.readDenyRules();
    for (const r of this.denyRules) {
      let generic = false;
      for (const p of [...r.denied, ...r.exceptions]) {
        const id = exactPrincipal(p);
        if (id === undefined) generic = true;
      }
      if (generic) this.denyGeneric.push(r);
      else
        for (const p of r.denied) {
          const id = exactPrincipal(p)!;
          if (!id) continue;
          const list = this.denyByMember.get(id) ?? [];
          if (!list.includes(r)) list.push(r);
          this.denyByMember.set(id, list);
        }
    }
  }

  // -- roles ------------------------------------------------------------------------------------------------------

  rolePermissions(role: string): RolePermissions {
    const hit = this.roleCache.get(role);
    if (hit) return hit;
    const node = this.graph.node(`gcp:role:${role}`);
    const doc = (node?.kind === 'entitlement' ? node.document : undefined) as { includedPermissions?: unknown } | undefined;
    const listed = Array.isArray(doc?.includedPermissions) ? (doc.includedPermissions as unknown[]).filter((p): p is string => typeof p === 'string') : undefined;
    const table = role.startsWith('roles/') ? PREDEFINED_ROLE_PERMISSIONS[role] : undefined;
    let out: RolePermissions;
    if (listed) {
      // an entry that is no permission name (a "…" left by whoever cut the list short) means the list is incomplete
      const complete = listed.every((p) => PERMISSION.test(p)) && listed.length === (doc!.includedPermissions as unknown[]).length;
      const defined = new PermissionSet(listed.filter((p) => PERMISSION.test(p)));
      out = !complete && table ? { defined, fallback: new PermissionSet(table), source: 'definition+fallback' } : { defined, source: 'definition' };
    } else if (table) out = { fallback: new PermissionSet(table), source: 'fallback' };
    else out = { source: 'unknown' };
    this.roleCache.set(role, out);
    return out;
  }

  /** Whether a role grants a permission: from its definition (`high`), the built-in table (`medium`), or not at all. */
  roleGrants(role: string, permission: string): 'high' | 'medium' | undefined {
    const r = this.rolePermissions(role);
    if (r.defined?.has(permission)) return 'high';
    if (r.fallback?.has(permission)) return 'medium';
    return undefined;
  }

  // -- conditions ---------------------------------------------------------------------------------------------------

  condition(expression: string): ConditionResult {
    let r = this.conditionCache.get(expression);
    if (!r) {
      r = evaluateCondition(expression, this.now);
      this.conditionCache.set(expression, r);
    }
    return r;
  }

  // -- resources ----------------------------------------------------------------------------------------------------

  /** The resource and every resource above it, nearest first (`serviceAccounts/x` → `projects/p` → folders → organization). */
  ancestry(resource: string): string[] {
    const hit = this.ancestryCache.get(resource);
    if (hit) return hit;
    const chain: string[] = [resource];
    for (let up = this.parentOf(resource); up && !chain.includes(up); up = this.parentOf(up)) chain.push(up);
    this.ancestryCache.set(resource, chain);
    return chain;
  }

  parentOf(resource: string): string | undefined {
    if (resource.startsWith('serviceAccounts/')) {
      const email = resource.slice('serviceAccounts/'.length);
      const p = projectOfServiceAccount(this.graph.node(`gcp:service-account:${email}`), email);
      return p ? `projects/${p}` : undefined;
    }
    const id = nodeOfResource(resource);
    if (!id) return undefined;
    for (const e of this.graph.out(id, 'IN_SCOPE')) {
      const up = resourceOfNode(e.to);
      if (up && !up.startsWith('serviceAccounts/')) return up;
    }
    return undefined;
  }

  // -- members ------------------------------------------------------------------------------------------------------

  /** The groups the graph knows a member is in (MEMBER_OF, followed transitively). */
  groupsOf(memberId: string): string[] {
    const out: string[] = [];
    const seen = new Set([memberId]);
    const stack = [memberId];
    while (stack.length) {
      for (const e of this.graph.out(stack.pop()!, 'MEMBER_OF')) {
        if (seen.has(e.to)) continue;
        seen.add(e.to);
        out.push(e.to);
        stack.push(e.to);
      }
    }
    return out;
  }

  /** Every role binding that applies to a member (its own and its groups'), with the condition decided where it can be. */
  grantsOf(memberId: string): Grant[] {
    const hit = this.grantCache.get(memberId);
    if (hit) return hit;
    // the member's own GRANTED edges, then its groups' (read without copying the edge lists: this runs per principal)
    let out: Grant[] | undefined;
    let groups = false;
    for (const e of this.graph.out(memberId)) {
      if (e.type === 'MEMBER_OF') groups = true;
      if (e.type !== 'GRANTED') continue;
      const n = this.graph.node(e.to);
      const g = n?.kind === 'entitlement' ? this.binding(n) : undefined;
      if (g) (out ??= []).push(g);
    }
    if (groups)
      for (const group of this.groupsOf(memberId))
        for (const e of this.graph.out(group)) {
          if (e.type !== 'GRANTED') continue;
          const n = this.graph.node(e.to);
          const g = n?.kind === 'entitlement' ? this.binding(n) : undefined;
          if (!g) continue;
          const key = `${g.bindingId}<${group}`;
          let via = this.viaCache.get(key);
          if (!via) {
            via = { ...g, via: group };
            this.viaCache.set(key, via);
          }
          (out ??= []).push(via);
        }
    const result = out ?? NO_GRANTS;
    this.grantCache.set(memberId, result);
    return result;
  }

  /** A role binding read once (shared by every member it names directly). */
  private binding(b: EntitlementNode): Grant | undefined {
    let g = this.bindingCache.get(b.id);
    if (g !== undefined) return g ?? undefined;
    g = null;
    const doc = (b.document ?? {}) as { role?: unknown; resource?: unknown; condition?: { expression?: unknown; title?: unknown } };
    if (b.type === 'role-binding' && typeof doc.role === 'string' && typeof doc.resource === 'string') {
      g = { bindingId: b.id, role: doc.role, resource: doc.resource, via: 'direct' };
      const expr = doc.condition?.expression;
      if (typeof expr === 'string' && expr.trim()) g.condition = { expression: expr, title: typeof doc.condition?.title === 'string' ? doc.condition.title : undefined, result: this.condition(expr) };
    }
    this.bindingCache.set(b.id, g);
    return g ?? undefined;
  }

  private intern(s: object): number {
    let n = this.interned.get(s);
    if (n === undefined) {
      n = this.interned.size;
      this.interned.set(s, n);
    }
    return n;
  }

  /** Deny rules that may apply to a member (`yes`: it is named; `unknown`: a set it may belong to). */
  denyRulesFor(memberId: string): Array<{ rule: DenyRule; applies: PrincipalMatch }> {
    const hit = this.denyCache.get(memberId);
    if (hit) return hit;
    if (!this.denyRules.length) return NO_DENIES;
    const out: Array<{ rule: DenyRule; applies: PrincipalMatch }> = [];
    {
      const candidates = new Set<DenyRule>(this.denyGeneric);
      for (const id of [memberId, ...this.groupsOf(memberId)]) for (const r of this.denyByMember.get(id) ?? []) candidates.add(r);
      for (const rule of candidates) {
        const denied = this.matchAny(rule.denied, memberId);
        if (denied === 'no') continue;
        const excepted = this.matchAny(rule.exceptions, memberId);
        if (excepted === 'yes') continue;
        out.push({ rule, applies: denied === 'yes' && excepted === 'no' ? 'yes' : 'unknown' });
      }
    }
    this.denyCache.set(memberId, out);
    return out;
  }

  /**
   * A stable key of everything that decides a member's answers: its bindings (with the route to each) and the deny
   * rules that may apply to it. Members with equal keys get equal answers.
   */
  grantKey(memberId: string): string {
    let k = this.keyCache.get(memberId);
    if (k === undefined) {
      // grants and deny rules are shared objects (one per binding and route, one per rule): numbered by identity
      const grants = this.grantsOf(memberId)
        .map((g) => this.intern(g))
        .sort((a, b) => a - b);
      const denies = this.denyRulesFor(memberId)
        .map((d) => this.intern(d.rule) * 2 + (d.applies === 'yes' ? 0 : 1))
        .sort((a, b) => a - b);
      k = `${grants.join(',')}|${denies.join(',')}`;
      this.keyCache.set(memberId, k);
    }
    return k;
  }

  /** Attachment points of the deny rules that may apply to a member and cover one of `permissions`. */
  denyAttachments(memberId: string, permissions: readonly string[]): string[] {
    const out = new Set<string>();
    for (const { rule } of this.denyRulesFor(memberId)) if (permissions.some((p) => ruleCovers(rule, p))) out.add(rule.attachment);
    return [...out];
  }

  // -- the decision -------------------------------------------------------------------------------------------------

  /** May `memberId` use `permission` on `resource` (`projects/p`, `folders/1`, `organizations/1`, `serviceAccounts/e`)? */
  evaluate(memberId: string, permission: string, resource: string): GcpEvaluation {
    const key = this.grantKey(memberId);
    let memo = this.answers.get(key);
    if (!memo) {
      memo = new Map();
      this.answers.set(key, memo);
    }
    const q = `${permission}\u0000${resource}`;
    let hit = memo.get(q);
    if (!hit) {
      hit = this.decide(memberId, permission, resource);
      memo.set(q, hit);
    }
    return hit.principalId === memberId ? hit : { ...hit, principalId: memberId };
  }

  private decide(memberId: string, permission: string, resource: string): GcpEvaluation {
    const chain = new Set(this.ancestry(resource));
    const allows: StatementRef[] = [];
    const denies: StatementRef[] = [];
    const conditions: ConditionOutcome[] = [];
    const unknownKeys = new Set<string>();
    const fallbackRoles = new Set<string>();
    let allowTrue = false;
    /** some allow that counts for the decision rests on a role definition read by the scan */
    let highTrue = false;
    let highOpen = false;
    const openAllows: string[] = [];
    for (const g of this.grantsOf(memberId)) {
      if (!chain.has(g.resource)) continue;
      const level = this.roleGrants(g.role, permission);
      if (!level) continue;
      const outcome: Truth = g.condition?.result.outcome ?? 'true';
      const ref: StatementRef = { policyId: g.bindingId, policyName: `${g.role} on ${g.resource}`, statementIndex: 0, via: g.via, kind: 'identity', effect: 'Allow' };
      if (g.condition) conditions.push({ statement: ref, operator: 'CEL', key: g.condition.expression, values: g.condition.result.unknown, outcome: g.condition.result.outcome });
      if (outcome === 'false') continue;
      allows.push(ref);
      if (level === 'medium') fallbackRoles.add(g.role);
      if (outcome === 'true') {
        allowTrue = true;
        if (level === 'high') highTrue = true;
      } else {
        openAllows.push(g.condition!.expression);
        if (level === 'high') highOpen = true;
      }
    }
    let denyTrue = false;
    const openDenies: string[] = [];
    for (const { rule, applies } of this.denyRulesFor(memberId)) {
      if (!chain.has(rule.attachment) || !ruleCovers(rule, permission)) continue;
      const cond = rule.condition ? this.condition(rule.condition) : undefined;
      const ref: StatementRef = { policyId: rule.policyId, policyName: rule.policyName, statementIndex: rule.index, via: 'direct', kind: 'identity', effect: 'Deny' };
      if (cond) conditions.push({ statement: ref, operator: 'CEL', key: rule.condition!, values: cond.unknown, outcome: cond.outcome });
      if (cond?.outcome === 'false') continue;
      denies.push(ref);
      if (applies === 'yes' && (!cond || cond.outcome === 'true')) denyTrue = true;
      else openDenies.push(applies === 'unknown' ? `deny rule ${rule.index} of ${rule.policyName}: whether it names ${memberId}` : `deny rule ${rule.index} of ${rule.policyName}: ${rule.condition}`);
    }
    let decision: Decision;
    let deniedBy: Evaluation['deniedBy'];
    if (denyTrue) {
      decision = 'denied';
      deniedBy = 'explicit-deny';
    } else if (!allows.length) {
      decision = 'denied';
      deniedBy = 'no-allow';
    } else if (allowTrue && !openDenies.length) decision = 'allowed';
    else {
      decision = 'conditional';
      if (!allowTrue) for (const e of openAllows) unknownKeys.add(e);
      for (const d of openDenies) unknownKeys.add(d);
    }
    const confidence: 'high' | 'medium' = decision === 'denied' || (allowTrue ? highTrue : highOpen) ? 'high' : 'medium';
    const out: GcpEvaluation = { decision, principalId: memberId, action: permission, resource, allows, denies, conditions, unknownKeys: [...unknownKeys].sort(), confidence, fallbackRoles: [...fallbackRoles].sort() };
    if (deniedBy) out.deniedBy = deniedBy;
    return out;
  }

  // -- deny policies ------------------------------------------------------------------------------------------------

  private readDenyRules(): DenyRule[] {
    const out: DenyRule[] = [];
    for (const n of this.graph.entitlements()) {
      if (n.platform !== 'gcp' || n.type !== 'deny-policy') continue;
      const attachment = this.attachmentOf(n);
      if (!attachment) continue;
      const rules = Array.isArray((n.document as { rules?: unknown })?.rules) ? ((n.document as { rules: unknown[] }).rules as Array<{ denyRule?: Record<string, unknown> }>) : [];
      rules.forEach((r, index) => {
        const d = r?.denyRule;
        if (!d) return;
        const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
        const cond = (d.denialCondition as { expression?: unknown } | undefined)?.expression;
        out.push({
          policyId: n.id,
          policyName: n.name,
          index,
          attachment,
          denied: strings(d.deniedPrincipals),
          exceptions: strings(d.exceptionPrincipals),
          permissions: strings(d.deniedPermissions).map(permissionPattern),
          exceptionPermissions: strings(d.exceptionPermissions).map(permissionPattern),
          condition: typeof cond === 'string' && cond.trim() ? cond : undefined,
        });
      });
    }
    return out;
  }

  /** Where a deny policy is attached: its IN_SCOPE edge, else the resource encoded in its name. */
  private attachmentOf(n: EntitlementNode): string | undefined {
    for (const e of this.graph.out(n.id, 'IN_SCOPE')) {
      const r = resourceOfNode(e.to);
      if (r) return r;
    }
    const m = /^gcp:deny-policy:policies\/([^/]+)\//.exec(n.id);
    if (!m) return undefined;
    const decoded = decodeURIComponent(m[1]).replace(/^cloudresourcemanager\.googleapis\.com\//, '');
    return /^(projects|folders|organizations)\/[^/]+$/.test(decoded) ? decoded : undefined;
  }

  private matchAny(principals: string[], memberId: string): PrincipalMatch {
    let result: PrincipalMatch = 'no';
    for (const p of principals) {
      const m = this.matchPrincipal(p, memberId);
      if (m === 'yes') return 'yes';
      if (m === 'unknown') result = 'unknown';
    }
    return result;
  }

  /** Does an IAM v2 principal identifier cover a member? */
  private matchPrincipal(principal: string, memberId: string): PrincipalMatch {
    if (principal.startsWith('deleted:')) return 'no';
    if (principal === 'principalSet://goog/public:all') return 'yes';
    const exact = exactPrincipal(principal);
    if (exact !== undefined) {
      if (!exact) return 'no';
      return exact === memberId || this.groupsOf(memberId).includes(exact) ? 'yes' : 'no';
    }
    const kind = memberId.split(':')[1];
    // a service account named by its unique id
    const saUid = /^principal:\/\/iam\.googleapis\.com\/projects\/-\/serviceAccounts\/(\d+)$/.exec(principal)?.[1];
    if (saUid) return kind === 'service-account' && this.graph.node(memberId)?.attributes?.uniqueId === saUid ? 'yes' : 'no';
    // every service account of a project, folder or organization
    const saSet = /^principalSet:\/\/cloudresourcemanager\.googleapis\.com\/(projects|folders|organizations)\/([^/]+)\/type\/ServiceAccount$/.exec(principal);
    if (saSet) {
      if (kind !== 'service-account') return 'no';
      const chain = this.ancestry(`serviceAccounts/${memberId.slice('gcp:service-account:'.length)}`);
      if (saSet[1] !== 'projects') return chain.includes(`${saSet[1]}/${saSet[2]}`) ? 'yes' : 'no';
      const project = chain.find((r) => r.startsWith('projects/'));
      if (!project) return 'unknown';
      if (project === `projects/${saSet[2]}`) return 'yes';
      const number = this.graph.node(nodeOfResource(project)!)?.attributes?.projectNumber;
      return number === undefined ? 'unknown' : String(number) === saSet[2] ? 'yes' : 'no';
    }
    // federated identities: a pool-wide set (`…/workloadIdentityPools/POOL/*`) or one attribute / subject
    const fed = /^principal(Set)?:\/\/iam\.googleapis\.com\/(.+)$/.exec(principal);
    if (fed) {
      if (kind !== 'wif-principal') return 'no';
      const member = memberId.slice('gcp:wif-principal:'.length);
      if (principal.endsWith('/*')) return member.replace(/^principal(Set)?:\/\//, 'x://').startsWith(principal.slice(0, -1).replace(/^principal(Set)?:\/\//, 'x://')) ? 'yes' : 'no';
      return member === principal ? 'yes' : 'no';
    }
    // the users of a Cloud Identity / Workspace account: the scan does not know which account a person belongs to
    if (/^principalSet:\/\/goog\/cloudIdentityCustomerId\//.test(principal)) return kind === 'user' || kind === 'group' || kind === 'domain' ? 'unknown' : 'no';
    return 'unknown';
  }
}

/** Node id for a principal identifier naming one member (`''`: names nobody the graph can hold; undefined: a set). */
function exactPrincipal(principal: string): string | undefined {
  if (principal.startsWith('deleted:')) return '';
  const user = /^principal:\/\/goog\/subject\/([^?]+)$/.exec(principal)?.[1];
  if (user) return `gcp:user:${user.toLowerCase()}`;
  const group = /^principalSet:\/\/goog\/group\/([^?]+)$/.exec(principal)?.[1];
  if (group) return `gcp:group:${group.toLowerCase()}`;
  const sa = /^principal:\/\/iam\.googleapis\.com\/projects\/-\/serviceAccounts\/([^?]+@[^?]+)$/.exec(principal)?.[1];
  if (sa) return `gcp:service-account:${sa.toLowerCase()}`;
  return undefined;
}

function ruleCovers(rule: DenyRule, permission: string): boolean {
  const v2 = v2Permission(permission);
  return rule.permissions.some((r) => r.test(v2)) && !rule.exceptionPermissions.some((r) => r.test(v2));
}
