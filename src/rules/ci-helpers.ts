/** Helpers for the rules that read CI definitions (workflow / pipeline workload nodes). Not a rule itself. */
import type { IdentityGraph } from '../graph/graph.js';
import type { Evidence, IdentityNode, SourceLocation } from '../model/types.js';
import type { CloudAuth, JobInfo, Permissions, WorkflowAnalysis } from '../ci/workflow.js';
import { UNTRUSTED_EVENTS } from '../ci/gates.js';

export interface WorkflowView {
  node: IdentityNode;
  repo: string;
  path: string;
  triggers: string[];
  permissions?: Permissions;
  permissionsLine?: number;
  jobs: JobInfo[];
  cloudAuth: CloudAuth[];
  anySecret: WorkflowAnalysis['anySecret'];
  /** secrets in the workflow-level `env:` */
  envSecrets: string[];
  /** `on.<event>.types` */
  triggerTypes?: Record<string, string[]>;
  local: boolean;
}

/** Every analysed GitHub workflow (files that failed to parse are skipped: the coverage note says so). */
export function* workflows(graph: IdentityGraph): Iterable<WorkflowView> {
  for (const n of graph.nodes.values()) {
    if (n.kind !== 'workload' || n.type !== 'workflow') continue;
    const a = n.attributes ?? {};
    if (typeof a.parseError === 'string' || typeof a.repo !== 'string' || typeof a.path !== 'string') continue;
    yield {
      node: n,
      repo: a.repo,
      path: a.path,
      triggers: Array.isArray(a.triggers) ? (a.triggers as string[]) : [],
      permissions: a.permissions as Permissions | undefined,
      permissionsLine: typeof a.permissionsLine === 'number' ? a.permissionsLine : undefined,
      jobs: Array.isArray(a.jobs) ? (a.jobs as JobInfo[]) : [],
      cloudAuth: Array.isArray(a.cloudAuth) ? (a.cloudAuth as CloudAuth[]) : [],
      anySecret: Array.isArray(a.anySecret) ? (a.anySecret as WorkflowAnalysis['anySecret']) : [],
      envSecrets: Array.isArray(a.envSecrets) ? (a.envSecrets as string[]) : [],
      ...(a.triggerTypes && typeof a.triggerTypes === 'object' ? { triggerTypes: a.triggerTypes as Record<string, string[]> } : {}),
      local: typeof a.file === 'string',
    };
  }
}

/** The jobs a workflow's top-level permissions block reaches: those without a `permissions:` block of their own. */
export function inheritingJobs(w: Pick<WorkflowView, 'jobs'>): JobInfo[] {
  return w.jobs.filter((j) => j.permissions === undefined);
}

/** A file location for findings on a workflow read from a local checkout (SARIF annotates the pull request). */
export function locate(w: WorkflowView, line: number | undefined, column = 1): SourceLocation | undefined {
  if (!w.local) return undefined;
  return { uri: w.path, startLine: line ?? 1, startColumn: column };
}

/** `acme/app .github/workflows/deploy.yml` */
export function workflowLabel(w: Pick<WorkflowView, 'repo' | 'path'>): string {
  return `${w.repo} ${w.path}`;
}

export function workflowEvidence(w: WorkflowView, description: string, data?: Record<string, unknown>): Evidence {
  const ev: Evidence = { description };
  if (w.node.provenance[0]) ev.source = w.node.provenance[0];
  if (data) ev.data = data;
  return ev;
}

/**
 * Triggers anyone who can open a pull request, an issue or a comment can start, which run with the base repository's
 * secrets and a token that may write: pull_request_target and workflow_run (after a fork's pull request), comments,
 * issues and discussions. (`pull_request` from a fork gets neither secrets nor a write token.)
 */
export const UNTRUSTED_TRIGGERS = UNTRUSTED_EVENTS;

/** The untrusted triggers of a workflow, in its order. */
export function untrustedTriggers(w: Pick<WorkflowView, 'triggers'>): string[] {
  return w.triggers.filter((t) => UNTRUSTED_TRIGGERS.has(t));
}

/** The secrets a job's steps can read (its own references, job and workflow env, secrets passed to a reusable workflow). */
export function jobSecrets(w: Pick<WorkflowView, 'envSecrets' | 'node'>, j: JobInfo): string[] {
  const refs = Array.isArray(w.node.attributes?.secretRefs) ? (w.node.attributes!.secretRefs as Array<{ name: string; job?: string }>) : [];
  const out = new Set<string>(w.envSecrets);
  for (const r of refs) if (r.job === j.id) out.add(r.name);
  for (const n of j.passesSecrets ?? []) out.add(n);
  return [...out].sort();
}
