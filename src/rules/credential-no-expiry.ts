import { z } from 'zod';
import { daysSince } from '../util/dates.js';
import { capitalise, credentialEvidence, credentialLabel, label, placeOf, activeCredentials } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** credential types checked: tokens, Entra ID application client secrets */
  types: z.array(z.string()).default(['token', 'client-secret']),
  /** a credential living longer than this (creation to expiry) is reported too, at low severity */
  maxLifetimeDays: z.number().int().positive().default(366),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'credential-no-expiry',
    title: 'Token that never expires',
    severity: 'medium',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['github', 'gitlab', '*'],
    owasp: ['NHI7'],
    description: 'An active token (fine-grained or SAML-authorised PAT, GitLab access or deploy token) has no expiry date, or one further away than the maximum lifetime.',
    risk: 'A token without an expiry keeps working after its owner leaves, its purpose ends or it leaks; nothing forces anyone to look at it again.',
    remediation: {
      text: 'Replace the token with one that expires (GitHub fine-grained PATs and GitLab tokens take an expiry date; an org policy can require one), or with a GitHub App / OIDC federation that needs no long-lived token at all.',
      cli: 'gh api -X DELETE /orgs/<org>/personal-access-tokens/<pat id>   # revoke the grant; GitLab: glab api -X DELETE projects/<id>/access_tokens/<token id>',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const out: DraftFinding[] = [];
    for (const c of activeCredentials(graph, o.types)) {
      if (c.expiresAt === undefined) continue;
      const holder = graph.holderOf(c.id);
      const who = holder ? ` of ${label(holder)}` : placeOf(c);
      if (c.expiresAt === null) {
        out.push({
          nodeId: c.id,
          message: `${capitalise(credentialLabel(c))}${who} never expires`,
          evidence: [credentialEvidence(c, now, `${c.name} has no expiry date${c.createdAt ? ` (created ${c.createdAt.slice(0, 10)})` : ''}.`)],
        });
        continue;
      }
      const lifetime = c.createdAt ? -((daysSince(c.expiresAt, new Date(c.createdAt)) ?? 0)) : undefined;
      const left = -(daysSince(c.expiresAt, now) ?? 0);
      if (lifetime !== undefined && lifetime > o.maxLifetimeDays && left > 0) {
        out.push({
          nodeId: c.id,
          severity: 'low',
          discriminator: 'long-lived',
          message: `${capitalise(credentialLabel(c))}${who} lives ${lifetime} days (expires ${c.expiresAt.slice(0, 10)}; limit ${o.maxLifetimeDays})`,
          evidence: [credentialEvidence(c, now, `${c.name} was created ${c.createdAt!.slice(0, 10)} and expires ${c.expiresAt.slice(0, 10)}.`)],
        });
      }
    }
    return out;
  },
};
