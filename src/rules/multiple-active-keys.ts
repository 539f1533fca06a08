import { z } from 'zod';
import { credentialEvidence, label, isPlatformManaged } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({
  /** credential types counted (each type separately) */
  types: z.array(z.string()).default(['access-key', 'service-account-key']),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'multiple-active-keys',
    title: 'More than one active key',
    severity: 'low',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['*'],
    owasp: ['NHI7', 'NHI9'],
    description: 'An identity has two or more active keys of the same type at once.',
    risk: 'A second active key is usually a rotation that was never finished: the old key keeps working and doubles the exposure.',
    remediation: {
      text: 'Find which key is still in use (last-used date), move every user of the other key over, then deactivate and delete it.',
      cli: 'aws iam list-access-keys --user-name <user> && aws iam update-access-key --user-name <user> --access-key-id <unused key id> --status Inactive',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      const creds = graph.credentialsOf(p.id).filter((c) => c.active && !isPlatformManaged(c));
      for (const type of o.types) {
        const keys = creds.filter((c) => c.credentialType === type).sort((a, b) => a.id.localeCompare(b.id));
        if (keys.length < 2) continue;
        out.push({
          nodeId: p.id,
          discriminator: type,
          message: `${label(p)} has ${keys.length} active ${type === 'access-key' ? 'access keys' : `${type}s`}: ${keys.map((k) => k.name).join(', ')}`,
          evidence: keys.map((k) => credentialEvidence(k, now, `${k.name} is active.`)),
        });
      }
    }
    return out;
  },
};
