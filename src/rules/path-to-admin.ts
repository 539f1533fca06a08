import { z } from 'zod';
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityEdge, PrincipalNode } from '../model/types.js';
import { effectiveForServices, isAdminEquivalent } from '../policy/effective.js';
import { conditionValues, edgeConditions, restrictingConditions } from '../policy/trust.js';
import { globMatch, isExternal, isServiceLinked, label } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** longest role chain followed (AWS allows chaining; each hop is one sts:AssumeRole) */
  maxHops: z.number().int().min(1).max(10).default(3),
  /** principal names (or ARNs) to skip, as globs */
  ignore: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

interface Hop {
  role: string;
  edge: IdentityEdge;
  /** how the trust admits the caller: its ARN is named, or its whole account is trusted (identity policy decides) */
  via: 'principal' | 'account';
  conditions: string[];
}

/**
 * Can `caller` assume the role at the end of `edge`? Same-account trust that names the caller's ARN is enough on its
 * own; trust in the caller's account needs the caller's identity policies to allow sts:AssumeRole. A trust that requires
 * MFA is only satisfiable by an IAM user with an MFA device.
 */
function admits(graph: IdentityGraph, caller: PrincipalNode, edge: IdentityEdge, canCallAssume: (id: string) => boolean): Hop | undefined {
  const conds = edgeConditions(edge);
  const mfa = conditionValues(conds, 'aws:MultiFactorAuthPresent').map((v) => v.toLowerCase());
  if (mfa.includes('true') && !(caller.type === 'iam-user' && caller.attributes?.mfaActive === true)) return undefined;
  const restricting = restrictingConditions(conds).map((c) => c.key);
  const extra = mfa.includes('true') ? ['aws:MultiFactorAuthPresent'] : [];
  if (edge.from === caller.id) {
    const sameAccount = caller.scope !== undefined && graph.node(edge.to)?.scope === caller.scope;
    if (!sameAccount && !canCallAssume(caller.id)) return undefined;
    return { role: edge.to, edge, via: 'principal', conditions: [...restricting, ...extra] };
  }
  if (edge.from === `aws:account:${caller.scope}` && canCallAssume(caller.id)) {
    return { role: edge.to, edge, via: 'account', conditions: [...restricting, ...extra] };
  }
  return undefined;
}

