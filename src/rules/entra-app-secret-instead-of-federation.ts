import { z } from 'zod';
import { globMatch, label, day, credentialEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';
import type { CredentialNode } from '../model/types.js';

const options = z.object({
  /** also report certificates (key credentials): long-lived too, but not a shared string */
  includeCertificates: z.boolean().default(false),
  /** application names (globs) that need a secret on purpose (a SaaS that only takes a client secret) */
  ignore: z.array(z.string()).default([]),
});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'entra-app-secret-instead-of-federation',
    title: 'Entra application signs in with a client secret instead of federation',
    severity: 'medium',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['entra'],
    owasp: ['NHI4', 'NHI7'],
    description: 'An Entra ID application has an active client secret and no federated identity credential (low when it has both: the secret is the weaker way in).',
    risk: 'A client secret is a password that works from anywhere until it expires; it gets copied into CI variables, config files and laptops. A federated credential has nothing to leak: the workload proves who it is with a short-lived token from its own platform.',
    remediation: {
      text: 'Add a federated identity credential for the workload (GitHub Actions, Kubernetes, another cloud), switch the workload to it (azure/login with client-id and OIDC), then delete the secret.',
      cli: 'az ad app federated-credential create --id <application id> --parameters credential.json && az ad app credential delete --id <application id> --key-id <secret key id>',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (p.platform !== 'entra' || p.type !== 'application' || p.attributes?.external === true) continue;
      if (o.ignore.some((g) => globMatch(g, p.name))) continue;
      const secrets = graph.credentialsOf(p.id).filter((c: CredentialNode) => c.active && (c.credentialType === 'client-secret' || (o.includeCertificates && c.credentialType === 'certificate')));
      if (secrets.length === 0) continue;
      const federated = graph.in(p.id, 'FEDERATES_TO').length;
      for (const c of secrets) {
        const kind = c.credentialType === 'client-secret' ? 'client secret' : 'certificate';
        out.push({
          nodeId: p.id,
          discriminator: c.id,
          severity: federated > 0 ? 'low' : undefined,
          message: federated > 0 ? `${label(p)} has ${federated} federated credential(s) but still an active ${kind} ${c.name} (expires ${day(c.expiresAt)})` : `${label(p)} signs in with the ${kind} ${c.name} (expires ${day(c.expiresAt)}) and has no federated credential`,
          evidence: [credentialEvidence(c, now, `${p.name} has the ${kind} ${c.name}, valid from ${day(c.createdAt)} to ${day(c.expiresAt)}; federated identity credentials: ${federated}.`)],
        });
      }
    }
    return out;
  },
};
