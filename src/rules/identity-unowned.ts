import { z } from 'zod';
import { isAdminEquivalent } from '../policy/effective.js';
import { isOwnedIdentity, label, nodeEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** tag keys naming an owner (case-insensitive; the first present wins); also used to derive OWNED_BY edges */
  ownerTagKeys: z.array(z.string()).default(['owner', 'team', 'contact', 'Owner', 'Team', 'Contact']),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'identity-unowned',
    title: 'Identity without an owner',
    severity: 'low',
    confidence: 'high',
    category: 'ownership',
    platforms: ['*'],
    owasp: ['NHI1'],
    description: 'A user or role carries no owner tag, so nobody is accountable for it (high when it is also admin-equivalent).',
    risk: 'Unowned identities are never reviewed, rotated or deleted, and nobody can say whether a change in their use is expected.',
    remediation: {
      text: 'Tag the identity with its owning team or person (one of the configured owner tag keys).',
      cli: 'aws iam tag-role --role-name <role> --tags Key=owner,Value=<team>   # users: aws iam tag-user --user-name <user> --tags Key=owner,Value=<team>',
      terraform: 'tags = { owner = "<team>" }',
    },
    options,
  },
  check(graph, { options: o }) {
    const keys = new Set(o.ownerTagKeys.map((k) => k.toLowerCase()));
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (!isOwnedIdentity(graph, p)) continue;
      if (graph.out(p.id, 'OWNED_BY').length > 0) continue;
      // Entra ID: owners are directory objects (OWNED_BY edges to enabled owners only); an application whose owners
      // were not exported is no claim; a managed identity's lifecycle follows its Azure resource (no owners in Entra)
      if (p.platform === 'entra') {
        if (p.type === 'managed-identity' || p.attributes?.ownersKnown !== true) continue;
        const disabled = Array.isArray(p.attributes.disabledOwners) ? (p.attributes.disabledOwners as string[]) : [];
        out.push({
          nodeId: p.id,
          message: disabled.length ? `${label(p)} has no enabled owner (${disabled.length} disabled: ${disabled.join(', ')})` : `${label(p)} has no owner`,
          evidence: [nodeEvidence(p, disabled.length ? `Every owner of ${p.name} is disabled: ${disabled.join(', ')}.` : `${p.name} has no owners.`, { owners: p.attributes.ownerCount ?? 0, disabledOwners: disabled })],
        });
        continue;
      }
      const tagged = Object.entries(p.tags ?? {}).some(([k, v]) => keys.has(k.toLowerCase()) && v.trim() !== '');
      if (tagged) continue;
      const tagKeys = Object.keys(p.tags ?? {});
      const evidence = [
        nodeEvidence(p, `${p.name} has no tag ${o.ownerTagKeys.join(' / ')}${tagKeys.length ? ` (tags: ${tagKeys.join(', ')})` : ' (no tags)'}.`, {
          ownerTagKeys: o.ownerTagKeys,
          tagKeys,
        }),
      ];
      const admin = p.platform === 'aws' ? isAdminEquivalent(graph, p.id) : [];
      if (admin.length > 0) {
        evidence.push(...admin.map((r) => ({ description: `Admin-equivalent: ${r.description}`, data: { policyId: r.policyId, statementIndex: r.statementIndex, route: r.kind, via: r.via } })));
      }
      out.push({
        nodeId: p.id,
        message: admin.length > 0 ? `${label(p)} is admin-equivalent and has no owner tag` : `${label(p)} has no owner tag`,
        severity: admin.length > 0 ? 'high' : undefined,
        evidence,
      });
    }
    return out;
  },
};
