import { z } from 'zod';
import { nodeEvidence } from './helpers.js';
import { bindingsOf, serviceAccounts } from './gcp-helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'unused-role-grants',
    title: 'Role granted but unused (Recommender)',
    severity: 'low',
    confidence: 'medium',
    category: 'privilege',
    platforms: ['gcp'],
    owasp: ['NHI5'],
    description: "A service account's role binding that Google's IAM Recommender proposes to remove or replace because the permissions were not used in its observation window.",
    risk: 'Unused permissions are pure exposure: they do nothing for the workload and everything for whoever takes it over.',
    remediation: {
      text: 'Apply the recommendation (remove the role, or replace it with the smaller roles suggested) after checking nothing seasonal needs it.',
      cli: 'gcloud recommender recommendations list --project <project> --location global --recommender google.iam.policy.Recommender',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const sa of serviceAccounts(graph)) {
      for (const b of bindingsOf(graph, sa.id)) {
        const rec = b.edge.attributes?.recommendation as { action?: string; replacementRoles?: string[]; description?: string } | undefined;
        if (!rec) continue;
        out.push({
          nodeId: sa.id,
          discriminator: b.binding.id,
          message: `Service account ${sa.name}: ${b.role} on ${b.resource} is unused — Recommender suggests to ${rec.action === 'replace' ? `replace it with ${(rec.replacementRoles ?? []).join(', ')}` : 'remove it'}`,
          evidence: [nodeEvidence(b.binding, `IAM Recommender: ${rec.description ?? 'the role was not used in the observation window'}`, { role: b.role, resource: b.resource, recommendation: rec })],
        });
      }
    }
    return out;
  },
};
