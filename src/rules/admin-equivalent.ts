import { z } from 'zod';
import { graphAnalysis } from '../paths/index.js';
import { fullAdminRoutes, isAdminEquivalent } from '../policy/effective.js';
import { refineAdminRoutes } from '../policy/organization.js';
import { globMatch, isExternal, isServiceLinked, label } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** principal names (or ARNs) to skip, as globs, e.g. `OrganizationAccountAccessRole`, `breakglass-*` */
  ignore: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

const ROUTE_LABEL = {
  'administrator-access': 'AdministratorAccess',
  'action-wildcard': 'Action * on *',
  'not-action': 'a NotAction allow that leaves IAM',
  'iam-permissions-management': 'IAM policy management on *',
} as const;

export const rule: Rule<Options> = {
  meta: {
    id: 'admin-equivalent',
    title: 'Admin-equivalent identity',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['aws'],
    owasp: ['NHI5'],
    description: 'A user or role holds full admin: AdministratorAccess, Action * on *, or a NotAction allow that leaves all of IAM (IAM policy management alone is reported by privilege-escalation, with the hop that makes it admin).',
    risk: 'Whoever controls the identity (a leaked key, a compromised workload, a trusted CI job) controls the whole account.',
    remediation: {
      text: 'Replace the admin policy with one scoped to what the identity uses (see unused-service-grants and IAM Access Analyzer policy generation), or add a permissions boundary. Keep real admin for a few human roles with MFA.',
      cli: 'aws iam detach-role-policy --role-name <role> --policy-arn arn:aws:iam::aws:policy/AdministratorAccess   # users: aws iam detach-user-policy --user-name <user> --policy-arn <arn>',
      terraform: 'Replace the AdministratorAccess aws_iam_role_policy_attachment with a scoped aws_iam_policy, or set permissions_boundary on the role.',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (p.type !== 'iam-user' && p.type !== 'iam-role') continue;
      if (isServiceLinked(p) || isExternal(graph, p)) continue;
      if (o.ignore.some((g) => globMatch(g, p.name) || (p.externalId !== undefined && globMatch(g, p.externalId)))) continue;
      // IAM policy management alone is not admin yet: when the identity can use it to become admin, privilege-escalation
      // reports it with that hop; when it cannot (it may only grant admin to identities it cannot become), it is
      // reported here, as the power to hand out admin
      // service control policies of an AWS organisation: the evaluator decides what their conditions leave
      const refine = (list: ReturnType<typeof isAdminEquivalent>) => refineAdminRoutes(graph, () => graphAnalysis(graph, now).evaluator, p.id, list);
      let routes = refine(fullAdminRoutes(graph, p.id));
      if (routes.length === 0) {
        routes = refine(isAdminEquivalent(graph, p.id));
        if (routes.length === 0 || graphAnalysis(graph, now).paths.pathToAdmin(p.id)) continue;
      }
      const conditionalOnly = routes.every((r) => r.conditional);
      const first = routes.find((r) => !r.conditional) ?? routes[0];
      const viaGroup = first.via !== 'direct' ? ` through group ${graph.node(first.via)?.name ?? first.via}` : '';
      out.push({
        nodeId: p.id,
        message: `${label(p)} is admin-equivalent via ${ROUTE_LABEL[first.kind]} (policy ${first.policyName}${viaGroup})${routes.length > 1 ? ` and ${routes.length - 1} more route${routes.length > 2 ? 's' : ''}` : ''}`,
        confidence: conditionalOnly ? 'medium' : undefined,
        path: [p.id, ...(first.via !== 'direct' ? [first.via] : []), first.policyId],
        evidence: routes.map((r) => ({
          description: `${r.via !== 'direct' ? `${r.description} It reaches ${p.name} through group ${graph.node(r.via)?.name ?? r.via}.` : r.description}${
            r.scps ? ` The organization's service control policies (${r.scps.join(', ')}) leave ${r.escalationActions.length === 1 ? r.escalationActions[0] : `${r.escalationActions.length} IAM escalation actions`} in.` : ''
          }`,
          source: graph.node(r.policyId)?.provenance[0],
          data: {
            route: r.kind,
            policyId: r.policyId,
            policyName: r.policyName,
            statementIndex: r.statementIndex,
            sid: r.sid ?? null,
            via: r.via,
            conditional: r.conditional,
            escalationActions: r.escalationActions,
            ...(r.scps ? { scps: r.scps } : {}),
          },
        })),
      });
    }
    return out;
  },
};
