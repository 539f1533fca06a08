import { z } from 'zod';
import type { IdentityGraph } from '../graph/graph.js';
import type { Evidence, Severity } from '../model/types.js';
import { agentSteps, DEFAULT_AGENTS, MODEL_KEY, type AgentSpec } from '../ci/agents.js';
import { gateOf as jobGate, inheritedTriggers } from '../ci/calls.js';
import { triagerOnlyTriggers } from '../ci/gates.js';
import { secretNamesIn, type JobInfo, type Permissions } from '../ci/workflow.js';
import { codeHostIdName, jobPrincipalId, UNTRUSTED_PREFIX } from '../paths/codehost.js';
import { graphAnalysis, methodById } from '../paths/index.js';
import { adminSinkName } from '../paths/types.js';
import { foldHubs } from './privilege-escalation.js';
import type { DraftFinding, Rule } from './types.js';
import { jobSecrets, locate, untrustedTriggers, workflowEvidence, workflowLabel, workflows, type WorkflowView } from './ci-helpers.js';

const agentOption = z.object({
  name: z.string().min(1),
  actions: z.array(z.string().min(1)).default([]),
  commands: z.array(z.string().min(1)).default([]),
});

const options = z.object({
  /** more agents: an action reference (`owner/repo`) or a program a run script calls */
  agents: z.array(agentOption).default([]),
  /** leave out the built-in table (only `agents` counts) */
  replaceDefaultAgents: z.boolean().default(false),
});
export type Options = z.infer<typeof options>;

/** Token scopes whose write lets the holder change code, releases, packages or workflows. */
const CODE_SCOPES = new Set(['contents', 'actions', 'workflows', 'packages', 'deployments', 'pages', 'security-events']);

const LOWER: Record<Severity, Severity> = { critical: 'medium', high: 'medium', medium: 'low', low: 'low', info: 'info' };

interface Holdings {
  /** `contents: write`, `all scopes (write-all)`, `the repository default (write)` */
  writes: string[];
  codeWrite: boolean;
  /** the token's permissions are the repository default, which the scan did not read */
  defaultUnknown: boolean;
  agentKeys: string[];
  secrets: string[];
  cloud: Array<{ to: string; name: string; via?: string; admin?: string }>;
  staticCloud: string[];
  oidcUnmatched: boolean;
}

function effectivePermissions(w: WorkflowView, j: JobInfo): Permissions | undefined {
  return j.permissions ?? w.permissions;
}

function holdings(graph: IdentityGraph, w: WorkflowView, j: JobInfo, agentLines: Set<number>, now: Date): Holdings {
  const perms = effectivePermissions(w, j);
  const writes: string[] = [];
  let codeWrite = false;
  let defaultUnknown = false;
  if (perms === 'write-all') {
    writes.push('every scope (write-all)');
    codeWrite = true;
  } else if (typeof perms === 'object') {
    for (const [scope, level] of Object.entries(perms)) {
      if (level !== 'write') continue;
      writes.push(`${scope}: write`);
      if (CODE_SCOPES.has(scope)) codeWrite = true;
    }
  } else if (perms === undefined) {
    const repo = graph.node(`github:repo:${w.repo}`);
    const def = repo?.attributes?.defaultWorkflowPermissions ?? graph.node(`github:org:${w.repo.split('/')[0]}`)?.attributes?.defaultWorkflowPermissions;
    if (def === 'write') {
      writes.push('the repository default (write on every scope)');
      codeWrite = true;
    } else if (def !== 'read') defaultUnknown = true;
  }
  // the agent's own key (the secrets handed to the agent step) apart from the job's other secrets
  const agentKeys = new Set<string>();
  for (const s of j.steps ?? []) if (agentLines.has(s.line)) for (const n of [...s.withSecrets, ...s.envSecrets]) if (MODEL_KEY.test(n)) agentKeys.add(n);
  // a secret that only names the role to assume (`role-to-assume: ${{ secrets.ROLE_ARN }}`) is not a credential
  const roleNames = new Set(w.cloudAuth.filter((c) => c.job === j.id && c.roleExpression).flatMap((c) => secretNamesIn(c.roleExpression!)));
  const credentialRefs = new Set(refsOutsideRoleInputs(w, j));
  const secrets = jobSecrets(w, j).filter((n) => !agentKeys.has(n) && (!roleNames.has(n) || credentialRefs.has(n)));
  const staticCloud = w.cloudAuth.filter((c) => (c.job === j.id || c.job === '(all jobs)') && c.staticSecrets.length > 0).flatMap((c) => c.staticSecrets.map((s) => `${c.provider.toUpperCase()} key ${s}`));
  // what the job's OIDC token becomes, from the analysis (trusts joined from the cloud side)
  const { paths } = graphAnalysis(graph, now);
  const jobId = jobPrincipalId(w.node.id, j.id);
  const cloud: Holdings['cloud'] = [];
  for (const e of paths.out.get(jobId) ?? []) {
    const entry: Holdings['cloud'][number] = { to: e.to, name: graph.node(e.to)?.name ?? e.to, ...(e.via ? { via: e.via } : {}) };
    const admin = paths.admins.get(e.to);
    if (admin) entry.admin = admin.why;
    cloud.push(entry);
  }
  const oidcUnmatched = j.usesIdToken && cloud.length === 0;
  return { writes, codeWrite, defaultUnknown, agentKeys: [...agentKeys].sort(), secrets, cloud, staticCloud, oidcUnmatched };
}