export const rule: Rule<Options> = {
  meta: {
    id: 'path-to-admin',
    title: 'Non-admin identity can become admin through roles',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['aws'],
    description: 'A user or role that is not admin itself can assume a role (directly or through a chain of roles) that is admin-equivalent.',
    risk: 'Least privilege on the identity is an illusion when one sts:AssumeRole away sits full admin: whoever holds its key or runs as it owns the account.',
    remediation: {
      text: "Remove the identity from the admin role's trust policy (or stop trusting the whole account), require MFA and an external id where people assume it, or scope the role down. Deny sts:AssumeRole on admin roles in the identity's policies or a permissions boundary.",
      cli: 'aws iam update-assume-role-policy --role-name <admin role> --policy-document file://trust-without-the-caller.json',
      terraform: 'Narrow the assume_role_policy principals of the admin aws_iam_role; add an explicit Deny on sts:AssumeRole for arn:aws:iam::<acct>:role/<admin role> to the caller.',
    },
    options,
  },
  check(graph, { options: o }) {
    // memoised per principal: admin routes and whether its own policies allow sts:AssumeRole
    const adminCache = new Map<string, boolean>();
    const isAdmin = (id: string) => {
      let v = adminCache.get(id);
      if (v === undefined) adminCache.set(id, (v = isAdminEquivalent(graph, id).length > 0));
      return v;
    };
    const assumeCache = new Map<string, boolean>();
    const canCallAssume = (id: string) => {
      let v = assumeCache.get(id);
      if (v === undefined) {
        const sts = effectiveForServices(graph, id, ['sts']).get('sts');
        v = !!sts && (sts.all || (sts.actions ?? []).includes('assumerole'));
        assumeCache.set(id, v);
      }
      return v;
    };
    // roles each trusted source can assume
    const trustedBy = new Map<string, IdentityEdge[]>();
    for (const e of graph.edges) {
      if (e.type !== 'CAN_ASSUME') continue;
      const list = trustedBy.get(e.from);
      if (list) list.push(e);
      else trustedBy.set(e.from, [e]);
    }
    // Roles from which admin is reachable at all (backwards from the admin roles, ignoring conditions and identity
    // permissions: a superset). Only these are worth following, which keeps large estates fast.
    const targets = new Set<string>();
    for (const list of trustedBy.values()) for (const e of list) if (graph.node(e.to)?.type === 'iam-role') targets.add(e.to);
    const leads = new Set([...targets].filter((t) => isAdmin(t)));
    if (leads.size === 0) return [];
    for (let k = 1; k < o.maxHops; k++) {
      const before = leads.size;
      for (const [from, list] of trustedBy) {
        if (!list.some((e) => leads.has(e.to))) continue;
        if (targets.has(from)) leads.add(from);
        const acct = /^aws:account:(\d{12})$/.exec(from)?.[1];
        if (acct) for (const t of targets) if (graph.node(t)?.scope === acct) leads.add(t);
      }
      if (leads.size === before) break;
    }

    const out: DraftFinding[] = [];
    for (const start of graph.principals()) {
      if (start.type !== 'iam-user' && start.type !== 'iam-role') continue;
      if (isServiceLinked(start) || isExternal(graph, start)) continue;
      if (o.ignore.some((g) => globMatch(g, start.name) || (start.externalId !== undefined && globMatch(g, start.externalId)))) continue;
      if (isAdmin(start.id)) continue; // admin-equivalent reports it
      // breadth-first: the shortest chain wins
      const seen = new Set<string>([start.id]);
      let frontier: Array<{ node: PrincipalNode; hops: Hop[] }> = [{ node: start, hops: [] }];
      let found: Hop[] | undefined;
      for (let depth = 0; depth < o.maxHops && !found && frontier.length > 0; depth++) {
        const next: typeof frontier = [];
        for (const { node, hops } of frontier) {
          const edges = [...(trustedBy.get(node.id) ?? []), ...(node.scope ? trustedBy.get(`aws:account:${node.scope}`) ?? [] : [])];
          for (const e of edges) {
            if (seen.has(e.to) || !leads.has(e.to)) continue;
            const target = graph.node(e.to);
            if (target?.kind !== 'principal' || target.type !== 'iam-role') continue;
            const hop = admits(graph, node, e, canCallAssume);
            if (!hop) continue;
            seen.add(e.to);
            const chain = [...hops, hop];
            if (isAdmin(e.to)) {
              found = chain;
              break;
            }
            next.push({ node: target, hops: chain });
          }
          if (found) break;
        }
        frontier = next;
      }
      if (!found) continue;
      const last = found[found.length - 1];
      const adminRole = graph.node(last.role)!;
      const route = isAdminEquivalent(graph, last.role)[0];
      const uncertain = found.some((h) => h.via === 'account' || h.conditions.length > 0);
      const names = [start.name, ...found.map((h) => graph.node(h.role)?.name ?? h.role)];
      out.push({
        nodeId: start.id,
        message: `${label(start)} is not admin but can become admin by assuming ${found.length === 1 ? `role ${adminRole.name}` : `roles ${names.slice(1).join(' → ')}`} (${route?.policyName ?? 'admin-equivalent'})`,
        confidence: uncertain ? 'medium' : 'high',
        path: [start.id, ...found.map((h) => h.role), ...(route ? [route.policyId] : [])],
        evidence: found.map((h, i) => {
          const from = i === 0 ? start.name : graph.node(found![i - 1].role)?.name;
          const role = graph.node(h.role)?.name ?? h.role;
          const how =
            h.via === 'principal'
              ? `the trust policy of ${role} names ${from}`
              : `the trust policy of ${role} trusts account ${start.scope} and ${from}'s own policies allow sts:AssumeRole`;
          const cond = h.conditions.length ? ` (subject to conditions on ${h.conditions.join(', ')})` : '';
          return {
            description: `Hop ${i + 1}: ${from} → ${role}: ${how}${cond}.`,
            source: h.edge.provenance[0],
            data: { role: h.role, via: h.via, statementIndex: h.edge.attributes?.statementIndex ?? null, conditions: h.conditions },
          };
        }),
      });
    }
    return out;
  },
};
