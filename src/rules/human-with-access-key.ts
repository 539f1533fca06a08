import { z } from 'zod';
import type { CredentialNode, PrincipalNode } from '../model/types.js';
import { credentialEvidence, label, nodeEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

function hasConsolePassword(p: PrincipalNode, creds: CredentialNode[]): { yes: boolean; password?: CredentialNode } {
  const password = creds.find((c) => c.credentialType === 'password' && c.active);
  if (password) return { yes: true, password };
  return { yes: p.attributes?.passwordEnabled === true };
}

export const rule: Rule<Options> = {
  meta: {
    id: 'human-with-access-key',
    title: 'Console user also has an access key',
    severity: 'medium',
    confidence: 'medium',
    category: 'credential-hygiene',
    platforms: ['aws'],
    owasp: ['NHI7', 'NHI10'],
    description: 'An IAM user with a console password also has an active access key.',
    risk: 'A person\'s long-lived key ends up in shell profiles and scripts, outlives their role, and mixes human and machine use so neither can be locked down or attributed.',
    remediation: {
      text: 'Give people short-lived credentials (IAM Identity Center / SSO, `aws sso login`) and delete the key; if a machine needs it, move it to a dedicated workload identity without a password.',
      cli: 'aws iam update-access-key --user-name <user> --access-key-id <key id> --status Inactive && aws iam delete-access-key --user-name <user> --access-key-id <key id>',
    },
    options,
  },
  check(graph, { now }) {
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (p.type !== 'iam-user') continue;
      const creds = graph.credentialsOf(p.id);
      const keys = creds.filter((c) => c.active && c.credentialType === 'access-key').sort((a, b) => a.id.localeCompare(b.id));
      if (keys.length === 0) continue;
      const pw = hasConsolePassword(p, creds);
      if (!pw.yes) continue;
      const mfa = p.attributes?.mfaActive;
      const evidence = [
        pw.password
          ? credentialEvidence(pw.password, now, `${p.name} has an active console password.`)
          : nodeEvidence(p, `${p.name} has a console password (password_enabled).`, { passwordEnabled: true }),
        ...keys.map((k) => credentialEvidence(k, now, `Access key ${k.name} is active.`)),
      ];
      if (mfa === false) evidence.push(nodeEvidence(p, `${p.name} has no MFA device.`, { mfaActive: false }));
      out.push({
        nodeId: p.id,
        message: `${label(p)} signs in to the console and also has ${keys.length === 1 ? 'an active access key' : `${keys.length} active access keys`} (${keys.map((k) => k.name).join(', ')})${mfa === false ? '; no MFA' : ''}`,
        evidence,
      });
    }
    return out;
  },
};
