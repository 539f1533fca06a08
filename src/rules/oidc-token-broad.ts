import { z } from 'zod';
import type { DraftFinding, Rule } from './types.js';
import { inheritingJobs, locate, UNTRUSTED_TRIGGERS, workflowEvidence, workflowLabel, workflows } from './ci-helpers.js';
import type { Permissions } from '../ci/workflow.js';

const options = z.object({});
export type Options = z.infer<typeof options>;

/** An explicit `id-token: write` (`write-all` grants it too, but workflow-token-write-all reports that block already). */
const grantsIdToken = (p: Permissions | undefined) => typeof p === 'object' && p['id-token'] === 'write';

export const rule: Rule<Options> = {
  meta: {
    id: 'oidc-token-broad',
    title: 'OIDC token available more widely than needed',
    severity: 'medium',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    owasp: ['NHI5', 'NHI6'],
    description: '`id-token: write` granted at workflow level (every job can mint a cloud identity token), or to a job on a trigger anyone can start.',
    risk: 'An OIDC token is a key to every cloud role that trusts the repository: a job that does not need one, or a run an outsider can start, should not be able to request it.',
    remediation: {
      text: 'Grant `id-token: write` only in the job that authenticates to the cloud, keep the workflow level at `contents: read`, and do not grant it on pull_request_target, workflow_run or issue_comment; scope cloud trust to the branch or environment of that job.',
    },
    options,
  },
  check(graph) {
    const out: DraftFinding[] = [];
    for (const w of workflows(graph)) {
      const untrusted = w.triggers.filter((t) => UNTRUSTED_TRIGGERS.has(t));
      // the top-level block reaches only the jobs without their own permissions
      const inheriting = inheritingJobs(w).map((j) => j.id);
      // one job inheriting it is the same as granting it in that job: only several, or an untrusted trigger, count
      if (grantsIdToken(w.permissions) && (inheriting.length > 1 || (untrusted.length > 0 && inheriting.length > 0))) {
        out.push({
          nodeId: w.node.id,
          discriminator: 'workflow',
          severity: untrusted.length > 0 ? 'high' : 'medium',
          message: `${workflowLabel(w)}: the workflow grants id-token: write to every job without its own permissions (${inheriting.join(', ')})${untrusted.length ? ` on ${untrusted.join(', ')}` : ''}`,
          location: locate(w, w.permissionsLine),
          evidence: [
            workflowEvidence(w, `The top-level permissions block${w.permissionsLine ? ` (line ${w.permissionsLine})` : ''} grants id-token: write; it reaches ${inheriting.length === 1 ? 'job' : 'jobs'} ${inheriting.join(', ')}.`, {
              appliesTo: inheriting,
              triggers: w.triggers,
            }),
          ],
        });
      }
      if (untrusted.length === 0) continue;
      for (const j of w.jobs) {
        if (j.permissions === undefined || !grantsIdToken(j.permissions)) continue;
        out.push({
          nodeId: w.node.id,
          discriminator: `job:${j.id}`,
          severity: 'high',
          message: `${workflowLabel(w)}: job ${j.id} can request an OIDC token on ${untrusted.join(', ')}`,
          location: locate(w, j.permissionsLine ?? j.line),
          evidence: [
            workflowEvidence(w, `Job ${j.id} grants id-token: write (line ${j.permissionsLine ?? j.line}) in a workflow triggered by ${untrusted.join(', ')}, which anyone can start.`, {
              job: j.id,
              triggers: w.triggers,
            }),
          ],
        });
      }
    }
    return out;
  },
};
