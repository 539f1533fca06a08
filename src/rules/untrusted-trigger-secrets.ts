import { z } from 'zod';
import type { IdentityGraph } from '../graph/graph.js';
import { orgSecretCovers } from '../graph/derive-ci.js';
import type { CredentialNode, Evidence, Severity } from '../model/types.js';
import { workflowId, type JobInfo, type SecretRef } from '../ci/workflow.js';
import { compileGlob } from '../util/glob.js';
import { daysSince } from '../util/dates.js';
import { credentialAgeBase, credentialEvidence } from './helpers.js';
import { locate, untrustedTriggers, workflowEvidence, workflowLabel, workflows, type WorkflowView } from './ci-helpers.js';
import { reusableOwner } from './secrets-inherit.js';
import { findNeed } from '../ci/calls.js';
import { gateInSomeBranch, gateOf, jobTriggers, triagerOnlyTriggers, type GateKind } from '../ci/gates.js';
import { agentSteps, MODEL_KEY } from '../ci/agents.js';
import type { DraftFinding, Rule } from './types.js';

/**
 * Secret names that hold identifiers and settings, not credentials: an ARN or a project id an outsider learns does not
 * let them in. Conservative on purpose: a name that may hold a key, a token, a password or a webhook URL is not here.
 */
export const NOT_CREDENTIALS = [
  '*ROLE_ARN',
  '*ROLE_TO_ASSUME',
  '*_REGION',
  '*ACCOUNT_ID',
  '*PROJECT_ID',
  '*ORG_ID',
  '*TENANT_ID',
  '*SUBSCRIPTION_ID',
  '*CLIENT_ID',
  '*APP_ID',
  '*API_URL',
  '*BASE_URL',
  '*_USERNAME',
  '*_EMAIL',
  'ACTIONS_STEP_DEBUG',
  'ACTIONS_RUNNER_DEBUG',
];

const options = z.object({
  /** secret names (globs, case-insensitive) that hold no credential; replaces the default list when given */
  ignoreSecrets: z.array(z.string()).default([...NOT_CREDENTIALS]),
});
export type Options = z.infer<typeof options>;

/** How many secrets the evidence lists by name when a job can read every secret (the count is always given). */
const LISTED = 20;
const SEVERITY_ORDER: Severity[] = ['low', 'medium', 'high', 'critical'];

/** Where a job gets a secret. */
interface Grant {
  name: string;
  /** `step at line 14 (with:)`, `job env`, `workflow env`, `reusable workflow ./x.yml` */
  where: string;
  /** the line of the reference itself when known, else of the step or job */
  line: number;
  /** the workflow whose reference it is, when not the job's own (a reusable workflow's file) */
  in?: WorkflowView;
  /** that reference's line in its own file */
  refLine?: number;
}

const GATE_TEXT: Record<GateKind, string> = {
  'same-repository': 'runs only for branches of the repository itself',
  author: "runs only for pull requests (or issues) whose author its condition trusts, so the code is theirs",
  merged: 'runs only once the pull request is merged, so its code is the repository\'s',
  actor: 'runs only for the actors or associations its condition names (who triggers, not who wrote the code)',
  label: 'runs only when someone with triage access adds the label its condition names',
};

/** Who starts each trigger. */
const WHO: Record<string, string> = {
  pull_request_target: 'anyone who can open a pull request',
  workflow_run: 'runs after another workflow, which a fork\'s pull request can start',
  issue_comment: 'anyone who can comment',
  issues: 'anyone who can open an issue',
  discussion: 'anyone who can open a discussion',
  discussion_comment: 'anyone who can comment on a discussion',
  pull_request_review_comment: 'anyone who can comment on a pull request',
};

/** An AI agent anyone can start (src/ci/agents.ts; one limited to trusted actors is no signal): it reads the attacker-written text. */
function runsAgent(j: JobInfo): string | undefined {
  const a = agentSteps(j).find((x) => !x.gate);
  return a ? `${a.agent} (${a.via})` : undefined;
}

