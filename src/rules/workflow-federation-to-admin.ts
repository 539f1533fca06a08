import { z } from 'zod';
import { isAdminEquivalent } from '../policy/effective.js';
import { classifySub, conditionValues, edgeConditions, GITHUB_OIDC_HOST } from '../policy/trust.js';
import type { DraftFinding, Rule } from './types.js';
import { locate, workflowEvidence, workflowLabel, workflows } from './ci-helpers.js';
import { bindingsOf, isPrivileged } from './gcp-helpers.js';
import { GITHUB_ANYONE, jobPrincipalId } from '../paths/codehost.js';
import { graphAnalysis } from '../paths/index.js';

const GCP_ADMIN = /^roles\/.*[aA]dmin$/;

const options = z.object({});
export type Options = z.infer<typeof options>;

export const rule: Rule<Options> = {
  meta: {
    id: 'workflow-federation-to-admin',
    title: 'Workflow federates into an admin role',
    severity: 'high',
    confidence: 'high',
    category: 'ci',
    platforms: ['github', 'aws', 'gcp', 'entra'],
    owasp: ['NHI5', 'NHI6'],
    description: 'A GitHub workflow assumes (through OIDC) an AWS role that is admin-equivalent (critical when the role trusts GitHub tokens of any repository), or a Google Cloud service account holding a primitive or admin role, or signs in (federated credential) as an Entra application that is admin of the tenant or of an Azure subscription. A role the workflow does not name (its ARN comes from a secret) counts when its trust, scoped to the repository, accepts a job\'s token.',
    risk: 'Whoever can change the workflow (a pull request that gets merged, a compromised action, a maintainer token) holds full admin on the account; with an unscoped trust, any repository on GitHub does.',
    remediation: {
      text: "Give the deploy role only what the deployment needs, scope its trust to this repository and branch or environment (`token.actions.githubusercontent.com:sub`), and protect the environment with required reviewers.",
      cli: 'aws iam detach-role-policy --role-name <role> --policy-arn arn:aws:iam::aws:policy/AdministratorAccess',
    },
    options,
  },
  check(graph, { now }) {
    const out: DraftFinding[] = [];
    let analysis: ReturnType<typeof graphAnalysis> | undefined;
    for (const w of workflows(graph)) {
      const named = new Set(graph.out(w.node.id, 'FEDERATES_TO').map((e) => e.to));
      // joined from the cloud side: a trust scoped to this repository accepts a job's token, whatever role-to-assume
      // says (the ARN often comes from a secret); a trust any repository passes is oidc-trust-unscoped's finding
      if (w.jobs.some((j) => j.usesIdToken)) {
        analysis ??= graphAnalysis(graph, now);
        const { paths } = analysis;
        const open = new Set((paths.out.get(GITHUB_ANYONE) ?? []).map((e) => e.to));
        const joined = new Map<string, { jobs: string[]; via: string[] }>();
        for (const j of w.jobs) {
          for (const e of paths.out.get(jobPrincipalId(w.node.id, j.id)) ?? []) {
            if (named.has(e.to) || open.has(e.to) || e.decision !== 'allowed' || !/^(aws:iam-role:|entra:)/.test(e.to)) continue;
            const entry = joined.get(e.to) ?? { jobs: [], via: [] };
            entry.jobs.push(j.id);
            if (e.via) entry.via.push(e.via);
            joined.set(e.to, entry);
          }
        }
        for (const [to, { jobs, via }] of joined) {
          const job = w.jobs.find((j) => j.id === jobs[0]);
          if (to.startsWith('entra:')) {
            // an Entra application that is admin of the tenant or of an Azure scope (src/paths/entra.ts)
            const app = graph.node(to);
            const admin = paths.admins.get(to);
            if (!app || !admin) continue;
            out.push({
              nodeId: w.node.id,
              discriminator: app.id,
              severity: 'high',
              message: `${workflowLabel(w)} → application ${app.name}: job ${jobs.join(', ')} signs in as it (its federated credential accepts the job's OIDC token), and ${admin.why}`,
              path: [w.node.id, jobPrincipalId(w.node.id, jobs[0]), app.id],
              location: locate(w, job?.line),
              evidence: [workflowEvidence(w, `A federated identity credential of ${app.name} accepts the token of ${via.join('; ')}.`, { application: app.id, jobs, joinedFromTrust: true }), { description: admin.why, source: app.provenance[0], data: { admin: app.id } }],
            });
            continue;
          }
          const role = graph.node(to);
          const routes = role ? isAdminEquivalent(graph, role.id) : [];
          if (!role || routes.length === 0) continue;
          out.push({
            nodeId: w.node.id,
            discriminator: role.id,
            severity: 'high',
            message: `${workflowLabel(w)} → role ${role.name} → ${routes[0].policyName}: job ${jobs.join(', ')} can assume it (its trust accepts the job's OIDC token), so the workflow holds admin on account ${role.scope ?? '?'}`,
            path: [w.node.id, jobPrincipalId(w.node.id, jobs[0]), role.id, routes[0].policyId],
            location: locate(w, job?.line),
            evidence: [
              workflowEvidence(w, `The trust of ${role.name} accepts the token of ${via.join('; ')}.`, { role: role.id, jobs, joinedFromTrust: true }),
              { description: `${routes[0].description}`, source: graph.node(routes[0].policyId)?.provenance[0], data: { policyId: routes[0].policyId, route: routes[0].kind } },
            ],
          });
        }
      }
      for (const e of graph.out(w.node.id, 'FEDERATES_TO')) {
        if (e.to.startsWith('gcp:service-account:')) {
          const sa = graph.node(e.to);
          if (!sa || e.attributes?.trustMatches === false) continue;
          const strong = bindingsOf(graph, sa.id).filter((b) => isPrivileged(b.role, GCP_ADMIN, graph));
          if (strong.length === 0) continue;
          const lines = Array.isArray(e.attributes?.lines) ? (e.attributes!.lines as number[]) : [];
          out.push({
            nodeId: w.node.id,
            discriminator: sa.id,
            message: `${workflowLabel(w)} → service account ${sa.name} → ${strong[0].role} on ${strong[0].resource}: the workflow holds ${strong.map((b) => b.role).join(', ')}`,
            path: [w.node.id, sa.id, strong[0].binding.id],
            location: locate(w, lines[0]),
            evidence: [
              workflowEvidence(w, `Line ${lines[0] ?? '?'}: job ${(e.attributes?.jobs as string[] | undefined)?.join(', ') ?? '?'} authenticates as ${sa.name} through workload identity federation.`, { serviceAccount: sa.id, trustMatches: e.attributes?.trustMatches }),
              ...strong.map((b) => ({ description: `${b.resource} binds ${b.role} to ${sa.name}.`, source: b.binding.provenance[0], data: { role: b.role, resource: b.resource } })),
            ],
          });
          continue;
        }
        if (!e.to.startsWith('aws:iam-role:')) continue;
        const role = graph.node(e.to);
        if (!role) continue;
        if (e.attributes?.trustMatches === false) continue; // the role would refuse this workflow's tokens
        const routes = isAdminEquivalent(graph, role.id);
        if (routes.length === 0) continue;
        const route = routes[0];
        // is the role's GitHub trust unscoped (no sub condition, or one that admits any repository)?
        const githubTrusts = graph.in(role.id, 'CAN_ASSUME').filter((t) => graph.node(t.from)?.attributes?.url === GITHUB_OIDC_HOST || t.from.endsWith(`/${GITHUB_OIDC_HOST}`));
        const unscoped = githubTrusts.some((t) => {
          const subs = conditionValues(edgeConditions(t), `${GITHUB_OIDC_HOST}:sub`);
          return subs.length === 0 || subs.some((s) => classifySub(s) === 'any');
        });
        const lines = Array.isArray(e.attributes?.lines) ? (e.attributes!.lines as number[]) : [];
        out.push({
          nodeId: w.node.id,
          discriminator: role.id,
          severity: unscoped ? 'critical' : 'high',
          message: `${workflowLabel(w)} → role ${role.name} → ${route.policyName}: the workflow holds admin on account ${role.scope ?? '?'}${unscoped ? ', and the role trusts GitHub tokens of any repository' : ''}`,
          path: [w.node.id, role.id, route.policyId],
          location: locate(w, lines[0]),
          evidence: [
            workflowEvidence(w, `Line ${lines[0] ?? '?'}: job ${(e.attributes?.jobs as string[] | undefined)?.join(', ') ?? '?'} assumes ${role.name} with GitHub OIDC.`, {
              role: role.id,
              subjects: e.attributes?.subjects,
              trustMatches: e.attributes?.trustMatches,
            }),
            { description: `${route.description}`, source: graph.node(route.policyId)?.provenance[0], data: { policyId: route.policyId, route: route.kind } },
          ],
        });
      }
    }
    return out;
  },
};
