import { z } from 'zod';
import { nodeEvidence } from './helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'wif-provider-unconditioned',
    title: 'Workload identity provider without an attribute condition',
    severity: 'critical',
    confidence: 'high',
    category: 'trust',
    platforms: ['gcp'],
    owasp: ['NHI4', 'NHI6'],
    description: "A workload identity pool provider has no attributeCondition (critical for GitHub's issuer: any repository on GitHub gets tokens for the pool), or one that only pins the repository owner (medium).",
    risk: 'Without a condition, every identity the issuer vouches for can exchange its token; service accounts that trust the pool by attribute are one misconfigured binding away from anyone.',
    remediation: {
      text: "Set an attribute condition that names your repositories (e.g. `assertion.repository == 'acme/app'` or `assertion.repository_owner == 'acme' && assertion.ref == 'refs/heads/main'`).",
      cli: "gcloud iam workload-identity-pools providers update-oidc <provider> --location global --workload-identity-pool <pool> --attribute-condition=\"assertion.repository == 'acme/app'\"",
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const p of graph.principals()) {
      if (p.type !== 'wif-provider' || p.disabled) continue;
      const cond = typeof p.attributes?.attributeCondition === 'string' ? p.attributes.attributeCondition.trim() : '';
      const github = p.attributes?.url === 'token.actions.githubusercontent.com';
      const ownerOnly = cond !== '' && /repository_owner/.test(cond) && !/\brepository\s*==|\brepository_id\b|\bsub\b|\bref\b|\bworkflow/.test(cond);
      if (cond !== '' && !ownerOnly) continue;
      // service accounts reachable: provider → federated principal → service account
      const sas = graph
        .out(p.id, 'CAN_ASSUME')
        .flatMap((e) => graph.out(e.to, 'CAN_ASSUME'))
        .map((e) => e.to)
        .filter((id, i, a) => id.startsWith('gcp:service-account:') && a.indexOf(id) === i);
      out.push({
        nodeId: p.id,
        severity: ownerOnly ? 'medium' : github ? 'critical' : 'high',
        message: ownerOnly
          ? `Workload identity provider ${p.name} only checks the repository owner: every repository of that owner can get tokens`
          : `Workload identity provider ${p.name} has no attribute condition: any identity of ${p.attributes?.issuerUri ?? 'its issuer'} can get tokens${sas.length ? ` (reaches ${sas.length} service account${sas.length > 1 ? 's' : ''})` : ''}`,
        path: [p.id, ...sas],
        evidence: [nodeEvidence(p, `Provider ${p.name} (issuer ${p.attributes?.issuerUri ?? '?'}) has ${cond ? `attributeCondition ${cond}` : 'no attributeCondition'}.`, { issuerUri: p.attributes?.issuerUri, attributeCondition: cond || null, serviceAccounts: sas })],
      });
    }
    return out;
  },
};