/** Secrets handed to an agent step whose name says they are the model provider's key: ai-agent-untrusted-input's. */
function agentKeys(j: JobInfo): Set<string> {
  const lines = new Set(agentSteps(j).map((a) => a.line));
  const out = new Set<string>();
  for (const s of j.steps ?? []) if (lines.has(s.line)) for (const n of [...s.withSecrets, ...s.envSecrets]) if (MODEL_KEY.test(n)) out.add(n);
  return out;
}

/** Expressions a checkout ref may use that never name the pull request's code (base branch, the event's own ref). */
const SAFE_REF = /\$\{\{\s*(?:github\.(?:ref|ref_name|sha|base_ref|event\.repository\.default_branch|event\.pull_request\.base\.(?:ref|sha)))\s*\}\}/gi;

/** A checkout of a ref computed at run time (a step's output, an input): nhi cannot tell whose code it is. */
function checksOutComputedRef(j: JobInfo): number | undefined {
  for (const s of j.steps ?? []) {
    if (!(s.uses ?? '').toLowerCase().startsWith('actions/checkout')) continue;
    const ref = s.with?.ref;
    if (ref && ref.replace(SAFE_REF, '').includes('${{')) return s.line;
  }
  return undefined;
}

/**
 * Does the job download artifacts of another run (on workflow_run: the run a fork's pull request started)? `workspace`:
 * without a `path:` they unpack over the checked-out files, which later steps run (artifact poisoning).
 */
function runArtifacts(j: JobInfo): { line: number; workspace: boolean } | undefined {
  const checkout = (j.steps ?? []).some((s) => (s.uses ?? '').toLowerCase().startsWith('actions/checkout'));
  for (const s of j.steps ?? []) {
    const uses = (s.uses ?? '').toLowerCase();
    const keys = s.withKeys ?? [];
    const other = uses.startsWith('dawidd6/action-download-artifact') || (uses.startsWith('actions/download-artifact') && keys.some((k) => k === 'run-id' || k === 'run_id'));
    if (other) return { line: s.line, workspace: checkout && !keys.includes('path') };
  }
  return undefined;
}

/** The graph node of a reusable workflow reference, when it was scanned (`./x.yml` in this repository, `o/r/x.yml@ref`). */
function calleeId(w: WorkflowView, uses: string): { id: string; local: boolean } | undefined {
  if (uses.startsWith('./')) return { id: workflowId(w.repo, uses.slice(2).replace(/@.*$/, '')), local: true };
  const m = /^([\w.-]+)\/([\w.-]+)\/(.+?)@\S+$/.exec(uses);
  if (m) return { id: workflowId(`${m[1]}/${m[2]}`, m[3]), local: false };
  // another spelling of a file of this repository (no owner/name@ref): read it as local when it was scanned
  const p = /(?:^|\/)(\.github\/workflows\/[^@\s]+)$/.exec(uses);
  return p ? { id: workflowId(w.repo, p[1]), local: true } : undefined;
}

function refsOf(w: WorkflowView): SecretRef[] {
  return Array.isArray(w.node.attributes?.secretRefs) ? (w.node.attributes!.secretRefs as SecretRef[]) : [];
}

/** Where the job's steps get named secrets: step inputs, step env, run scripts, job env, workflow env, a reusable workflow. */
function grantsOf(w: WorkflowView, j: JobInfo): Grant[] {
  const refs = refsOf(w);
  const jobRefs = refs.filter((r) => r.job === j.id);
  const refLine = (name: string, from: number, to = Infinity) => jobRefs.find((r) => r.name === name && r.line >= from && r.line < to)?.line;
  const out: Grant[] = [];
  const steps = j.steps ?? [];
  steps.forEach((s, i) => {
    const next = steps[i + 1]?.line ?? Infinity;
    const add = (names: string[] | undefined, how: string) => {
      for (const name of names ?? []) out.push({ name, where: `step at line ${s.line} (${how})`, line: refLine(name, s.line, next) ?? s.line });
    };
    add(s.withSecrets, `with: input of ${s.uses ?? 'the step'}`);
    add(s.envSecrets, 'step env');
    add(s.runSecrets, 'run script');
  });
  for (const name of j.envSecrets ?? []) out.push({ name, where: 'job env', line: refLine(name, j.line) ?? j.line });
  for (const name of w.envSecrets) out.push({ name, where: 'workflow env', line: refs.find((r) => r.job === undefined && r.name === name)?.line ?? 1 });
  for (const name of j.passesSecrets ?? []) out.push({ name, where: `reusable workflow ${j.uses ?? ''}`.trim(), line: refLine(name, j.line) ?? j.line });
  return out;
}

