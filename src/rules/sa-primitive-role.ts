import { z } from 'zod';
import { globMatch, nodeEvidence } from './helpers.js';
import { bindingsOf, isPrivileged, serviceAccounts } from './gcp-helpers.js';
import type { DraftFinding, Rule } from './types.js';
import { compileUserRegex, regexOption } from '../util/regex.js';

const options = z.object({
  /** predefined roles counted as admin besides owner / editor (a regular expression) */
  adminRolePattern: regexOption('^roles/.*[aA]dmin$'),
  /** service account emails (globs) privileged on purpose */
  ignore: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'sa-primitive-role',
    title: 'Service account with a primitive or admin role',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['gcp'],
    owasp: ['NHI5'],
    description: 'A service account holds roles/owner (critical), roles/editor, a predefined *Admin role, or a custom role that can set IAM policies, on a project, folder or organisation.',
    risk: 'Primitive roles grant thousands of permissions across every service of the project; whoever can act as the account (its keys, its workloads, anyone allowed to impersonate it) gets all of them.',
    remediation: {
      text: 'Replace the binding with the predefined roles the workload needs (IAM Recommender suggests them from observed use), at the narrowest resource.',
      cli: 'gcloud projects remove-iam-policy-binding <project> --member serviceAccount:<email> --role roles/editor',
    },
    options,
  },
  check(graph, { options: o }) {
    const admin = compileUserRegex(o.adminRolePattern);
    const out: DraftFinding[] = [];
    for (const sa of serviceAccounts(graph)) {
      if (o.ignore.some((g) => globMatch(g, sa.name))) continue;
      for (const b of bindingsOf(graph, sa.id)) {
        if (!isPrivileged(b.role, admin, graph)) continue;
        out.push({
          nodeId: sa.id,
          discriminator: b.binding.id,
          severity: b.role === 'roles/owner' ? 'critical' : undefined,
          message: `Service account ${sa.name} holds ${b.role} on ${b.resource}${b.condition ? ' (conditional)' : ''}`,
          confidence: b.condition ? 'medium' : undefined,
          path: [sa.id, b.binding.id],
          evidence: [
            nodeEvidence(b.binding, `The IAM policy of ${b.resource} binds ${b.role} to serviceAccount:${sa.name}${b.condition ? ` with condition ${b.condition}` : ''}.`, { role: b.role, resource: b.resource }),
            // deny policies narrow the role but do not make it small: shown, not subtracted
            ...graph.in(sa.id, 'DENIES').flatMap((d) => {
              const policy = graph.node(d.from);
              const perms = (d.attributes?.permissions as string[] | undefined) ?? [];
              return policy ? [nodeEvidence(policy, `Deny policy ${policy.name} denies ${perms.length ? perms.join(', ') : 'some permissions'} to this account.`, { permissions: perms })] : [];
            }),
          ],
        });
      }
    }
    return out;
  },
};
