import { z } from 'zod';
import { IMPERSONATION_ROLES } from '../policy/gcp.js';
import { actAsPermissions } from './gcp-helpers.js';
import { nodeEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

const ROLES = IMPERSONATION_ROLES;
const PUBLIC = new Set(['allUsers', 'allAuthenticatedUsers']);

export const rule: Rule<Options> = {
  meta: {
    id: 'sa-impersonation-broad',
    title: 'Broad rights to act as service accounts',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['gcp'],
    owasp: ['NHI5'],
    description: 'Token creator, service account user, workload identity user or key admin (or a custom role with their permissions) granted on a whole project / folder / organisation (so on every service account in it), or on a single service account to allUsers, allAuthenticatedUsers or a whole domain.',
    risk: 'These roles let the member mint tokens for, act as, or create keys for service accounts; granted at project level they reach every service account there, including the most privileged one.',
    remediation: {
      text: 'Grant these roles on the individual service account that needs to be impersonated, to named principals only, and remove the project-level binding.',
      cli: 'gcloud projects remove-iam-policy-binding <project> --member <member> --role roles/iam.serviceAccountTokenCreator',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const b of graph.entitlements()) {
      if (b.platform !== 'gcp' || b.type !== 'role-binding') continue;
      const doc = (b.document ?? {}) as { role?: string; resource?: string };
      if (!doc.role || !doc.resource || !(ROLES.has(doc.role) || actAsPermissions(graph, doc.role).length)) continue;
      const members = graph.in(b.id, 'GRANTED').map((e) => String(e.attributes?.member ?? e.from));
      const publicMembers = members.filter((m) => PUBLIC.has(m));
      const domains = members.filter((m) => m.startsWith('domain:'));
      const onSa = doc.resource.startsWith('serviceAccounts/');
      if (onSa && publicMembers.length === 0 && domains.length === 0) continue; // named principals on one account: how it should be
      const severity = publicMembers.length ? 'critical' : undefined;
      const who = publicMembers.length ? publicMembers : onSa ? domains : members;
      out.push({
        nodeId: b.id,
        severity,
        message: onSa
          ? `${doc.role} on service account ${doc.resource.slice('serviceAccounts/'.length)} is granted to ${who.join(', ')}`
          : `${doc.role} is granted on ${doc.resource} (every service account in it) to ${who.join(', ')}`,
        evidence: [nodeEvidence(b, `Binding ${doc.role} on ${doc.resource}: members ${members.join(', ')}.`, { role: doc.role, resource: doc.resource, members })],
      });
    }
    return out;
  },
};
