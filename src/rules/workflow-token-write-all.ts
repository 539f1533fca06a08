import { z } from 'zod';
import type { DraftFinding, Rule } from './types.js';
import { inheritingJobs, locate, UNTRUSTED_TRIGGERS, workflowEvidence, workflowLabel, workflows } from './ci-helpers.js';
import type { Permissions } from '../ci/workflow.js';
import { agentSteps } from '../ci/agents.js';
import { gateOf as jobGate } from '../ci/calls.js';

const options = z.object({
  /** token scopes whose write access is dangerous on untrusted triggers (`id-token: write` is needed for OIDC and never counts) */
  sensitiveScopes: z.array(z.string()).default(['contents', 'actions', 'packages', 'deployments', 'pull-requests', 'security-events', 'statuses', 'checks']),
});
export type Options = z.infer<typeof options>;

/** Write scopes a labeler, commenter or status reporter needs: on an untrusted trigger without untrusted code, low. */
const MINIMAL_SCOPES = new Set(['pull-requests', 'issues', 'statuses', 'checks', 'discussions']);
/** Every scope but id-token (which only mints OIDC tokens; oidc-token-broad reports it). */
const ANY_SCOPE = { has: (scope: string) => scope !== 'id-token' };

function writes(p: Permissions | undefined, sensitive: Pick<Set<string>, 'has'>): string[] {
  if (p === 'write-all') return ['write-all'];
  if (!p || typeof p !== 'object') return [];
  return Object.entries(p)
    .filter(([scope, level]) => level === 'write' && sensitive.has(scope))
    .map(([scope]) => scope);
}

export const rule: Rule<Options> = {
  meta: {
    id: 'workflow-token-write-all',
    title: 'Workflow token with write-all permissions',
    severity: 'high',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    owasp: ['NHI5', 'NHI8'],
    description: 'A workflow or job gives its GITHUB_TOKEN `permissions: write-all`, or write scopes on a trigger that runs with untrusted input (pull_request_target, workflow_run, issue_comment).',
    risk: 'Every step, and every action it calls, can push code, publish packages and change releases with that token; on pull_request_target a fork can often steer what runs.',
    remediation: {
      text: 'Declare the least permissions the workflow needs: `permissions: { contents: read }` at the top, and add single write scopes only to the job that needs them. Never combine write scopes with pull_request_target on code from the pull request.',
    },
    options,
  },
  check(graph, { options: o }) {
    const sensitive = new Set(o.sensitiveScopes);
    const out: DraftFinding[] = [];
    for (const w of workflows(graph)) {
      const untrusted = w.triggers.filter((t) => UNTRUSTED_TRIGGERS.has(t));
      const blocks: Array<{ where: string; key: string; perms: Permissions | undefined; line?: number }> = [
        { where: 'workflow', key: 'workflow', perms: w.permissions, line: w.permissionsLine },
        ...w.jobs.map((j) => ({ where: `job ${j.id}`, key: `job:${j.id}`, perms: j.permissions, line: j.permissionsLine })),
      ];
      // the top-level block only reaches the jobs without a permissions block of their own
      const inheriting = inheritingJobs(w).map((j) => j.id);
      const jobsById = new Map(w.jobs.map((j) => [j.id, j]));
      for (const b of blocks) {
        if (b.key === 'workflow' && w.jobs.length > 0 && inheriting.length === 0) continue; // every job overrides it
        // on a trigger anyone can start, what decides is whether outside code or text reaches a step holding the token:
        // a checkout of the pull request's head, event text pasted into a script, an AI agent anyone can start
        const reached = b.key === 'workflow' ? inheritingJobs(w) : w.jobs.filter((j) => `job:${j.id}` === b.key);
        const reach =
          untrusted.length === 0
            ? []
            : [
                ...new Set(
                  reached.flatMap((j) => (jobGate(jobsById, j) ? [] : [
                    ...(j.untrustedReach ?? []).map((r) => `job ${j.id} ${r}`),
                    ...agentSteps(j)
                      .filter((a) => !a.gate)
                      .map((a) => `job ${j.id} runs ${a.agent} on what they wrote`),
                  ])),
                ),
              ];
        const sensitiveGranted = writes(b.perms, sensitive);
        // once outside input runs in the job, every write scope is theirs: issues and discussions too (medium)
        const granted = sensitiveGranted.length === 0 && reach.length > 0 ? writes(b.perms, ANY_SCOPE) : sensitiveGranted;
        if (granted.length === 0) continue;
        const all = granted[0] === 'write-all';
        if (!all && untrusted.length === 0) continue; // explicit single write scopes on trusted triggers are the fix, not the problem
        const minimal = !all && granted.every((g) => MINIMAL_SCOPES.has(g));
        // an environment on every reached job holds the run until its protection rules pass (not read by the scan)
        const held = reach.length > 0 && reached.length > 0 && reached.every((j) => j.environment) ? [...new Set(reached.map((j) => j.environment!))] : [];
        const severity =
          untrusted.length === 0 ? 'high' : reach.length > 0 ? (sensitiveGranted.length > 0 ? (held.length ? 'high' : 'critical') : 'medium') : all ? 'high' : minimal ? 'low' : 'medium';
        const what = all ? 'permissions: write-all' : `write on ${granted.join(', ')}`;
        out.push({
          nodeId: w.node.id,
          discriminator: b.key,
          severity,
          message: `${workflowLabel(w)}: ${b.where} grants the GITHUB_TOKEN ${what}${untrusted.length ? ` on ${untrusted.join(', ')}` : ''}`,
          location: locate(w, b.line),
          evidence: [
            workflowEvidence(
              w,
              `The ${b.where === 'workflow' ? 'top-level' : b.where} permissions block${b.line ? ` (line ${b.line})` : ''} grants ${what}${b.key === 'workflow' && inheriting.length < w.jobs.length ? `; it applies to ${inheriting.length === 1 ? 'job' : 'jobs'} ${inheriting.join(', ')} (the others declare their own)` : ''}.${
                untrusted.length === 0
                  ? ''
                  : reach.length > 0
                    ? ` On ${untrusted.join(', ')}, outside code or text reaches the token: ${reach.join('; ')}.${held.length ? ` The job waits for environment ${held.join(', ')}, whose protection rules (required reviewers) the scan does not read: without them this is critical.` : ''}`
                    : ` No step checks out the pull request's code or pastes event text into a script, and no AI agent anyone can start runs in it${minimal ? '; these are the scopes a labeler or commenter needs' : ''}.`
              }`,
              {
                block: b.where,
                permissions: b.perms,
                triggers: w.triggers,
                ...(b.key === 'workflow' ? { appliesTo: inheriting } : {}),
                ...(untrusted.length ? { untrustedReach: reach } : {}),
              },
            ),
          ],
        });
      }
    }
    return out;
  },
};
