/**
 * AWS Organizations as the authorization engine reads it from the graph (connectors/aws/organization.ts writes it):
 * for each member account, the levels from the root down to the account (root, each OU, the account itself) with
 * the service control policies (SCPs) and resource control policies (RCPs) attached at each level.
 *
 * AWS semantics applied by evaluate.ts and effective.ts:
 * - SCPs limit the IAM users and roles (and the root user) of member accounts: an action is allowed only when, at
 *   every level, some SCP attached there allows it, and no SCP at any level denies it. They never grant. They do not
 *   apply to the management account, nor to service-linked roles.
 * - RCPs limit requests on resources of member accounts, for the services that support them; only their Deny
 *   statements restrict (RCPFullAWSAccess is the only Allow AWS accepts). They do not apply to the management account.
 *
 * A level with no SCP attached in the export is left out (AWS keeps at least one at every level, so the export
 * lacks its targets; the mapping notes it). Without organisation records in the graph, nothing here applies.
 * Built once per graph: linear in accounts times tree depth.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { EntitlementNode, IdentityNode } from '../model/types.js';
import type { Evaluator } from './decision.js';
import type { AdminRoute } from './effective.js';

/** Services whose resources RCPs govern (AWS Organizations user guide, "List of AWS services that support RCPs"). */
export const RCP_SERVICES: ReadonlySet<string> = new Set(['s3', 'sts', 'sqs', 'kms', 'secretsmanager', 'cognito-idp', 'logs', 'dynamodb', 'ecr', 'aoss']);

export interface OrgLevel {
  /** graph id of the root, OU or account */
  nodeId: string;
  name: string;
  scps: EntitlementNode[];
  rcps: EntitlementNode[];
}

export interface OrgAccount {
  id: string;
  organizationId?: string;
  /** aws:PrincipalOrgPaths of its principals: `o-.../r-.../ou-.../` */
  orgPath?: string;
  management: boolean;
  /** root first, the account last (empty when the account is not placed in the tree) */
  levels: OrgLevel[];
}

export interface OrgView {
  accounts: Map<string, OrgAccount>;
  organizationIds: Set<string>;
  /** some RCP is attached somewhere */
  hasRcps: boolean;
}

/** per graph: the view, and the graph's size when it was built (a graph that grew since is read again) */
const cache = new WeakMap<IdentityGraph, { view: OrgView | null; nodes: number; edges: number }>();

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The organisation(s) in the graph, or undefined when the graph holds no organisation data. */
export function organizationOf(graph: IdentityGraph): OrgView | undefined {
  const hit = cache.get(graph);
  if (hit && hit.nodes === graph.nodes.size && hit.edges === graph.edgeCount) return hit.view ?? undefined;
  let view: OrgView | null = null;
  const levelMemo = new Map<string, OrgLevel[] | null>();
  const policiesAt = (id: string, via: 'scp' | 'rcp'): EntitlementNode[] => {
    const out: EntitlementNode[] = [];
    for (const e of graph.out(id, 'GRANTED')) {
      if (e.attributes?.via !== via) continue;
      const n = graph.node(e.to);
      if (n?.kind === 'entitlement') out.push(n);
    }
    return out;
  };
  /** levels from the root down to `id` (null: does not reach a root) */
  const levelsOf = (id: string, depth: number): OrgLevel[] | null => {
    const memo = levelMemo.get(id);
    if (memo !== undefined) return memo;
    const n = graph.node(id);
    let out: OrgLevel[] | null = null;
    if (n && depth < 32) {
      const level: OrgLevel = { nodeId: id, name: n.name, scps: policiesAt(id, 'scp'), rcps: policiesAt(id, 'rcp') };
      if (n.type === 'org-root') out = [level];
      else {
        const parent = graph.out(id, 'CHILD_OF')[0];
        levelMemo.set(id, null); // a cycle ends here
        const above = parent ? levelsOf(parent.to, depth + 1) : null;
        out = above ? [...above, level] : null;
      }
    }
    levelMemo.set(id, out);
    return out;
  };
  for (const n of graph.nodes.values()) {
    if (n.platform !== 'aws' || n.kind !== 'resource') continue;
    if (n.type === 'org-root') {
      view ??= { accounts: new Map(), organizationIds: new Set(), hasRcps: false };
      continue;
    }
    if (n.type !== 'account' || (n.attributes?.managementAccount !== true && graph.out(n.id, 'CHILD_OF').length === 0)) continue;
    view ??= { accounts: new Map(), organizationIds: new Set(), hasRcps: false };
    const account = accountOf(n, levelsOf(n.id, 0) ?? []);
    view.accounts.set(account.id, account);
    if (account.organizationId) view.organizationIds.add(account.organizationId);
    if (account.levels.some((l) => l.rcps.length > 0)) view.hasRcps = true;
  }
  cache.set(graph, { view, nodes: graph.nodes.size, edges: graph.edgeCount });
  return view ?? undefined;
}

