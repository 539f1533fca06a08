import { z } from 'zod';
import type { DraftFinding, Rule } from './types.js';
import { locate, workflowEvidence, workflowLabel, workflows } from './ci-helpers.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

const PROVIDER = { aws: 'AWS access keys', gcp: 'a Google Cloud service account key', azure: 'an Entra service principal secret (azure/login creds)' } as const;
const CLOUD = { aws: 'AWS', gcp: 'Google Cloud', azure: 'Azure' } as const;
const FIX = {
  aws: 'use aws-actions/configure-aws-credentials with role-to-assume and `permissions: id-token: write` (GitHub OIDC)',
  gcp: 'use google-github-actions/auth with workload_identity_provider and service_account (workload identity federation)',
  azure: 'use azure/login with client-id, tenant-id and subscription-id and a federated identity credential on the application (GitHub OIDC)',
} as const;

export const rule: Rule<Options> = {
  meta: {
    id: 'long-lived-cloud-credential-in-ci',
    title: 'Long-lived cloud credential in CI',
    severity: 'high',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    owasp: ['NHI6', 'NHI7'],
    description: 'A workflow authenticates to AWS, Google Cloud or Azure with static keys stored as CI secrets, where OIDC federation would give short-lived credentials.',
    risk: 'Static cloud keys in CI never expire, are copied into every run, leak through logs and forks, and are rarely rotated; federation tokens last an hour and are bound to the repository.',
    remediation: {
      text: 'Switch to OIDC federation (AWS: an IAM role trusting token.actions.githubusercontent.com with a sub condition for this repository; GCP: a workload identity provider with an attribute condition), then delete the secrets and deactivate the keys.',
      cli: 'aws iam update-access-key --user-name <ci user> --access-key-id <key id> --status Inactive',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const w of workflows(graph)) {
      // one finding per job, provider and set of secrets: the same keys passed in several steps of a job are one
      // credential exposure (one fingerprint, stable when lines move), each place a line of evidence
      const byKey = new Map<string, { first: (typeof w.cloudAuth)[number]; all: Array<(typeof w.cloudAuth)[number]> }>();
      for (const c of w.cloudAuth) {
        if (c.staticSecrets.length === 0) continue;
        const key = `${c.provider}:${c.job}:${[...c.staticSecrets].sort().join(',')}`;
        const hit = byKey.get(key);
        if (hit) hit.all.push(c);
        else byKey.set(key, { first: c, all: [c] });
      }
      for (const { first: c, all } of byKey.values()) {
        // the fingerprint as before this grouping: provider, job and the secrets in the order first written
        const discriminator = `${c.provider}:${c.job}:${c.staticSecrets.join(',')}`;
        const where = all.length > 1 ? ` (${all.length} steps)` : '';
        out.push({
          nodeId: w.node.id,
          discriminator,
          message: `${workflowLabel(w)}: job ${c.job} authenticates to ${CLOUD[c.provider]} with ${PROVIDER[c.provider]} from secrets ${c.staticSecrets.join(', ')}${where}`,
          location: locate(w, c.line, c.column),
          evidence: all.map((x) =>
            workflowEvidence(w, `Line ${x.line}: job ${x.job} passes ${x.staticSecrets.join(', ')} as ${PROVIDER[x.provider]}; instead ${FIX[x.provider]}.`, {
              provider: x.provider,
              job: x.job,
              secrets: x.staticSecrets,
              line: x.line,
            }),
          ),
        });
      }
    }
    return out;
  },
};
