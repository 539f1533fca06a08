import { z } from 'zod';
import { daysSince } from '../util/dates.js';
import { capitalise, credentialEvidence, credentialLabel, day, label, placeOf, activeCredentials } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** an active credential whose last use is older than this many days is reported */
  unusedDays: z.number().int().positive().default(90),
  /** a never-used credential is reported only once it is older than this many days */
  neverUsedGraceDays: z.number().int().nonnegative().default(7),
  /** credential types checked (types whose platform reports a last use) */
  types: z.array(z.string()).default(['access-key', 'service-account-key', 'token', 'ssh-key']),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'credential-unused',
    title: 'Active credential not used',
    severity: 'medium',
    confidence: 'high',
    category: 'usage',
    platforms: ['*'],
    owasp: ['NHI1'],
    description: 'An active credential has not been used within the window, or was never used since it was created.',
    risk: 'A credential nobody uses still works for whoever finds it; it is pure exposure with no benefit.',
    remediation: {
      text: 'Deactivate the credential, wait to see whether anything breaks, then delete it.',
      cli: 'aws iam update-access-key --user-name <user> --access-key-id <key id> --status Inactive && aws iam delete-access-key --user-name <user> --access-key-id <key id>',
      terraform: 'Remove the aws_iam_access_key resource (or set status = "Inactive" first).',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const out: DraftFinding[] = [];
    for (const c of activeCredentials(graph, o.types)) {
      // undefined = the platform does not tell: no claim
      if (c.lastUsedAt === undefined) continue;
      const holder = graph.holderOf(c.id);
      const who = holder ? ` of ${label(holder)}` : placeOf(c);
      const what = capitalise(credentialLabel(c));
      if (c.lastUsedAt === null) {
        const age = daysSince(c.createdAt, now);
        // the platform's usage record may start after the credential was created (GCP Policy Analyzer): then "no use
        // since the record starts" is all that is known
        const since = typeof c.attributes?.usageRecordedSince === 'string' ? c.attributes.usageRecordedSince : undefined;
        if (since && (!c.createdAt || Date.parse(c.createdAt) < Date.parse(since))) {
          const idle = daysSince(since, now);
          // a record of at least unusedDays with no use in it is the claim (Google's own insight uses the same rule)
          if (idle === undefined || idle < o.unusedDays) continue;
          out.push({
            nodeId: holder?.id ?? c.id,
            discriminator: c.id,
            message: `${what}${who} has no recorded use since ${day(since)}, when the platform's usage record starts (${idle} days; created ${age ?? '?'} days ago)`,
            evidence: [credentialEvidence(c, now, `The platform's usage record starts on ${day(since)} and shows no use of ${c.name} since; it was created on ${day(c.createdAt)}.`)],
          });
          continue;
        }
        if (age === undefined || age <= o.neverUsedGraceDays) continue;
        out.push({
          nodeId: holder?.id ?? c.id,
          discriminator: c.id,
          message: `${what}${who} has never been used since it was created ${age} days ago`,
          evidence: [credentialEvidence(c, now, `The platform reports no use of ${c.name} since its creation on ${day(c.createdAt)}.`)],
        });
        continue;
      }
      const idle = daysSince(c.lastUsedAt, now);
      if (idle === undefined || idle <= o.unusedDays) continue;
      out.push({
        nodeId: holder?.id ?? c.id,
        discriminator: c.id,
        message: `${what}${who} has not been used for ${idle} days (last used ${day(c.lastUsedAt)}; limit ${o.unusedDays} days)`,
        evidence: [credentialEvidence(c, now, `${c.name} was last used on ${day(c.lastUsedAt)}, ${idle} days before the evaluation date.`)],
      });
    }
    return out;
  },
};