function accountOf(n: IdentityNode, levels: OrgLevel[]): OrgAccount {
  const a: OrgAccount = { id: str(n.externalId) ?? n.id.slice('aws:account:'.length), management: n.attributes?.managementAccount === true, levels };
  const org = str(n.attributes?.organizationId);
  if (org) a.organizationId = org;
  const path = str(n.attributes?.orgPath);
  if (path) a.orgPath = path;
  return a;
}

/** Is this IAM role service-linked (SCPs never limit those)? */
export function isServiceLinkedRole(n: IdentityNode | undefined): boolean {
  if (!n) return false;
  const path = n.attributes?.path;
  const arn = str(n.attributes?.arn) ?? str(n.externalId) ?? '';
  return n.attributes?.serviceLinked === true || (typeof path === 'string' && path.startsWith('/aws-service-role/')) || arn.includes(':role/aws-service-role/');
}

export interface ScpScope {
  account: OrgAccount;
  /** the levels that have SCPs attached (root first); each must allow */
  levels: OrgLevel[];
}

/**
 * The SCPs that limit a principal: undefined when none do (no organisation data, not a member account, the
 * management account, a service-linked role, not an IAM user, role or root user, or no SCP attached anywhere).
 */
export function scpScopeOf(graph: IdentityGraph, principalId: string): ScpScope | undefined {
  const view = organizationOf(graph);
  if (!view) return undefined;
  const n = graph.node(principalId);
  if (!n || n.platform !== 'aws' || n.kind !== 'principal') return undefined;
  if (n.type !== 'iam-user' && n.type !== 'iam-role' && n.type !== 'root' && n.type !== 'iam-group') return undefined;
  if (n.type === 'iam-role' && isServiceLinkedRole(n)) return undefined;
  const accountId = str(n.scope);
  const account = accountId ? view.accounts.get(accountId) : undefined;
  if (!account || account.management) return undefined;
  const levels = account.levels.filter((l) => l.scps.length > 0);
  return levels.length > 0 ? { account, levels } : undefined;
}

/** The RCPs that limit requests on resources of `accountId` (attached anywhere from the root to it), or undefined. */
export function rcpsOf(graph: IdentityGraph, accountId: string): { account: OrgAccount; policies: EntitlementNode[] } | undefined {
  const view = organizationOf(graph);
  if (!view || !view.hasRcps) return undefined;
  const account = view.accounts.get(accountId);
  if (!account || account.management) return undefined;
  const seen = new Set<string>();
  const policies: EntitlementNode[] = [];
  for (const l of account.levels) for (const p of l.rcps) if (!seen.has(p.id)) (seen.add(p.id), policies.push(p));
  return policies.length > 0 ? { account, policies } : undefined;
}

/** Does an RCP govern this action (by its service prefix)? */
export function rcpGoverns(actionLower: string): boolean {
  const i = actionLower.indexOf(':');
  return i > 0 && RCP_SERVICES.has(actionLower.slice(0, i));
}

/**
 * Admin routes (effective.ts) checked against the request evaluator for a principal under SCPs: effective.ts
 * honours only unconditional SCP Denies on every resource, the evaluator decides the others (an exception for
 * `aws:PrincipalArn`, a region condition). A route none of whose escalation actions is left is dropped; one whose
 * actions are left only conditionally is marked conditional, with the keys named.
 */
export function refineAdminRoutes(graph: IdentityGraph, evaluatorOf: Evaluator | (() => Evaluator), principalId: string, routes: AdminRoute[]): AdminRoute[] {
  if (routes.length === 0 || !scpScopeOf(graph, principalId)) return routes;
  const evaluator = typeof evaluatorOf === 'function' ? evaluatorOf() : evaluatorOf;
  const out: AdminRoute[] = [];
  for (const r of routes) {
    const left: string[] = [];
    let allowed = false;
    const keys = new Set<string>();
    for (const a of r.escalationActions) {
      const e = evaluator.evaluate(principalId, a, '*');
      if (e.decision === 'denied') continue;
      left.push(a);
      if (e.decision === 'allowed') allowed = true;
      else for (const k of e.unknownKeys) keys.add(k);
    }
    if (left.length === 0) continue;
    if (left.length === r.escalationActions.length && (allowed || r.conditional)) {
      out.push(r);
      continue;
    }
    const route: AdminRoute = { ...r, escalationActions: left };
    if (!allowed && !r.conditional) {
      route.conditional = true;
      route.description = route.description.replace(/\.$/, ` (the organization's SCPs leave it conditional${keys.size ? ` on ${[...keys].sort().join(', ')}` : ''}).`);
    }
    out.push(route);
  }
  return out;
}
