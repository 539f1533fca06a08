import { z } from 'zod';
import { nodeEvidence } from './helpers.js';
import { effectiveRules, k8sServiceAccounts, rightsLevel } from './k8s-helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'k8s-default-service-account-automount',
    title: 'Kubernetes default service account holds rights and its token is mounted',
    severity: 'high',
    confidence: 'high',
    category: 'privilege',
    platforms: ['k8s'],
    owasp: ['NHI5', 'NHI9'],
    description: 'The `default` service account of a namespace is granted RBAC rights and its token is mounted automatically: every pod in the namespace that names no account of its own gets those rights (high when pods in the scan mount it, medium otherwise; critical for rights that escalate).',
    risk: 'Pods run as `default` without anyone choosing it; a compromise of any of them (a vulnerable web app, a debug pod) hands the attacker the token and whatever was bound to `default`, often for one workload\'s convenience.',
    remediation: {
      text: 'Give the workload that needed the rights its own service account, remove the bindings to `default`, and set `automountServiceAccountToken: false` on the default service account.',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const sa of k8sServiceAccounts(graph)) {
      if (sa.attributes?.isDefault !== true || sa.attributes?.automountServiceAccountToken === false) continue;
      const rules = effectiveRules(sa);
      const level = rightsLevel(rules);
      if (level === 'none') continue;
      const mounting = graph
        .in(sa.id, 'RUNS_AS')
        .filter((e) => e.attributes?.automountServiceAccountToken !== false)
        .map((e) => graph.node(e.from)?.name ?? e.from)
        .sort();
      const severity = level === 'admin' || level === 'escalation' ? 'critical' : mounting.length ? 'high' : 'medium';
      const bindings = [...new Set(rules.map((r) => r.binding))];
      out.push({
        nodeId: sa.id,
        severity,
        message: `The default service account ${sa.name} holds ${rules.length} RBAC rule(s) through ${bindings.length} binding(s) and its token is mounted automatically${mounting.length ? ` (${mounting.length} pod(s) in the scan mount it)` : ''}`,
        evidence: [nodeEvidence(sa, `${sa.name} does not set automountServiceAccountToken: false; it is bound by ${bindings.map((b) => b.split(':').slice(2).join(':')).join(', ')}.`, { rights: level, bindings, pods: mounting })],
      });
    }
    return out;
  },
};
