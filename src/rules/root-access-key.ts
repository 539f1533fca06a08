import { z } from 'zod';
import { credentialEvidence, day } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'root-access-key',
    title: 'Root user has an access key',
    severity: 'critical',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['aws'],
    owasp: ['NHI5', 'NHI7'],
    description: 'The root user of an AWS account has an active access key.',
    risk: 'Root keys cannot be limited by any policy, SCP or boundary: whoever holds one owns the account, including billing and account closure.',
    remediation: {
      text: 'Sign in as root, delete the access key (Security credentials page), and use IAM roles for automation. Keep root for the few tasks that need it, with MFA.',
      cli: 'aws iam delete-access-key --access-key-id <key id>   # run with root credentials; the key belongs to the root user',
    },
    options,
  },
  check(graph, { now }) {
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (p.type !== 'root') continue;
      for (const c of graph.credentialsOf(p.id)) {
        if (!c.active || c.credentialType !== 'access-key') continue;
        out.push({
          nodeId: p.id,
          discriminator: c.id,
          message: `Root user of account ${p.scope ?? p.name} has an active access key (${c.name}, created ${day(c.createdAt)}, last used ${c.lastUsedAt === undefined ? 'unknown' : day(c.lastUsedAt)})`,
          evidence: [credentialEvidence(c, now, `Access key ${c.name} of the root user is active.`)],
        });
      }
    }
    return out;
  },
};
