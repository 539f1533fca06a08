import { z } from 'zod';
import { restrictingConditions } from '../policy/trust.js';
import { label } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'trust-any-principal',
    title: 'Role trusts any principal',
    severity: 'critical',
    confidence: 'high',
    category: 'trust',
    platforms: ['aws'],
    owasp: ['NHI4'],
    description: 'A role\'s trust policy lets any AWS principal (`Principal: "*"`) assume it without a condition that pins down the caller.',
    risk: 'Anyone with an AWS account can assume the role and act with its permissions.',
    remediation: {
      text: 'Name the trusted accounts or roles in Principal, or at least add a condition on aws:PrincipalOrgID / aws:PrincipalAccount / aws:PrincipalArn (or sts:ExternalId for a vendor).',
      cli: 'aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json',
      terraform: 'In assume_role_policy, replace principals { type = "AWS" identifiers = ["*"] } with the trusted ARNs, or add a condition on aws:PrincipalOrgID.',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const e of graph.out('aws:anyone:*', 'CAN_ASSUME')) {
      const role = graph.node(e.to);
      if (!role) continue;
      const idx = typeof e.attributes?.statementIndex === 'number' ? e.attributes.statementIndex : undefined;
      const sid = typeof e.attributes?.sid === 'string' ? e.attributes.sid : undefined;
      const restricting = restrictingConditions(e.attributes?.conditions as Record<string, Record<string, unknown>> | undefined);
      const stmt = `statement ${idx ?? '?'}${sid ? ` (${sid})` : ''}`;
      const data = { statementIndex: idx ?? null, sid: sid ?? null, principalType: e.attributes?.principalType ?? null, conditions: e.attributes?.conditions ?? null };
      if (restricting.length > 0) {
        const keys = [...new Set(restricting.map((r) => r.key))].join(', ');
        out.push({
          nodeId: role.id,
          discriminator: 'restricted',
          severity: 'medium',
          confidence: 'medium',
          message: `${label(role)} trusts any principal, limited only by a condition on ${keys}`,
          path: [e.from, role.id],
          evidence: [{ description: `Trust policy ${stmt} allows Principal "*" with a condition on ${keys}; the condition decides who can assume the role.`, source: e.provenance[0], data: { ...data, restrictingKeys: restricting } }],
        });
        continue;
      }
      out.push({
        nodeId: role.id,
        message: `${label(role)} can be assumed by any AWS principal (Principal "*" without a restricting condition)`,
        path: [e.from, role.id],
        evidence: [{ description: `Trust policy ${stmt} allows Principal "*" and no condition restricts the caller's account, organisation or ARN.`, source: e.provenance[0], data }],
      });
    }
    return out;
  },
};
