import { z } from 'zod';
import { conditionValues } from '../policy/trust.js';
import { awsAccountOf, label } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** account ids that are trusted on purpose (vendors, other organisations' accounts you work with) */
  allowedAccounts: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

const SOURCE_TYPES = new Set(['account', 'root', 'iam-role', 'iam-user']);

export const rule: Rule<Options> = {
  meta: {
    id: 'trust-unknown-account',
    title: 'Role trusts an account outside the scan',
    severity: 'medium',
    confidence: 'medium',
    category: 'trust',
    platforms: ['aws'],
    owasp: ['NHI3', 'NHI4'],
    description: 'A role can be assumed from an AWS account that was not scanned and is not on the allowed list (high when a whole foreign account is trusted without an external id).',
    risk: 'Whoever administers the other account decides who can use the role. Without sts:ExternalId a vendor trusted this way can be tricked into acting for another customer (confused deputy).',
    remediation: {
      text: 'Confirm the account is expected and add it to allowedAccounts; for third parties require an sts:ExternalId condition and trust a specific role ARN rather than the account root. Otherwise remove the statement.',
      cli: 'aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json',
      terraform: 'condition { test = "StringEquals" variable = "sts:ExternalId" values = [var.external_id] }',
    },
    options,
  },
  check(graph, { options: o }) {
    const allowed = new Set(o.allowedAccounts.map((a) => a.trim()));
    const out: DraftFinding[] = [];
    for (const e of graph.edges) {
      if (e.type !== 'CAN_ASSUME') continue;
      const typeOf = /^aws:([a-z-]+):/.exec(e.from)?.[1];
      if (!typeOf || !SOURCE_TYPES.has(typeOf)) continue;
      const source = graph.node(e.from);
      const acct = awsAccountOf(e.from, source);
      if (!acct) continue;
      const role = graph.node(e.to);
      if (!role || role.scope === acct) continue;
      if (graph.node(`aws:account:${acct}`)?.attributes?.inScan === true) continue;
      if (allowed.has(acct)) continue;
      const conds = e.attributes?.conditions as Record<string, Record<string, unknown>> | undefined;
      const externalIds = conditionValues(conds, 'sts:ExternalId');
      const isRoot = typeOf === 'account' || typeOf === 'root';
      const confused = isRoot && externalIds.length === 0;
      const idx = e.attributes?.statementIndex;
      const who = isRoot ? `account ${acct} (any principal its admins allow)` : `${typeOf === 'iam-role' ? 'role' : 'user'} ${source?.externalId ?? e.from.replace(/^aws:[a-z-]+:/, '')} in account ${acct}`;
      out.push({
        nodeId: role.id,
        discriminator: e.from,
        severity: confused ? 'high' : undefined,
        message: `${label(role)} can be assumed from ${who}, which is outside the scan${confused ? ' and no sts:ExternalId is required' : ''}`,
        path: [e.from, role.id],
        evidence: [
          {
            description: `Trust policy statement ${typeof idx === 'number' ? idx : '?'} trusts ${who}; account ${acct} was not scanned and is not in allowedAccounts.${externalIds.length ? ' An sts:ExternalId is required.' : ''}`,
            source: e.provenance[0],
            data: { account: acct, sourceId: e.from, statementIndex: idx ?? null, externalIdRequired: externalIds.length > 0, conditions: e.attributes?.conditions ?? null },
          },
        ],
      });
    }
    return out;
  },
};
