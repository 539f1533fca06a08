import { z } from 'zod';
import { daysSince } from '../util/dates.js';
import { capitalise, credentialAgeBase, credentialEvidence, credentialLabel, day, label, placeOf, activeCredentials } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** a credential older than this (days since last rotation, else creation) is reported */
  maxAgeDays: z.number().int().positive().default(90),
  /** credential types checked: AWS / GCP keys, deploy keys, tokens, CI secrets, Entra application client secrets */
  types: z.array(z.string()).default(['access-key', 'service-account-key', 'ssh-key', 'token', 'secret', 'client-secret']),
  /** per-type limits that replace maxAgeDays (CI secrets get a looser default: rotating them means touching every consumer) */
  maxAgeDaysByType: z.record(z.string(), z.number().int().positive()).default({ secret: 180 }),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'credential-not-rotated',
    title: 'Credential not rotated',
    severity: 'medium',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['*'],
    owasp: ['NHI7'],
    description: 'An active long-lived credential (by default an access key) is older than the maximum age.',
    risk: 'Long-lived secrets leak through laptops, CI logs and old repositories; the longer one lives, the longer a leaked copy keeps working.',
    remediation: {
      text: 'Create a new key, move its users to it, deactivate the old key, watch for failures, then delete the old key. Better: replace the key with a role the workload assumes (OIDC, instance profile).',
      cli: 'aws iam create-access-key --user-name <user> && aws iam update-access-key --user-name <user> --access-key-id <old key id> --status Inactive && aws iam delete-access-key --user-name <user> --access-key-id <old key id>',
      terraform: 'Replace aws_iam_access_key resources regularly (e.g. with a rotation module), or remove them in favour of an assumable role.',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const out: DraftFinding[] = [];
    for (const c of activeCredentials(graph, o.types)) {
      const base = credentialAgeBase(c);
      const age = daysSince(base, now);
      const max = o.maxAgeDaysByType[c.credentialType] ?? o.maxAgeDays;
      if (age === undefined || age <= max) continue;
      const holder = graph.holderOf(c.id);
      const who = holder ? ` of ${label(holder)}` : placeOf(c);
      const since = c.lastRotatedAt ? 'last rotated' : 'created';
      out.push({
        nodeId: holder?.id ?? c.id,
        discriminator: c.id,
        message: `${capitalise(credentialLabel(c))}${who} is ${age} days old (${since} ${day(base)}; limit ${max} days)`,
        evidence: [credentialEvidence(c, now, `${c.name} was ${since} on ${day(base)}, ${age} days before the evaluation date; it is still active.`)],
      });
    }
    return out;
  },
};