/** Secrets the job's steps read anywhere but in the `role-to-assume` of a cloud login (env, other inputs, scripts). */
function refsOutsideRoleInputs(w: WorkflowView, j: JobInfo): string[] {
  const out: string[] = [...w.envSecrets, ...(j.envSecrets ?? []), ...(j.passesSecrets ?? [])];
  for (const s of j.steps ?? []) {
    out.push(...s.envSecrets, ...(s.runSecrets ?? []));
    // a cloud login step: its role input names a role; any other secret input of it is a credential
    if (!s.uses?.toLowerCase().startsWith('aws-actions/configure-aws-credentials')) out.push(...s.withSecrets);
  }
  for (const c of w.cloudAuth) if (c.job === j.id) out.push(...c.staticSecrets);
  return out;
}

export const rule: Rule<Options> = {
  meta: {
    id: 'ai-agent-untrusted-input',
    title: 'AI agent in CI steered by anyone, holding credentials',
    severity: 'high',
    confidence: 'medium',
    category: 'ci',
    platforms: ['github', 'aws', 'gcp'],
    owasp: ['NHI2', 'NHI3'],
    description:
      'A job runs an AI agent (Claude Code, Codex, Gemini CLI, Copilot CLI, Aider, …) on a trigger anyone can start (issue and pull-request comments, issues, pull_request_target, discussions, workflow_run) while it holds write scopes, secrets or cloud credentials. The finding shows the chain from the people who can write the input to what the agent holds, including each cloud role and what that role can become.',
    risk: 'An agent follows instructions in the text it reads. Whoever writes an issue, a comment or a pull request steers a program that holds the job\'s token, its secrets and its cloud role (prompt injection), and no review stands in between.',
    remediation: {
      text: 'Run agents on untrusted text with a read-only token and no secrets or cloud credentials, and let a second job with write access act on the agent\'s output after a human approves it; limit who can start the agent (an `if:` on `author_association`, or the action\'s own write-access check, which `allowed_non_write_users` / `allow-users` switch off); never grant `id-token: write` to such a job.',
    },
    options,
  },
  check(graph, { options: o, now }) {
    const table: AgentSpec[] = [...(o.replaceDefaultAgents ? [] : DEFAULT_AGENTS), ...o.agents.map((a) => ({ name: a.name, actions: a.actions, commands: a.commands }))];
    const out: DraftFinding[] = [];
    const inherited = inheritedTriggers(graph);
    for (const w of workflows(graph)) {
      // a reusable workflow runs on the triggers of the workflows that call it
      const inh = inherited.get(w.node.id);
      const own = untrustedTriggers(w);
      // activity types only triagers cause (labeled, assigned, ...) start the run, not anyone
      const triagerOnly = triagerOnlyTriggers(own, w.triggerTypes);
      const openTriggers = [...new Set([...own.filter((t) => !triagerOnly.includes(t)), ...(inh?.open ?? [])])];
      const callerGated = openTriggers.length === 0 && ((inh?.gated.length ?? 0) > 0 || triagerOnly.length > 0);
      const triggers = callerGated ? [...new Set([...triagerOnly, ...(inh?.gated ?? [])])] : openTriggers;
      if (triggers.length === 0) continue;
      const calledBy = inh && (inh.open.length || callerGated) ? ` (called by ${inh.callers.join(', ')})` : '';
      const jobsById = new Map(w.jobs.map((x) => [x.id, x]));
      for (const j of w.jobs) {
        // a job it needs that keeps strangers out skips this one too
        const needsGate = j.actorGate ? undefined : jobGate(jobsById, j);
        const agents = agentSteps(j, table).map((a) =>
          a.gate ? a : callerGated ? { ...a, gate: triagerOnly.length && !inh?.gated.length ? `it runs only on ${triagerOnly.map((t) => `${t} (${w.triggerTypes![t].join(', ')})`).join(', ')}, which people with triage access cause` : 'the calling job runs only for trusted actors' } : needsGate ? { ...a, gate: `the job waits for a job that runs only if ${needsGate}` } : a,
        );
        if (agents.length === 0) continue;
        const open = agents.filter((a) => !a.gate);
        const shown = open[0] ?? agents[0];
        const h = holdings(graph, w, j, new Set(agents.map((a) => a.line)), now);
        const cloudAdmin = h.cloud.some((c) => c.admin);
        const hasCloud = h.cloud.length > 0 || h.staticCloud.length > 0;
        let severity: Severity;
        if (hasCloud || h.codeWrite) severity = 'critical';
        else if (h.secrets.length > 0 || h.defaultUnknown) severity = 'high';
        // issues / pull-requests / discussions / statuses writes (a triage or review bot's minimum), an OIDC token no
        // scanned trust accepts (oidc-token-broad reports it on these triggers), or only the agent's own key
        else if (h.writes.length > 0 || h.oidcUnmatched || h.agentKeys.length > 0) severity = 'medium';
        else continue; // a read-only token and nothing else: the agent can only read what is public
        if (open.length === 0) severity = LOWER[severity];
        const holds: string[] = [];
        if (h.writes.length) holds.push(`GITHUB_TOKEN ${h.writes.join(', ')}`);
        else if (h.defaultUnknown) holds.push('GITHUB_TOKEN with the repository default permissions (not read by the scan; write unless the repository or org restricts it)');
        if (h.secrets.length) holds.push(`secrets ${h.secrets.join(', ')}`);
        if (h.staticCloud.length) holds.push(h.staticCloud.join(', '));
        for (const c of h.cloud) holds.push(`${c.to.startsWith('gcp:') ? 'service account' : 'role'} ${c.name}${c.admin ? ' (admin)' : ''}`);
        if (h.oidcUnmatched) holds.push('an OIDC token (id-token: write) no scanned cloud trust accepts');
        if (h.agentKeys.length) holds.push(`the agent's own key${h.agentKeys.length > 1 ? 's' : ''} ${h.agentKeys.join(', ')}`);

        const jobId = jobPrincipalId(w.node.id, j.id);
        const { paths } = graphAnalysis(graph, now);
        const toAdmin = paths.pathToAdmin(jobId);
        const adminHops = toAdmin ? foldHubs(toAdmin) : [];
        const adminEnd = adminHops.length ? adminHops[adminHops.length - 1].to : undefined;
        const who = codeHostIdName(graph, `${UNTRUSTED_PREFIX}${w.repo}`)!;
        const message = `${workflowLabel(w)}: job ${j.id} runs ${shown.agent} on ${triggers.join(', ')}${calledBy}${open.length ? ', which anyone can start,' : ' (started only by trusted actors, on text others may write)'} while holding ${holds.join('; ')}${adminEnd ? `; it can become ${nameOf(graph, adminEnd)}${adminEnd.startsWith('meta:admin:') ? '' : ' (admin)'}` : ''}`;
        const evidence: Evidence[] = [
          workflowEvidence(w, open.length ? `${who} starts ${w.path} (${triggers.join(', ')}); job ${j.id} hands what they wrote to ${shown.agent} (line ${shown.line}, ${shown.via}), which follows instructions in it.` : `Job ${j.id} runs ${shown.agent} (line ${shown.line}) on ${triggers.join(', ')}; ${shown.gate}. A trusted actor who points it at an issue, comment or pull request someone else wrote still hands that text to the agent.`, {
            triggers,
            job: j.id,
            agent: shown.agent,
            via: shown.via,
            line: shown.line,
            ...(shown.gate ? { gate: shown.gate } : {}),
          }),
          workflowEvidence(w, `The job holds: ${holds.join('; ')}.`, {
            tokenWrites: h.writes,
            ...(h.defaultUnknown ? { tokenPermissions: 'repository default (unknown)' } : {}),
            secrets: h.secrets,
            agentKeys: h.agentKeys,
            staticCloudKeys: h.staticCloud,
            cloudIdentities: h.cloud.map((c) => c.to),
          }),
        ];
        for (const c of h.cloud) evidence.push({ description: `${c.to.startsWith('gcp:') ? 'Service account' : 'Role'} ${c.name}: ${c.via ?? 'the job can federate into it'}${c.admin ? `; it is admin (${c.admin})` : ''}.`, data: { cloudIdentity: c.to, ...(c.via ? { via: c.via } : {}) } });
        if (toAdmin && adminHops.length > 1) {
          const chain = adminHops.slice(1).map((hp) => `[${methodById(hp.edge.method)?.title ?? hp.edge.method}] → ${nameOf(graph, hp.to)}`).join(' → ');
          evidence.push({ description: `From there: ${nameOf(graph, adminHops[0].to)} → ${chain}.`, data: { pathToAdmin: adminHops.map((hp) => hp.to) } });
        }
        out.push({
          nodeId: w.node.id,
          discriminator: `job:${j.id}`,
          severity,
          confidence: open.length ? 'medium' : 'low',
          message,
          location: locate(w, shown.line),
          path: [`${UNTRUSTED_PREFIX}${w.repo}`, w.node.id, jobId, ...adminHops.map((hp) => hp.to)],
          evidence,
        });
      }
    }
    return out;
  },
};

function nameOf(graph: IdentityGraph, id: string): string {
  if (id.startsWith('meta:admin:')) {
    const [, , platform, ...scope] = id.split(':');
    return adminSinkName(platform, scope.join(':'));
  }
  return graph.node(id)?.name ?? codeHostIdName(graph, id) ?? id;
}