interface SecretFacts {
  level?: string;
  secretId?: string;
  visibility?: string;
  sharedWith?: string;
  /** days since the value was last set (updated, else created) */
  ageDays?: number;
  createdAt?: string;
  updatedAt?: string;
}

function sharing(c: CredentialNode, owner: string): string | undefined {
  if (c.attributes?.level !== 'org') return undefined;
  const vis = c.attributes?.visibility;
  if (vis === 'all') return `every repository of ${owner}`;
  if (vis === 'private') return `every private and internal repository of ${owner}`;
  if (vis === 'selected') {
    const sel = c.attributes?.selectedRepositories;
    return Array.isArray(sel) ? `${sel.length} selected ${sel.length === 1 ? 'repository' : 'repositories'} of ${owner}` : `selected repositories of ${owner}`;
  }
  return `repositories of ${owner} (visibility unknown)`;
}

function factsOf(c: CredentialNode, owner: string, now: Date): SecretFacts {
  const f: SecretFacts = { secretId: c.id };
  if (typeof c.attributes?.level === 'string') f.level = c.attributes.level;
  if (typeof c.attributes?.visibility === 'string') f.visibility = c.attributes.visibility;
  const shared = sharing(c, owner);
  if (shared) f.sharedWith = shared;
  const age = daysSince(credentialAgeBase(c), now);
  if (age !== undefined) f.ageDays = age;
  if (c.createdAt) f.createdAt = c.createdAt;
  if (c.lastRotatedAt) f.updatedAt = c.lastRotatedAt;
  return f;
}

