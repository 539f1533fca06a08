import { z } from 'zod';
import type { Severity } from '../model/types.js';
import { credentialEvidence, day, nodeEvidence } from './helpers.js';
import { effectiveRules, escalationKind, rightsLevel } from './k8s-helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

const SEVERITY: Record<ReturnType<typeof rightsLevel>, Severity> = { admin: 'critical', escalation: 'high', some: 'medium', none: 'low' };

export const rule: Rule<Options> = {
  meta: {
    id: 'k8s-legacy-service-account-token',
    title: 'Kubernetes legacy service-account token Secret',
    severity: 'high',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['k8s'],
    owasp: ['NHI7'],
    description: 'A Secret of type kubernetes.io/service-account-token: a token for a service account that never expires and is valid until the Secret is deleted. Severity follows what the account can do.',
    risk: 'The token is a bearer credential stored in etcd and readable by anyone who can get secrets in its namespace; copied once (into CI, a laptop, a log) it works from anywhere for as long as the Secret exists, unlike the projected tokens pods get, which expire within hours.',
    remediation: {
      text: 'Delete the Secret and let workloads use projected tokens (automatic in pods); for an external client that needs a token, issue a short-lived one with `kubectl create token` instead.',
    },
    options,
  },
  check(graph, { now }) {
    const out: DraftFinding[] = [];
    for (const c of graph.credentials()) {
      if (c.platform !== 'k8s' || c.type !== 'k8s-token-secret' || c.attributes?.legacy !== true) continue;
      const holder = graph.holderOf(c.id);
      const rules = holder ? effectiveRules(holder) : [];
      const level = holder ? rightsLevel(rules) : 'none';
      const what =
        level === 'admin' ? 'cluster-admin rights' : level === 'escalation' ? `rights that escalate (${[...new Set(rules.map(escalationKind).filter(Boolean))].join(', ')})` : level === 'some' ? `${rules.length} RBAC rule(s)` : 'no RBAC rights in this scan';
      const who = holder ? `service account ${holder.name}` : `service account ${String(c.attributes?.serviceAccount ?? '(unnamed)')} (not in the scan)`;
      out.push({
        nodeId: c.id,
        severity: SEVERITY[level],
        message: `Legacy token Secret ${c.name} of ${who} never expires (created ${day(c.createdAt)}); the account holds ${what}`,
        evidence: [
          credentialEvidence(c, now, `${c.name} is of type kubernetes.io/service-account-token: a long-lived token with no expiry.`),
          ...(holder ? [nodeEvidence(holder, `${holder.name} holds ${what}.`, { rights: level, bindings: [...new Set(rules.map((r) => r.binding))] })] : []),
        ],
      });
    }
    return out;
  },
};
