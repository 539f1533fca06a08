import { z } from 'zod';
import { nodeEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'webhook-without-secret',
    title: 'Webhook without a secret or with TLS checks off',
    severity: 'medium',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['github'],
    owasp: ['NHI4'],
    description: 'An active webhook has no secret (its receiver cannot tell real deliveries from forged ones) or skips TLS certificate verification; high when both.',
    risk: 'Receivers of unsigned webhooks (CI servers, deploy bots, chat integrations) act on whatever is posted to them; without TLS verification the payload, and any token in the URL, can be read or changed in transit.',
    remediation: {
      text: 'Set a random secret on the webhook and verify the X-Hub-Signature-256 header in the receiver; turn SSL verification back on; delete hooks nobody receives.',
      cli: "gh api -X PATCH /repos/<owner>/<repo>/hooks/<hook id>/config -f secret=\"$(openssl rand -hex 32)\" -f insecure_ssl=0",
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const n of graph.nodes.values()) {
      if (n.type !== 'webhook' || n.attributes?.active === false) continue;
      const noSecret = n.attributes?.hasSecret === false;
      const insecure = n.attributes?.insecureSsl === true;
      if (!noSecret && !insecure) continue;
      const problems = [noSecret ? 'no secret' : '', insecure ? 'TLS verification off' : ''].filter(Boolean).join(' and ');
      out.push({
        nodeId: n.id,
        severity: noSecret && insecure ? 'high' : undefined,
        message: `Webhook ${n.name} has ${problems}`,
        evidence: [nodeEvidence(n, `Active ${n.attributes?.level ?? ''} webhook to ${n.attributes?.urlHost ?? 'an unknown host'} for events ${(n.attributes?.events as string[] | undefined)?.join(', ') ?? '?'}: ${problems}.`, { level: n.attributes?.level, urlHost: n.attributes?.urlHost, events: n.attributes?.events, hasSecret: !noSecret, insecureSsl: insecure })],
      });
    }
    return out;
  },
};
