import { z } from 'zod';
import { nodeEvidence } from './helpers.js';
import { bindingsOf, serviceAccounts } from './gcp-helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'default-compute-sa-editor',
    title: 'Default compute service account keeps Editor',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['gcp'],
    owasp: ['NHI5', 'NHI9'],
    description: 'The Compute Engine default service account (<number>-compute@developer.gserviceaccount.com) still holds roles/editor or roles/owner, the grant Google made automatically when the API was enabled.',
    risk: 'Every VM, GKE node and Cloud Run/Functions workload created without an explicit service account runs as it: one compromised workload has Editor on the whole project.',
    remediation: {
      text: 'Remove Editor from the default compute service account, give workloads dedicated service accounts with narrow roles, and enforce the iam.automaticIamGrantsForDefaultServiceAccounts org policy.',
      cli: 'gcloud projects remove-iam-policy-binding <project> --member serviceAccount:<number>-compute@developer.gserviceaccount.com --role roles/editor',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const sa of serviceAccounts(graph)) {
      if (sa.attributes?.defaultCompute !== true) continue;
      for (const b of bindingsOf(graph, sa.id)) {
        if (b.role !== 'roles/editor' && b.role !== 'roles/owner') continue;
        out.push({
          nodeId: sa.id,
          discriminator: b.binding.id,
          message: `The default compute service account ${sa.name} holds ${b.role} on ${b.resource}`,
          evidence: [nodeEvidence(b.binding, `${b.resource} binds ${b.role} to the default compute service account.`, { role: b.role, resource: b.resource })],
        });
      }
    }
    return out;
  },
};
