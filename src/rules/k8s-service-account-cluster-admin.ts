import { z } from 'zod';
import { nodeEvidence } from './helpers.js';
import { isWildcard, k8sBindingsOf, k8sServiceAccounts } from './k8s-helpers.js';
import type { DraftFinding, Rule } from './types.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

interface RoleDoc {
  rules?: Array<{ verbs: string[]; resources?: string[]; apiGroups?: string[]; resourceNames?: string[] }>;
}

export const rule: Rule<Options> = {
  meta: {
    id: 'k8s-service-account-cluster-admin',
    title: 'Kubernetes service account bound to cluster-admin',
    severity: 'critical',
    confidence: 'high',
    category: 'privilege',
    platforms: ['k8s'],
    owasp: ['NHI5'],
    description: 'A ClusterRoleBinding or RoleBinding grants a service account cluster-admin, or a role with * verbs on * resources in every API group (critical cluster-wide, high within one namespace).',
    risk: 'Any pod running as the account, and anyone holding one of its tokens, controls the cluster (or the namespace): reads every secret, runs any workload, rewrites RBAC.',
    remediation: {
      text: 'Replace the binding with a role listing the verbs and resources the workload uses, bound in the namespaces it works in.',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const sa of k8sServiceAccounts(graph)) {
      for (const { binding, roleRef, role } of k8sBindingsOf(graph, sa.id)) {
        const clusterAdmin = roleRef.kind === 'ClusterRole' && roleRef.name === 'cluster-admin';
        const wildcard = ((role?.document as RoleDoc | undefined)?.rules ?? []).some((r) => isWildcard(r));
        if (!clusterAdmin && !wildcard) continue;
        const cluster = binding.type === 'cluster-role-binding';
        const where = cluster ? 'the whole cluster' : `namespace ${String(binding.attributes?.namespace)}`;
        const grant = clusterAdmin ? 'cluster-admin' : `${roleRef.kind} ${roleRef.name} (* on *)`;
        out.push({
          nodeId: sa.id,
          severity: cluster ? 'critical' : 'high',
          discriminator: binding.id,
          message: `Service account ${sa.name} is bound to ${grant} on ${where} by ${cluster ? 'ClusterRoleBinding' : 'RoleBinding'} ${binding.name}`,
          evidence: [nodeEvidence(binding, `${binding.name} binds ${roleRef.kind}/${roleRef.name} to ${sa.name}${cluster ? '' : ` in ${String(binding.attributes?.namespace)}`}.`, { roleRef, clusterWide: cluster })],
        });
      }
    }
    return out;
  },
};