/** Every Actions secret of the inventory a job of `repo` can read: the repository's, its environments', the org's it can see. */
function visibleSecrets(graph: IdentityGraph, index: SecretIndex, repo: string, environments: Set<string>): CredentialNode[] {
  const owner = repo.split('/')[0];
  const out: CredentialNode[] = [];
  for (const c of index.byRepo.get(repo) ?? []) {
    if (c.attributes?.level === 'environment' && !environments.has(String(c.attributes?.environment))) continue;
    out.push(c);
  }
  for (const c of index.byOrg.get(owner) ?? []) if (orgSecretCovers(graph, c, repo)) out.push(c);
  const rank = (c: CredentialNode) => (c.attributes?.level === 'org' ? 0 : c.attributes?.level === 'environment' ? 1 : 2);
  return out.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

interface SecretIndex {
  byRepo: Map<string, CredentialNode[]>;
  byOrg: Map<string, CredentialNode[]>;
}

function indexSecrets(graph: IdentityGraph): SecretIndex {
  const byRepo = new Map<string, CredentialNode[]>();
  const byOrg = new Map<string, CredentialNode[]>();
  const push = (m: Map<string, CredentialNode[]>, k: string, c: CredentialNode) => {
    const l = m.get(k) ?? [];
    l.push(c);
    m.set(k, l);
  };
  for (const c of graph.credentials()) {
    if (c.type !== 'actions-secret') continue;
    if (c.id.startsWith('github:actions-secret:org:')) push(byOrg, c.id.slice('github:actions-secret:org:'.length).split('/')[0], c);
    else if (typeof c.attributes?.repo === 'string') push(byRepo, c.attributes.repo, c);
  }
  return { byRepo, byOrg };
}

function lower(s: Severity, steps: number): Severity {
  const i = SEVERITY_ORDER.indexOf(s);
  return SEVERITY_ORDER[Math.max(0, i - steps)];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** At most this many places are named per secret in the evidence. */
const PLACES = 3;

export const rule: Rule<Options> = {
  meta: {
    id: 'untrusted-trigger-secrets',
    title: 'Long-lived secrets on a trigger anyone can start',
    severity: 'medium',
    confidence: 'high',
    category: 'ci',
    platforms: ['github'],
    owasp: ['NHI2', 'NHI8'],
    description:
      "A job of a workflow anyone can start (pull_request_target, workflow_run, issue_comment, issues, discussions, review comments) receives long-lived secrets other than GITHUB_TOKEN; critical when the pull request's code or attacker-written event text reaches that job, high when an agent, a poisoned artifact, a computed checkout or an unseen reusable workflow may bring it in.",
    risk: "These triggers run with the base repository's secrets whoever opened the pull request, issue or comment: one checkout of the fork's code, one pasted title or one poisoned artifact in that job hands the secrets (often org secrets shared with every repository) to a stranger.",
    remediation: {
      text: 'Run untrusted code without secrets (`pull_request`), and do the privileged part in a separate job or workflow that never checks out or executes the pull request; otherwise gate the job (same-repository check, trusted author association, or an environment with required reviewers) and replace long-lived secrets with OIDC federation or short-lived tokens.',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const ignore = o.ignoreSecrets.map((g) => compileGlob(g));
    const ignored = (name: string) => ignore.some((g) => g.test(name));
    const views = [...workflows(graph)];
    const byId = new Map(views.map((v) => [v.node.id, v]));
    let secretIndex: SecretIndex | undefined;
    // the secret each reference of a workflow resolves to (derive-ci's USES_SECRET edges: environment, repository, org)
    const resolvedCache = new Map<string, Map<string, CredentialNode>>();
    const resolvedOf = (v: WorkflowView) => {
      let m = resolvedCache.get(v.node.id);
      if (m) return m;
      m = new Map();
      for (const e of graph.out(v.node.id, 'USES_SECRET')) {
        const c = graph.node(e.to);
        if (c?.kind !== 'credential') continue;
        const name = String(e.attributes?.name ?? c.name).toUpperCase();
        for (const l of Array.isArray(e.attributes?.lines) ? (e.attributes!.lines as number[]) : []) m.set(`${name}@${l}`, c);
        if (!m.has(name)) m.set(name, c);
      }
      resolvedCache.set(v.node.id, m);
      return m;
    };
    const out: DraftFinding[] = [];
    for (const w of views) {
      const untrusted = untrustedTriggers(w);
      if (untrusted.length === 0) continue;
      const owner = w.repo.split('/')[0];
      const repoNode = graph.node(`github:repo:${w.repo}`);
      const repoVisibility = typeof repoNode?.attributes?.visibility === 'string' ? repoNode.attributes.visibility : undefined;
      const jobsById = new Map(w.jobs.map((x) => [x.id, x]));
      for (const j of w.jobs) {
        const triggers = jobTriggers(untrusted, j.if);
        if (triggers.length === 0) continue;
        // a job waits for the jobs it needs and is skipped with them (unless its if: runs it regardless): their gate is its own
        const gate = gateOf(j.if) ?? findNeed(jobsById, j, (dep) => gateInSomeBranch(dep.if));
        if (gate === 'same-repository' || gate === 'other-event') continue; // no stranger's run gets here
        const allGrants = grantsOf(w, j);
        // the model key handed to an AI agent step is reported, with what else the agent holds, by ai-agent-untrusted-input
        const modelKeys = agentKeys(j);
        const grants = allGrants.filter((g) => !ignored(g.name) && !modelKeys.has(g.name));
        const ignoredNames = [...new Set(allGrants.filter((g) => ignored(g.name)).map((g) => g.name))].sort();
        // toJSON(secrets) and computed secrets[...] indexes: all-secrets-exposed reports them (critical on these triggers)
        const exposedAll = w.anySecret.filter((a) => a.job === j.id && a.kind !== 'secrets: inherit');

        // what brings outside code or text in: the job itself, or the reusable workflow it calls (when scanned)
        const reach = new Set((j.untrustedReach ?? []).map((r) => `job ${j.id} ${r}`));
        const signals: string[] = [];
        const notes: string[] = [];
        const agent = runsAgent(j);
        if (agent) signals.push(`it runs ${agent}, a coding agent that reads the attacker-written issue, comment or pull request (prompt injection)`);
        const artifacts = triggers.includes('workflow_run') ? runArtifacts(j) : undefined;
        if (artifacts?.workspace) signals.push(`the step at line ${artifacts.line} unpacks artifacts of the triggering run (written by the pull request's code) over the checked-out files that later steps run (artifact poisoning)`);
        else if (artifacts) notes.push(`The step at line ${artifacts.line} downloads artifacts of the triggering run (written by the pull request's code) into a directory of their own: a concern only if a later step executes them.`);
        const computed = checksOutComputedRef(j);
        if (computed !== undefined && reach.size === 0) signals.push(`the step at line ${computed} checks out a ref computed at run time (a step output or input: it may be the pull request's code)`);
        let everySecret = false;
        let calleeEnvironment: string | undefined;
        let callee: { uses: string; scanned: boolean; local: boolean; inherit: boolean } | undefined;
        if (j.uses) {
          const ref = calleeId(w, j.uses);
          const cv = ref ? byId.get(ref.id) : undefined;
          callee = { uses: j.uses, scanned: cv !== undefined, local: ref?.local ?? false, inherit: j.secretsInherit };
          if (cv) {
            for (const cj of cv.jobs) for (const r of cj.untrustedReach ?? []) reach.add(`reusable workflow ${j.uses}, job ${cj.id}, ${r}`);
            // every job of the called file that reads a secret waits for an environment: that environment holds the run
            const holding = cv.jobs.filter((cj) => refsOf(cv).some((r) => r.job === cj.id));
            if (holding.length > 0 && holding.every((cj) => cj.environment)) calleeEnvironment = [...new Set(holding.map((cj) => cj.environment!))].join(', ');
            for (const cj of cv.jobs) {
              const a = runsAgent(cj);
              if (a) signals.push(`reusable workflow ${j.uses} (job ${cj.id}) runs ${a}, a coding agent that reads attacker-written text`);
              const line = checksOutComputedRef(cj);
              if (line !== undefined && !(cj.untrustedReach ?? []).length) signals.push(`reusable workflow ${j.uses} (job ${cj.id}, line ${line}) checks out a ref computed at run time`);
            }
          }
          if (j.secretsInherit) {
            if (cv && ref?.local) {
              // a file of this repository (the same commit): it reads what it references, or every secret if it reads them all
              if (cv.anySecret.length > 0) everySecret = true;
              const seen = new Set<string>();
              for (const r of refsOf(cv)) {
                if (seen.has(r.name) || ignored(r.name)) continue;
                seen.add(r.name);
                grants.push({ name: r.name, where: `reusable workflow ${j.uses} (secrets: inherit; its line ${r.line})`, line: j.line, in: cv, refLine: r.line });
              }
            } else everySecret = true; // another repository's workflow at a ref: it can read any secret it is given
          }
          if (!cv && (everySecret || grants.length > 0)) {
            // every secret, or named ones to another owner's file: assume the worst of what nhi cannot read
            const other = (reusableOwner(j.uses) ?? owner.toLowerCase()) !== owner.toLowerCase();
            const text = `reusable workflow ${j.uses} is not in this scan: nhi cannot see whether it runs the pull request's code`;
            if (everySecret || other) signals.push(text);
            else notes.push(`${text[0].toUpperCase()}${text.slice(1)} (it belongs to ${owner}, like this repository).`);
          }
        }
        if (grants.length === 0 && !everySecret) continue;
        const names = [...new Set(grants.map((g) => g.name))].sort();

        // step-level actor gates: every step holding a secret is gated, and no secret reaches the job's environment
        const holdingSteps = (j.steps ?? []).filter((s) => s.withSecrets.length + s.envSecrets.length + (s.runSecrets?.length ?? 0) > 0);
        const stepsGated =
          !gate &&
          !everySecret &&
          holdingSteps.length > 0 &&
          grants.every((g) => g.where.startsWith('step at line')) &&
          holdingSteps.every((s) => s.actorGate !== undefined && gateOf(s.actorGate) !== undefined);

        // severity: what a stranger can do with the run they start
        const trustedCode = gate === 'author' || gate === 'merged'; // the checked-out code is a trusted author's or merged
        let severity: Severity = reach.size > 0 && !trustedCode ? 'critical' : signals.length > 0 ? 'high' : 'medium';
        const reasons: string[] = [];
        const environment = j.environment ?? calleeEnvironment;
        let down = 0;
        // the job's triggers are all activity types only triagers cause (labeled, assigned, transferred, ...)
        const triagerOnly = triagerOnlyTriggers(triggers, w.triggerTypes);
        const triagerStarted = triagerOnly.length === triggers.length;
        if (gate || stepsGated || triagerStarted) {
          down = 1;
          reasons.push(
            gate
              ? `the job ${GATE_TEXT[gate]}`
              : stepsGated
                ? 'every step holding a secret runs only for the actors its condition names'
                : `it runs only on ${triagerOnly.map((t) => `${t} (${w.triggerTypes![t].join(', ')})`).join(', ')}, which people with triage access cause`,
          );
        } else if (environment) {
          down = 1;
          reasons.push(`${j.environment ? 'the job uses' : `the jobs of ${j.uses} that read secrets use`} environment ${environment}, which holds the run until its protection rules pass; nhi does not read them, so without required reviewers this is ${severity}`);
        }
        if (repoVisibility === 'private') {
          down += 1;
          reasons.push('the repository is private: only people with read access can start these triggers');
        }
        severity = lower(severity, down);

        // the inventory behind each name (API scans): level, who shares it, age
        const facts = new Map<string, SecretFacts>();
        const nodes = new Map<string, CredentialNode>();
        for (const g of grants) {
          if (facts.has(g.name)) continue;
          const m = resolvedOf(g.in ?? w);
          const c = m.get(`${g.name}@${g.refLine ?? g.line}`) ?? m.get(g.name);
          if (!c) continue;
          facts.set(g.name, factsOf(c, owner, now));
          nodes.set(c.id, c);
        }
        let visible: CredentialNode[] = [];
        if (everySecret) {
          secretIndex ??= indexSecrets(graph);
          visible = visibleSecrets(graph, secretIndex, w.repo, new Set(j.environment ? [j.environment] : [])).filter((c) => !ignored(c.name));
          for (const c of visible.slice(0, LISTED)) nodes.set(c.id, c);
        }

        const line = grants.length > 0 ? Math.min(...grants.map((g) => g.line)) : j.line;
        const where = new Map<string, string[]>();
        for (const g of grants) {
          const l = where.get(g.name) ?? [];
          if (!l.includes(g.where)) l.push(g.where);
          where.set(g.name, l);
        }
        const placesOf = (n: string) => {
          const l = where.get(n) ?? [];
          return l.length > PLACES ? `${l.slice(0, PLACES).join(', ')} and ${l.length - PLACES} more` : l.join(', ');
        };
        const secrets = names.map((n) => ({ name: n, passedIn: where.get(n) ?? [], ...(facts.get(n) ?? {}) }));
        const orgShared = secrets.filter((x) => x.level === 'org');
        const describeName = (n: string) => {
          const f = facts.get(n);
          if (!f?.level) return n;
          const what = f.level === 'org' ? `org secret shared with ${f.sharedWith}` : `${f.level === 'repo' ? 'repository' : f.level} secret`;
          return `${n} (${what}${f.ageDays !== undefined ? `, last set ${f.ageDays} days ago` : ''})`;
        };
        const what = everySecret
          ? `every secret${visible.length ? ` (${plural(visible.length, 'secret')} in the inventory)` : ''} to reusable workflow ${j.uses}`
          : `${plural(names.length, 'secret')} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`;
        const message = `${workflowLabel(w)}: job ${j.id} gets ${what} on ${triggers.join(', ')}${reach.size && !trustedCode ? ", and the pull request's code or text reaches it" : ''}`;

        const parts: string[] = [];
        parts.push(`Job ${j.id} (line ${j.line}) runs on ${triggers.map((t) => `${t} (${WHO[t] ?? 'untrusted'})`).join(', ')}${repoVisibility ? `; the repository is ${repoVisibility}` : ''}.`);
        if (names.length) parts.push(`It gets ${names.map((n) => `${describeName(n)} via ${placesOf(n)}`).join('; ')}.`);
        if (everySecret) {
          parts.push(
            callee?.local
              ? `It passes secrets: inherit to ${j.uses}, which reads every secret it is given.`
              : `It passes secrets: inherit to ${j.uses} in another repository, which can read every secret this repository sees.`,
          );
          if (visible.length) parts.push(`Visible to ${w.repo}: ${visible.slice(0, LISTED).map((c) => c.name).join(', ')}${visible.length > LISTED ? ` and ${visible.length - LISTED} more` : ''}.`);
        }
        if (exposedAll.length) parts.push(`It also reads every secret through ${exposedAll[0].kind} (line ${exposedAll[0].line}), which all-secrets-exposed reports.`);
        if (reach.size) parts.push(`Outside code or text reaches it: ${[...reach].join('; ')}${trustedCode ? ' (the gate makes that code a trusted author\'s)' : ''}.`);
        if (signals.length) parts.push(`${signals.map((x) => x[0].toUpperCase() + x.slice(1)).join('; ')}.`);
        parts.push(...notes);
        if (!reach.size && !signals.length) parts.push("No step checks out the pull request's code, pastes event text into a script, runs a coding agent or unpacks another run's artifacts over the workspace: the stranger starts the job but does not choose its code.");
        if (reasons.length) parts.push(`Lowered: ${reasons.join('; ')}.`);
        if (orgShared.length) parts.push(`${orgShared.map((x) => x.name).join(', ')} ${orgShared.length === 1 ? 'is an org secret' : 'are org secrets'}: leaked here, ${orgShared.length === 1 ? 'it opens' : 'they open'} what every repository sharing ${orgShared.length === 1 ? 'it' : 'them'} can reach.`);

        const evidence: Evidence[] = [
          workflowEvidence(w, parts.join(' '), {
            job: j.id,
            triggers,
            secrets,
            ...(everySecret ? { everySecret: { reusableWorkflow: j.uses, visible: visible.length, listed: visible.slice(0, LISTED).map((c) => ({ name: c.name, ...factsOf(c, owner, now) })) } } : {}),
            untrustedReach: [...reach],
            ...(signals.length ? { signals } : {}),
            ...(gate ? { gate, condition: j.if } : stepsGated ? { gate: 'actor (steps)' } : {}),
            ...(environment ? { environment } : {}),
            ...(callee ? { reusableWorkflow: callee } : {}),
            ...(repoVisibility ? { repositoryVisibility: repoVisibility } : {}),
            ...(ignoredNames.length ? { ignoredSecrets: ignoredNames } : {}),
            ...(exposedAll.length ? { alsoReadsEverySecret: exposedAll.map((a) => ({ kind: a.kind, line: a.line })) } : {}),
          }),
        ];
        for (const c of [...nodes.values()].slice(0, LISTED)) {
          const f = factsOf(c, owner, now);
          const scope = f.sharedWith ? ` shared with ${f.sharedWith}` : c.attributes?.repo ? ` of ${String(c.attributes.repo)}${c.attributes?.environment ? ` (environment ${String(c.attributes.environment)})` : ''}` : '';
          evidence.push(credentialEvidence(c, now, `${c.name}: ${f.level === 'repo' ? 'repository' : (f.level ?? 'Actions')} secret${scope}${f.ageDays !== undefined ? `, last set ${f.ageDays} days ago` : ''}.`));
        }
        const unsure = (environment !== undefined && !gate && !stepsGated) || (callee !== undefined && !callee.scanned);
        out.push({
          nodeId: w.node.id,
          discriminator: `job:${j.id}`,
          severity,
          ...(unsure ? { confidence: 'medium' as const } : {}),
          message,
          location: locate(w, line),
          evidence,
        });
      }
    }
    return out;
  },
};
