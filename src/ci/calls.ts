/**
 * Reusable workflows called within one repository (`jobs.<id>.uses: ./.github/workflows/x.yml`) run on the triggers of
 * the workflow that calls them. A called workflow's own `on:` says only `workflow_call`, so whether anyone can start
 * it is read from its callers: the untrusted triggers of each caller, and whether the calling job (or a job it needs,
 * which skips it when skipped) limits who starts the run.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { JobInfo } from './workflow.js';
import { gateInSomeBranch, UNTRUSTED_EVENTS } from './gates.js';

export { UNTRUSTED_EVENTS };

export interface InheritedTriggers {
  /** untrusted triggers of callers whose calling job anyone can start */
  open: string[];
  /** untrusted triggers of callers whose calling job is limited to trusted actors */
  gated: string[];
  /** `caller path (job)` of each call, for evidence */
  callers: string[];
}

/**
 * Walk the jobs a job needs, nearest first and on up (a job is skipped when one it needs is, unless its own `if:` runs
 * it regardless: `always()`, `failure()`, `cancelled()`), and return the first answer `test` gives.
 */
export function findNeed<T>(jobs: ReadonlyMap<string, JobInfo>, job: JobInfo, test: (dep: JobInfo) => T | undefined, depth = 0): T | undefined {
  if (depth > 20 || (job.if && /\b(?:always|failure|cancelled)\s*\(/.test(job.if))) return undefined;
  for (const n of job.needs ?? []) {
    const dep = jobs.get(n);
    if (!dep) continue;
    const hit = test(dep) ?? findNeed(jobs, dep, test, depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * The gate of a job: its own `if:` (every alternative gated), or a job it needs whose condition gates some branch
 * (src/ci/gates.ts gateInSomeBranch) or that is gated itself.
 */
export function gateOf(jobs: ReadonlyMap<string, JobInfo>, job: JobInfo): string | undefined {
  return job.actorGate ?? findNeed(jobs, job, (dep) => (gateInSomeBranch(dep.if) ? dep.if : dep.actorGate));
}

/** For each called workflow (node id), the untrusted triggers its local callers pass on (three levels of nesting). */
export function inheritedTriggers(graph: IdentityGraph): Map<string, InheritedTriggers> {
  interface Wf {
    id: string;
    repo: string;
    path: string;
    triggers: string[];
    jobs: JobInfo[];
  }
  const byId = new Map<string, Wf>();
  for (const n of graph.nodes.values()) {
    if (n.type !== 'workflow' || n.kind !== 'workload') continue;
    const a = n.attributes ?? {};
    if (typeof a.repo !== 'string' || typeof a.path !== 'string' || typeof a.parseError === 'string') continue;
    byId.set(n.id, { id: n.id, repo: a.repo, path: a.path, triggers: Array.isArray(a.triggers) ? (a.triggers as string[]) : [], jobs: Array.isArray(a.jobs) ? (a.jobs as JobInfo[]) : [] });
  }
  const out = new Map<string, InheritedTriggers>();
  const own = (w: Wf) => w.triggers.filter((t) => UNTRUSTED_EVENTS.has(t));
  for (let level = 0; level < 3; level++) {
    let changed = false;
    for (const w of byId.values()) {
      const jobs = new Map(w.jobs.map((j) => [j.id, j]));
      const inherited = out.get(w.id);
      const openHere = [...own(w), ...(inherited?.open ?? [])];
      const gatedHere = inherited?.gated ?? [];
      if (openHere.length === 0 && gatedHere.length === 0) continue;
      for (const j of w.jobs) {
        if (!j.uses?.startsWith('./')) continue;
        const target = `github:workflow:${w.repo}/${j.uses.slice(2).replace(/@.*$/, '')}`;
        if (!byId.has(target) || target === w.id) continue;
        const entry = out.get(target) ?? { open: [], gated: [], callers: [] };
        const gated = gateOf(jobs, j) !== undefined;
        const before = entry.open.length + entry.gated.length + entry.callers.length;
        for (const t of openHere) if (!(gated ? entry.gated : entry.open).includes(t)) (gated ? entry.gated : entry.open).push(t);
        for (const t of gatedHere) if (!entry.gated.includes(t)) entry.gated.push(t);
        const caller = `${w.path} (job ${j.id})`;
        if (!entry.callers.includes(caller)) entry.callers.push(caller);
        if (entry.open.length + entry.gated.length + entry.callers.length !== before) changed = true;
        out.set(target, entry);
      }
    }
    if (!changed) break;
  }
  return out;
}
