import { z } from 'zod';
import { credentialEvidence } from './helpers.js';
import { bindingsOf, isPrivileged, serviceAccounts } from './gcp-helpers.js';
import type { DraftFinding, Rule } from './types.js';
import { compileUserRegex, regexOption } from '../util/regex.js';

const options = z.object({
  /** roles that make a key high severity besides owner / editor */
  adminRolePattern: regexOption('^roles/.*[aA]dmin$'),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'sa-user-managed-key',
    title: 'Service account with a user-managed key',
    severity: 'medium',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['gcp'],
    owasp: ['NHI7'],
    description: 'A Google Cloud service account has an active user-managed key, where an attached service account, impersonation or workload identity federation would do; high when the account holds a primitive or admin role.',
    risk: 'A user-managed key is a long-lived private key file: it never expires by default, is copied onto laptops, CI systems and repositories, and works from anywhere.',
    remediation: {
      text: 'Attach the service account to the workload (Compute, Cloud Run, GKE workload identity), use impersonation for people, or workload identity federation for CI; then disable and delete the key. Enforce the iam.disableServiceAccountKeyCreation org policy.',
      cli: 'gcloud iam service-accounts keys disable <key id> --iam-account <email> && gcloud iam service-accounts keys delete <key id> --iam-account <email>',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const admin = compileUserRegex(o.adminRolePattern);
    const out: DraftFinding[] = [];
    for (const sa of serviceAccounts(graph)) {
      const keys = graph.credentialsOf(sa.id).filter((c) => c.active && c.type === 'sa-key' && c.attributes?.keyType === 'USER_MANAGED');
      if (keys.length === 0) continue;
      const strong = bindingsOf(graph, sa.id).filter((b) => isPrivileged(b.role, admin, graph));
      for (const k of keys) {
        out.push({
          nodeId: sa.id,
          discriminator: k.id,
          severity: strong.length ? 'high' : undefined,
          message: `Service account ${sa.name} has a user-managed key ${k.name} (created ${k.createdAt?.slice(0, 10) ?? '?'})${strong.length ? ` and holds ${strong.map((b) => b.role).join(', ')}` : ''}`,
          evidence: [credentialEvidence(k, now, `Key ${k.externalId ?? k.name} is USER_MANAGED and active${k.expiresAt === null ? ', with no expiry' : ''}.`)],
        });
      }
    }
    return out;
  },
};
