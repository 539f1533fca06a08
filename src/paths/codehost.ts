/**
 * Code hosts into clouds: the "can become" edges from whoever can push to a repository, through the repository's
 * workflows / pipelines, to the cloud identities that trust the repository's OIDC tokens.
 *
 * - push: a credential or identity that can push to a GitHub repository / GitLab project → that repository
 *   (`github-push-workflow`, `gitlab-push-pipeline`): whoever pushes can change what its workflows run;
 * - federation: a repository → every AWS role whose trust accepts its OIDC `sub` (`github-oidc-assume-role`,
 *   `gitlab-oidc-assume-role`), every GCP service account a workload identity principal matching it may impersonate
 *   (`gcp-wif-impersonate`), and every federated principal that holds roles itself (`gcp-wif-federate`).
 *
 * Joined from the cloud side (a trust that names `repo:acme/app:…` links acme/app even when no workflow names the
 * role) and from the workflow side (FEDERATES_TO edges). Trust patterns are matched through an index of the
 * repositories the graph knows (exact name, or a binary-searched prefix range), never pairwise. A trust any GitHub
 * (or GitLab) user can satisfy with a repository of their own is one edge from the hub `github:anyone`
 * (`gitlab:anyone`), which is an id, not a graph node.
 *
 * Whether a pushed workflow can present a `sub` the trust accepts is decided by intersecting the trust's pattern with
 * the subjects the repository can produce (a new branch, a new tag, a pull request, a named branch or environment).
 * What the scan cannot see (branch protection, rulesets, environment protection) is named in `dependsOn`.
 */
import type { IdentityGraph } from '../graph/graph.js';
import { ENTRA_APP_REF_PREFIX, type IdentityEdge, type IdentityNode } from '../model/types.js';
import { ficRequirement, type FicRequirement } from '../policy/entra-fic.js';
import type { StatementRef } from '../policy/decision.js';
import { ACT_AS_PERMISSIONS } from '../policy/gcp.js';
import { conditionEntries, isGitHubIssuer, isPositiveOperator, normalizeIssuer, oidcIssuer, toConditions } from '../policy/trust.js';
import { compileGlob } from '../util/glob.js';
import type { BecomeEdge, EdgeProducer, MethodInfo, PathContext } from './types.js';
import { jobSubjects, type CloudAuth, type JobInfo, type JobSubject } from '../ci/workflow.js';
import { agentSteps } from '../ci/agents.js';
import { gateOf, inheritedTriggers, UNTRUSTED_EVENTS } from '../ci/calls.js';
import { triagerOnlyTriggers } from '../ci/gates.js';

// ---- the methods -------------------------------------------------------------------------------------------------

/** A code-host method as data (the AWS-shaped `anyOf` / `target` of EscalationMethod do not apply here). */
export type CodeHostMethod = MethodInfo;

export const CODE_HOST_METHODS: readonly CodeHostMethod[] = [
  {
    id: 'github-push-workflow',
    platform: 'github',
    title: 'Push to a GitHub repository and change what its workflows run',
    shape: 'reach-running-code',
    becomes: 'target',
    confidence: 'medium',
    dependsOn: 'no branch protection or ruleset blocks the push (not read by the scan)',
    references: ['https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions'],
    description: 'A deploy key with write access, an App installation or fine-grained token with contents or workflows write, or a SAML-authorised credential of a user who can write, pushes a workflow (or code a workflow runs) and acts as the repository.',
  },
  {
    id: 'gitlab-push-pipeline',
    platform: 'gitlab',
    title: 'Push to a GitLab project and change what its pipeline runs',
    shape: 'reach-running-code',
    becomes: 'target',
    confidence: 'medium',
    dependsOn: 'no branch protection blocks the push (not read by the scan)',
    references: ['https://docs.gitlab.com/security/tokens/access_token_scopes/'],
    description: 'A project or group access token with write_repository (or api) and Developer access or more, or a deploy key that can push, changes .gitlab-ci.yml on a branch and acts as the project.',
  },
  {
    id: 'github-oidc-assume-role',
    platform: 'github',
    title: "Assume an AWS role whose trust accepts the repository's GitHub OIDC token",
    shape: 'assume-role',
    becomes: 'target',
    confidence: 'high',
    references: ['https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services'],
    description: 'A workflow of the repository requests an OIDC token whose sub the role trust accepts (token.actions.githubusercontent.com:sub) and calls sts:AssumeRoleWithWebIdentity.',
  },
  {
    id: 'github-oidc-entra-app',
    platform: 'github',
    title: "Sign in as an Entra application whose federated credential accepts the repository's GitHub OIDC token",
    shape: 'assume-role',
    becomes: 'target',
    confidence: 'high',
    references: ['https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-create-trust'],
    description: 'A workflow of the repository requests an OIDC token whose sub the federated identity credential of the application accepts (its exact subject, or its claims-matching expression) and exchanges it for the application\u2019s token (azure/login with client-id).',
  },
  {
    id: 'gitlab-oidc-assume-role',
    platform: 'gitlab',
    title: "Assume an AWS role whose trust accepts the project's GitLab OIDC token",
    shape: 'assume-role',
    becomes: 'target',
    confidence: 'high',
    references: ['https://docs.gitlab.com/ci/cloud_services/aws/'],
    description: 'A pipeline job of the project declares id_tokens; the role trusts the GitLab issuer with a sub (project_path:…:ref_type:…:ref:…) the job presents.',
  },
  {
    id: 'gcp-wif-impersonate',
    platform: 'gcp',
    title: 'Impersonate a GCP service account through workload identity federation',
    shape: 'impersonate',
    becomes: 'target',
    confidence: 'high',
    references: ['https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines'],
    description: "The repository's OIDC token passes a workload identity provider's attribute condition and maps to a principal (set) granted roles/iam.workloadIdentityUser (or token creation) on the service account.",
  },
  {
    id: 'gcp-wif-federate',
    platform: 'gcp',
    title: 'Act as a federated workload identity principal that holds roles itself',
    shape: 'assume-role',
    becomes: 'target',
    confidence: 'high',
    references: ['https://cloud.google.com/iam/docs/workload-identity-federation'],
    description: "The repository's OIDC token maps to a principal (set) that is granted roles on projects, folders or resources directly (no service account in between).",
  },
  {
    id: 'github-workflow-job',
    platform: 'github',
    title: 'Run as one of the workflow\'s jobs',
    shape: 'reach-running-code',
    becomes: 'target',
    confidence: 'high',
    references: ['https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobs'],
    description: 'A workflow runs its jobs: whatever a job holds (its token, its secrets, the cloud identities its OIDC token is accepted by) the workflow holds.',
  },
  {
    id: 'github-untrusted-input',
    platform: 'github',
    title: 'Start a workflow with a comment, issue or pull request and steer a job that reads it',
    shape: 'reach-running-code',
    becomes: 'target',
    confidence: 'medium',
    dependsOn: 'the job acting on the input as the workflow reads it (checked-out code run by a later step, text pasted into a script, an AI agent following instructions in it)',
    references: [
      'https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/',
      'https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections',
    ],
    description: 'On pull_request_target, workflow_run, issue_comment, issues, discussions and review comments, anyone who can open a pull request or write a comment starts a run with the repository\'s secrets and token; a job that checks out the pull request\'s code, pastes event text into a script or hands it to an AI agent runs what they wrote.',
  },
];

const METHOD = Object.fromEntries(CODE_HOST_METHODS.map((m) => [m.id, m])) as Record<string, CodeHostMethod>;

export const GITHUB_ANYONE = 'github:anyone';
/** `github:untrusted:<owner/name>`: anyone who can open a pull request, an issue or a comment on that repository (an id, not a node). */
export const UNTRUSTED_PREFIX = 'github:untrusted:';
/** `github:job:<owner/name>/<path>#<job>`: one job of a workflow (an id, not a node). */
export const JOB_PREFIX = 'github:job:';

export function jobPrincipalId(workflowNodeId: string, job: string): string {
  return `${JOB_PREFIX}${workflowNodeId.replace(/^github:workflow:/, '')}#${job}`;
}

/** The name of a job or untrusted-actor id (which are not graph nodes), raw; undefined for other ids. */
export function codeHostIdName(graph: IdentityGraph, id: string): string | undefined {
  if (id.startsWith(UNTRUSTED_PREFIX)) return `anyone who can open a pull request, an issue or a comment on ${id.slice(UNTRUSTED_PREFIX.length)}`;
  const job = parseJobPrincipal(id);
  if (!job) return undefined;
  const wf = graph.node(job.workflow);
  const where = typeof wf?.attributes?.repo === 'string' && typeof wf.attributes.path === 'string' ? `${wf.attributes.repo} ${wf.attributes.path}` : job.workflow.replace(/^github:workflow:/, '');
  return `job ${job.job} of ${where}`;
}

/** The workflow node id and job of a job principal id. */
export function parseJobPrincipal(id: string): { workflow: string; job: string } | undefined {
  if (!id.startsWith(JOB_PREFIX)) return undefined;
  const hash = id.lastIndexOf('#');
  if (hash < 0) return undefined;
  return { workflow: `github:workflow:${id.slice(JOB_PREFIX.length, hash)}`, job: id.slice(hash + 1) };
}
export const GITLAB_ANYONE = 'gitlab:anyone';

// ---- glob intersection ---------------------------------------------------------------------------------------------

/**
 * Patterns as token arrays: a character code (lower-cased), or one of the wildcards below. Policy patterns use `*` (any
 * run) and `?` (one character); the subjects a repository can produce use runs restricted to what a git ref, an owner
 * or a name may contain, and a marker character no policy writes, so that "the pattern accepts a fresh name" is an
 * intersection test.
 */
const ONE = -1; // `?`: any one character
const RUN = -2; // `*`: any run
const REF = -3; // a run of characters a branch, tag or environment name may hold (no `:`, `*`, `?`, space, ...)
const SEG = -4; // a run of characters an owner or repository name may hold (no `/`, `:`, `*`, `?`)
const MARK = 1; // \u0001: a character no trust writes; only a wildcard of the pattern can take it
type Tok = number;

const NOT_IN_REF = new Set([':', '*', '?', '[', '\\', '^', '~', ' '].map((c) => c.charCodeAt(0)));
const NOT_IN_SEG = new Set([':', '/', '*', '?', ' '].map((c) => c.charCodeAt(0)));

function isRun(t: Tok): boolean {
  return t <= RUN;
}

/** Tokens of a policy pattern: `*` and `?` are wildcards unless `literal` (StringEquals). */
export function patternTokens(pattern: string, literal = false): Tok[] {
  const out: Tok[] = [];
  for (const ch of pattern.toLowerCase()) {
    if (!literal && ch === '*') {
      if (out[out.length - 1] !== RUN) out.push(RUN);
    } else if (!literal && ch === '?') out.push(ONE);
    else out.push(ch.charCodeAt(0));
  }
  return out;
}

/** Tokens of a subject template: literal text, with `{ref}`, `{seg}`, `{any}` and `{mark}` placeholders. */
function templateTokens(parts: Array<string | Tok>): Tok[] {
  const out: Tok[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const ch of p.toLowerCase()) out.push(ch.charCodeAt(0));
  }
  return out;
}

function admits(t: Tok, c: number): boolean {
  if (t >= 0) return t === c;
  if (t === REF) return !NOT_IN_REF.has(c);
  if (t === SEG) return !NOT_IN_SEG.has(c);
  return true; // ONE, RUN
}

/** Is there one character both tokens can stand for? */
function compatible(a: Tok, b: Tok): boolean {
  if (a >= 0) return admits(b, a);
  if (b >= 0) return admits(a, b);
  return true; // two wildcard classes always share an ordinary letter
}

/**
 * Do two token patterns accept a common string? A search over (position in a, position in b): a run may be skipped,
 * or both sides consume one common character (a run stays where it is). At most (|a|+1)(|b|+1) states.
 */
export function intersects(a: readonly Tok[], b: readonly Tok[]): boolean {
  const n = a.length;
  const m = b.length;
  const w = m + 1;
  const size = (n + 1) * w;
  // scratch space shared by every call (never re-entered): no allocation per test
  if (seenScratch.length < size) seenScratch = new Uint8Array(Math.max(size, seenScratch.length * 2));
  else seenScratch.fill(0, 0, size);
  const seen = seenScratch;
  const stack = stackScratch;
  stack.length = 0;
  stack.push(0);
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen[s]) continue;
    seen[s] = 1;
    const i = Math.floor(s / w);
    const j = s - i * w;
    if (i === n && j === m) return true;
    const ai = i < n ? a[i] : undefined;
    const bj = j < m ? b[j] : undefined;
    const aRun = ai !== undefined && isRun(ai);
    const bRun = bj !== undefined && isRun(bj);
    if (aRun && !seen[s + w]) stack.push(s + w);
    if (bRun && !seen[s + 1]) stack.push(s + 1);
    if (ai !== undefined && bj !== undefined && compatible(ai, bj)) {
      const next = (aRun ? i : i + 1) * w + (bRun ? j : j + 1);
      if (!seen[next]) stack.push(next);
    }
  }
  return false;
}

let seenScratch = new Uint8Array(4096);
const stackScratch: number[] = [];

function hasWildcard(tokens: readonly Tok[]): boolean {
  for (const t of tokens) if (t < 0) return true;
  return false;
}

// ---- routes: how a pusher makes the token carry a subject the trust accepts ----------------------------------------

type RouteKind = 'branch' | 'tag' | 'pull_request' | 'environment' | 'custom';

interface Route {
  kind: RouteKind;
  /** a new name the pusher chooses (a new branch, tag or environment): nothing protected stands in the way */
  fresh: boolean;
  /** the branch / tag / environment the trust names (when not fresh) */
  name?: string;
}

interface Flavor {
  platform: 'github' | 'gitlab';
  /** `repo:` / `project_path:` */
  subPrefix: string;
  hub: string;
  assumeMethod: 'github-oidc-assume-role' | 'gitlab-oidc-assume-role' | 'github-oidc-entra-app';
  /** probes in order of preference: the subject a repository produces by each route */
  probes: Array<{ route: Omit<Route, 'name'>; context: Array<string | Tok>; namePrefix?: string }>;
  /** subjects any user of the platform can produce with a repository of their own (a fresh owner) */
  hubTemplates: Tok[][];
}

const FRESH: Array<string | Tok> = [REF, MARK, REF];
const FRESH_OWNER: Array<string | Tok> = [SEG, MARK, SEG];

const GITHUB: Flavor = {
  platform: 'github',
  subPrefix: 'repo:',
  hub: GITHUB_ANYONE,
  assumeMethod: 'github-oidc-assume-role',
  probes: [
    { route: { kind: 'branch', fresh: true }, context: ['ref:refs/heads/', ...FRESH] },
    { route: { kind: 'tag', fresh: true }, context: ['ref:refs/tags/', ...FRESH] },
    { route: { kind: 'pull_request', fresh: true }, context: ['pull_request'] },
    { route: { kind: 'branch', fresh: false }, context: ['ref:refs/heads/', REF], namePrefix: 'ref:refs/heads/' },
    { route: { kind: 'tag', fresh: false }, context: ['ref:refs/tags/', REF], namePrefix: 'ref:refs/tags/' },
    { route: { kind: 'environment', fresh: true }, context: ['environment:', ...FRESH] },
    { route: { kind: 'environment', fresh: false }, context: ['environment:', REF], namePrefix: 'environment:' },
  ],
  // the default subject, and the custom templates an owner can give their own repositories
  hubTemplates: [
    templateTokens(['repo:', ...FRESH_OWNER, '/', SEG, ':', RUN]),
    templateTokens(['repository:', ...FRESH_OWNER, '/', SEG, RUN]),
    templateTokens(['repository_owner:', ...FRESH_OWNER, RUN]),
    templateTokens(['repository_owner_id:', ...FRESH_OWNER, RUN]),
    templateTokens(['repository_id:', ...FRESH_OWNER, RUN]),
  ],
};

const GITLAB: Flavor = {
  platform: 'gitlab',
  subPrefix: 'project_path:',
  hub: GITLAB_ANYONE,
  assumeMethod: 'gitlab-oidc-assume-role',
  probes: [
    { route: { kind: 'branch', fresh: true }, context: ['ref_type:branch:ref:', ...FRESH] },
    { route: { kind: 'tag', fresh: true }, context: ['ref_type:tag:ref:', ...FRESH] },
    { route: { kind: 'branch', fresh: false }, context: ['ref_type:branch:ref:', REF], namePrefix: 'ref_type:branch:ref:' },
    { route: { kind: 'tag', fresh: false }, context: ['ref_type:tag:ref:', REF], namePrefix: 'ref_type:tag:ref:' },
  ],
  hubTemplates: [templateTokens(['project_path:', ...FRESH_OWNER, '/', RUN])],
};

// ---- the repositories the graph knows ------------------------------------------------------------------------------

interface Repo {
  id: string;
  /** `owner/name` (GitHub) or the full project path (GitLab), lower-cased */
  key: string;
  name: string;
  platform: 'github' | 'gitlab';
  defaultBranch?: string;
  /** GitHub: the repository (or its org) customises the OIDC subject: the claim keys */
  customClaimKeys?: string[];
  visibility?: string;
}

/** Repositories by exact key and by key prefix (a sorted array, binary-searched). */
class RepoIndex {
  private readonly byKey = new Map<string, Repo>();
  private sorted: Repo[] = [];
  private dirty = false;
  add(r: Repo): void {
    if (this.byKey.has(r.key)) return;
    this.byKey.set(r.key, r);
    this.sorted.push(r);
    this.dirty = true;
  }
  get(key: string): Repo | undefined {
    return this.byKey.get(key.toLowerCase());
  }
  /** every repository whose key starts with `prefix` (lower-case) */
  withPrefix(prefix: string): Repo[] {
    if (this.dirty) {
      this.sorted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      this.dirty = false;
    }
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].key < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: Repo[] = [];
    for (let i = lo; i < this.sorted.length && this.sorted[i].key.startsWith(prefix); i++) out.push(this.sorted[i]);
    return out;
  }
  all(): Iterable<Repo> {
    return this.byKey.values();
  }
}

type SubClaim = { useDefault?: boolean; includeClaimKeys?: string[] } | undefined;

function customKeys(c: SubClaim): string[] | undefined {
  return c !== undefined && c.useDefault === false && (c.includeClaimKeys?.length ?? 0) > 0 ? c.includeClaimKeys : undefined;
}

/** Repositories from graph nodes; the org-level OIDC subject setting is looked up once per owner. */
function repoReader(graph: IdentityGraph): (n: IdentityNode) => Repo | undefined {
  const orgKeys = new Map<string, string[] | undefined>();
  return (n) => {
    if (n.id.startsWith('github:repo:')) {
      const full = n.id.slice('github:repo:'.length);
      const slash = full.indexOf('/');
      if (slash < 0) return undefined;
      const owner = full.slice(0, slash);
      // as derive-ci judges it: the repository's own setting, or the org's when the repository has none
      const own = n.attributes?.oidcSubClaim as SubClaim;
      let keys: string[] | undefined;
      if (own) keys = customKeys(own);
      else {
        if (!orgKeys.has(owner)) orgKeys.set(owner, customKeys(graph.node(`github:org:${owner}`)?.attributes?.oidcSubClaim as SubClaim));
        keys = orgKeys.get(owner);
      }
      const r: Repo = { id: n.id, key: full.toLowerCase(), name: full, platform: 'github' };
      if (typeof n.attributes?.defaultBranch === 'string') r.defaultBranch = n.attributes.defaultBranch;
      if (typeof n.attributes?.visibility === 'string') r.visibility = n.attributes.visibility;
      if (keys) r.customClaimKeys = keys;
      return r;
    }
    if (n.id.startsWith('gitlab:project:')) {
      const path = n.id.slice('gitlab:project:'.length);
      return { id: n.id, key: path.toLowerCase(), name: path, platform: 'gitlab' };
    }
    return undefined;
  };
}

/** A repository a workflow names but no connector reported as a node. */
function repoByName(platform: 'github' | 'gitlab', name: string): Repo {
  return { id: `${platform === 'github' ? 'github:repo:' : 'gitlab:project:'}${name}`, key: name.toLowerCase(), name, platform };
}

// ---- what a route costs -----------------------------------------------------------------------------------------

interface Match {
  route: Route;
  unknownKeys: string[];
  /** the match itself cannot be judged (custom subject, unparsed condition): `conditional` */
  conditional: boolean;
  dependsOn: string[];
}

function routeTerms(r: Repo, route: Route): { confidence: 'high' | 'medium' | 'low'; dependsOn?: string } {
  const isDefault = route.name !== undefined && r.defaultBranch !== undefined && route.name.toLowerCase() === r.defaultBranch.toLowerCase();
  switch (route.kind) {
    case 'branch':
      if (route.fresh) return { confidence: 'high' };
      return {
        confidence: 'medium',
        dependsOn:
          r.platform === 'gitlab'
            ? `a push to branch ${route.name}${isDefault ? ' (the default branch)' : ''}: no branch protection keeps the pusher out (GitLab protects the default branch by default; branch protection is not read by the scan)`
            : `a push to branch ${route.name}${isDefault ? ' (the default branch)' : ''}: no branch protection or ruleset on it (not read by the scan)`,
      };
    case 'tag':
      if (route.fresh) return { confidence: 'high' };
      return { confidence: 'medium', dependsOn: `pushing tag ${route.name}: no tag protection or ruleset on it (not read by the scan)` };
    case 'pull_request':
      return { confidence: 'medium', dependsOn: 'a pull request from a branch of the repository (opening one needs a credential with pull-request access; a deploy key alone cannot)' };
    case 'environment':
      return route.fresh
        ? { confidence: 'medium', dependsOn: 'a new environment the workflow names (GitHub creates it; environment protection is not read by the scan)' }
        : { confidence: 'medium', dependsOn: `environment ${route.name}: no required reviewers or deployment-branch policy (environment protection is not read by the scan)` };
    case 'custom':
      return { confidence: 'low', dependsOn: 'the repository customises its OIDC subject claim: whether the trust accepts it was not judged' };
  }
}

/**
 * The best route by which a repository's token can carry a subject the pattern accepts (with its rank: lower is
 * better), or undefined.
 */
function bestRoute(flavor: Flavor, r: Repo, pattern: readonly Tok[], rawPattern: string): { route: Route; rank: number } | undefined {
  if (!hasWildcard(pattern)) return literalRoute(flavor, r, rawPattern);
  for (let rank = 0; rank < flavor.probes.length; rank++) {
    const probe = flavor.probes[rank];
    const subject = templateTokens([flavor.subPrefix, r.key, ':', ...probe.context]);
    if (!intersects(pattern, subject)) continue;
    const route: Route = { ...probe.route };
    if (probe.namePrefix) {
      const lower = rawPattern.toLowerCase();
      const at = lower.lastIndexOf(probe.namePrefix);
      route.name = at >= 0 ? rawPattern.slice(at + probe.namePrefix.length) : rawPattern;
    }
    return { route, rank };
  }
  return undefined;
}

/** bestRoute for a pattern without wildcards: plain string comparisons (most trusts name one branch of one repository). */
function literalRoute(flavor: Flavor, r: Repo, rawPattern: string): { route: Route; rank: number } | undefined {
  const lower = rawPattern.toLowerCase();
  const base = `${flavor.subPrefix}${r.key}:`;
  if (!lower.startsWith(base)) return undefined;
  const ctx = lower.slice(base.length);
  for (let rank = 0; rank < flavor.probes.length; rank++) {
    const probe = flavor.probes[rank];
    if (probe.route.fresh && probe.route.kind !== 'pull_request') continue; // a literal names no new branch, tag or environment
    if (probe.namePrefix) {
      const name = ctx.slice(probe.namePrefix.length);
      if (!ctx.startsWith(probe.namePrefix) || name === '' || [...name].some((c) => NOT_IN_REF.has(c.charCodeAt(0)))) continue;
      return { route: { ...probe.route, name: rawPattern.slice(base.length + probe.namePrefix.length) }, rank };
    }
    if (probe.context.every((c) => typeof c === 'string') && ctx === probe.context.join('')) return { route: { ...probe.route }, rank };
  }
  return undefined;
}

/** The subject template of a repository that customises its claim keys (values unknown to the scan are runs). */
function customTemplate(r: Repo): Tok[] {
  const owner = r.key.split('/')[0];
  const parts: Array<string | Tok> = [];
  (r.customClaimKeys ?? []).forEach((k, i) => {
    if (i > 0) parts.push(':');
    const key = k.toLowerCase();
    if (key === 'repo' || key === 'repository') parts.push(`${key}:${r.key}`);
    else if (key === 'repository_owner') parts.push(`${key}:${owner}`);
    else if (key === 'repository_visibility' && r.visibility) parts.push(`${key}:${r.visibility}`);
    else parts.push(`${key}:`, RUN);
  });
  return templateTokens(parts);
}

function isHubPattern(flavor: Flavor, pattern: readonly Tok[]): boolean {
  // only a wildcard of the pattern can stand for an owner nobody in the scan controls
  return hasWildcard(pattern) && flavor.hubTemplates.some((t) => intersects(pattern, t));
}

// ---- AWS: roles trusting a GitHub / GitLab OIDC provider -----------------------------------------------------------

interface SubPattern {
  raw: string;
  tokens: Tok[];
}

/** One trust statement of one role, for one provider: which subjects it accepts, and what else it turns on. */
interface Acceptor {
  flavor: Flavor;
  to: string;
  method: string;
  statements: StatementRef[];
  /** the acceptor matches any repository of anyone (then one hub edge) */
  hub: boolean;
  /** extra keys the outcome turns on, whatever the repository */
  unknownKeys: string[];
  /** the outcome cannot be settled for any repository (named in unknownKeys) */
  conditional: boolean;
  dependsOn: string[];
  /** repositories worth testing (from the index) */
  candidates(index: RepoIndex): Iterable<Repo>;
  accept(r: Repo): Match | undefined;
  /** AWS: does the trust accept this subject pattern (a job's token)? Absent: judged from the route of accept(). */
  acceptsSubject?(subject: string): boolean;
  /** AWS: the trust names whole subjects only (one StringEquals entry): they, lower-cased, index it for job lookups */
  literalSubjects?: string[];
}

function gitLabIssuer(issuer: string): boolean {
  const host = issuer.split('/')[0];
  return host === 'gitlab.com' || host.startsWith('gitlab.');
}

/** GitHub's or a GitLab's token issuer (with or without its scheme): code hosts, not workloads of a cluster. */
export function isCodeHostIssuer(issuer: string): boolean {
  const i = normalizeIssuer(issuer);
  return isGitHubIssuer(i) || gitLabIssuer(i);
}

/** Candidate repositories for a subject pattern: the literal part before its first wildcard, looked up in the index. */
function patternCandidates(flavor: Flavor, raw: string, literal: boolean, index: RepoIndex, custom: Map<string, Repo[]>): Repo[] {
  const lower = raw.toLowerCase();
  const cut = literal ? lower.length : [lower.indexOf('*'), lower.indexOf('?')].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), lower.length);
  const lead = lower.slice(0, cut);
  const colon = lead.indexOf(':');
  if (colon < 0) return [];
  const key = lead.slice(0, colon + 1);
  const rest = lead.slice(colon + 1);
  // the subject's first claim names the repository (or its owner): look it up
  if (key === flavor.subPrefix || (flavor.platform === 'github' && key === 'repository:')) {
    const end = rest.indexOf(':');
    if (end >= 0) {
      const r = index.get(rest.slice(0, end));
      return r ? [r] : [];
    }
    if (literal) {
      const r = index.get(rest);
      return r ? [r] : [];
    }
    return index.withPrefix(rest);
  }
  if (flavor.platform === 'github' && key === 'repository_owner:') {
    const end = rest.indexOf(':');
    return index.withPrefix(`${end >= 0 ? rest.slice(0, end) : rest}${end >= 0 || literal ? '/' : ''}`);
  }
  // another first claim (repository_owner_id, job_workflow_ref, ...): only repositories with a custom subject of that shape
  return custom.get(key.slice(0, -1)) ?? [];
}

export function trustRef(role: IdentityNode, st: Record<string, unknown>): StatementRef {
  const ref: StatementRef = {
    policyId: role.id,
    policyName: `${role.name} trust policy`,
    statementIndex: typeof st.statementIndex === 'number' ? st.statementIndex : 0,
    via: 'direct',
    kind: 'trust',
    effect: 'Allow',
  };
  if (typeof st.sid === 'string') ref.sid = st.sid;
  return ref;
}

const WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';

export function actionsAllowWebIdentity(actions: unknown): boolean {
  const list = Array.isArray(actions) ? actions : typeof actions === 'string' ? [actions] : undefined;
  if (!list) return true; // the edge exists only for statements that allow assuming; older graphs lack `actions`
  return list.some((a) => typeof a === 'string' && compileGlob(a.trim()).test(WEB_IDENTITY));
}

/** Deny statements of the role's trust policy that may apply to tokens of this provider. */
export function trustDenies(role: IdentityNode, providerArn: string | undefined): { blocks: boolean; keys: string[] } {
  const doc = role.attributes?.trustPolicy as { Statement?: unknown } | undefined;
  const statements = Array.isArray(doc?.Statement) ? doc!.Statement : doc?.Statement ? [doc.Statement] : [];
  let blocks = false;
  const keys: string[] = [];
  for (const raw of statements as Array<Record<string, unknown>>) {
    if (!raw || raw.Effect !== 'Deny') continue;
    const p = raw.Principal;
    const fed = p && typeof p === 'object' ? (p as Record<string, unknown>).Federated : undefined;
    const aws = p && typeof p === 'object' ? (p as Record<string, unknown>).AWS : undefined;
    const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
    const applies = p === '*' || list(aws).includes('*') || list(fed).some((f) => f === '*' || (providerArn !== undefined && f === providerArn));
    if (!applies) continue;
    if (raw.NotAction !== undefined) {
      if (list(raw.NotAction).some((a) => compileGlob(a).test(WEB_IDENTITY))) continue;
    } else if (!list(raw.Action).some((a) => compileGlob(a).test(WEB_IDENTITY))) continue;
    const conds = conditionEntries(toConditions(raw.Condition));
    if (conds.length === 0) blocks = true;
    else keys.push(...conds.map((c) => c.key));
  }
  return { blocks, keys };
}

function awsAcceptors(graph: IdentityGraph, custom: Map<string, Repo[]>): Acceptor[] {
  const out: Acceptor[] = [];
  for (const provider of graph.nodes.values()) {
    if (provider.type !== 'oidc-provider' || provider.platform !== 'aws') continue;
    const issuer = oidcIssuer(provider, provider.id);
    const trusts = graph.out(provider.id, 'CAN_ASSUME').filter((e) => e.to.startsWith('aws:iam-role:'));
    if (trusts.length === 0) continue;
    const subKey = `${issuer}:sub`;
    let flavor: Flavor | undefined = isGitHubIssuer(issuer) ? GITHUB : gitLabIssuer(issuer) ? GITLAB : undefined;
    // a self-managed GitLab under another host name: recognised by the subjects its trusts name
    if (!flavor && trusts.some((e) => statementsOf(e).some((st) => conditionEntries(toConditions(st.conditions)).some((c) => c.key.toLowerCase() === subKey && c.values.some((v) => v.toLowerCase().startsWith('project_path:')))))) flavor = GITLAB;
    if (!flavor) continue;
    const hub = flavor.platform === 'gitlab' && issuer.split('/')[0] !== 'gitlab.com' ? `${GITLAB_ANYONE}:${issuer.split('/')[0]}` : flavor.hub;
    const providerArn = typeof provider.attributes?.arn === 'string' ? provider.attributes.arn : provider.externalId;
    for (const e of trusts) {
      const role = graph.node(e.to);
      if (!role) continue;
      const deny = trustDenies(role, providerArn);
      if (deny.blocks) continue;
      for (const st of statementsOf(e)) {
        if (!actionsAllowWebIdentity(st.actions)) continue;
        const a = awsAcceptor({ ...flavor, hub }, role, st, subKey, issuer, custom);
        if (!a) continue;
        if (deny.keys.length) {
          a.unknownKeys.push(...deny.keys);
          a.conditional = true;
          a.dependsOn.push('a Deny statement of the trust policy with a condition the scan cannot settle');
        }
        out.push(a);
      }
    }
  }
  return out;
}

export function statementsOf(e: IdentityEdge): Array<Record<string, unknown>> {
  const list = e.attributes?.statements;
  if (Array.isArray(list) && list.length > 0) return list as Array<Record<string, unknown>>;
  return [e.attributes ?? {}];
}

function awsAcceptor(flavor: Flavor, role: IdentityNode, st: Record<string, unknown>, subKey: string, issuer: string, custom: Map<string, Repo[]>): Acceptor | undefined {
  const entries: Array<{ literal: boolean; values: SubPattern[] }> = [];
  const negated: SubPattern[] = [];
  const unknownKeys: string[] = [];
  for (const c of conditionEntries(toConditions(st.conditions))) {
    const key = c.key.toLowerCase();
    const base = c.operator.replace(/^(ForAnyValue|ForAllValues):/i, '').replace(/IfExists$/i, '');
    if (/^null$/i.test(base)) {
      // `sub` and `aud` are always in the token: Null true never holds, Null false always does
      if (key === subKey || key === `${issuer}:aud`) {
        if (c.values.some((v) => v.toLowerCase() === 'true')) return undefined;
        continue;
      }
      unknownKeys.push(c.key);
      continue;
    }
    if (key === `${issuer}:aud`) continue; // the workflow chooses its token's audience: never a restriction
    if (key !== subKey) {
      unknownKeys.push(c.key);
      continue;
    }
    if (!/^string/i.test(base)) {
      unknownKeys.push(c.key);
      continue;
    }
    const literal = !/like/i.test(base);
    const values = c.values.map((v) => ({ raw: v, tokens: patternTokens(v, literal) }));
    if (isPositiveOperator(c.operator)) entries.push({ literal, values });
    else negated.push(...c.values.map((v) => ({ raw: v, tokens: patternTokens(v, literal) })));
  }
  const subUnknown = entries.length > 1 || negated.length > 0;
  const keys = [...new Set([...unknownKeys, ...(subUnknown ? [subKey] : [])])].sort();
  const hub = entries.length === 0 || entries.every((en) => en.values.some((v) => isHubPattern(flavor, v.tokens)));
  const first = entries[0];
  return {
    flavor,
    to: role.id,
    method: flavor.assumeMethod,
    statements: [trustRef(role, st)],
    hub,
    unknownKeys: keys,
    conditional: keys.length > 0,
    dependsOn: [],
    candidates(index) {
      if (!first) return [];
      const seen = new Set<Repo>();
      for (const v of first.values) {
        if (isHubPattern(flavor, v.tokens)) continue;
        for (const r of patternCandidates(flavor, v.raw, first.literal, index, custom)) seen.add(r);
      }
      return seen;
    },
    accept(r) {
      if (r.platform !== flavor.platform) return undefined;
      if (entries.length === 0) return { route: { kind: 'branch', fresh: true }, unknownKeys: keys, conditional: keys.length > 0, dependsOn: [] };
      if (r.customClaimKeys) {
        const t = customTemplate(r);
        if (!entries.every((en) => en.values.some((v) => intersects(v.tokens, t)))) return undefined;
        return { route: { kind: 'custom', fresh: false }, unknownKeys: [...new Set([...keys, subKey])].sort(), conditional: true, dependsOn: [] };
      }
      // every condition entry must accept some subject (AND); within one, any value (OR): the best route of the first
      let route: Route | undefined;
      for (const en of entries) {
        let best: { route: Route; rank: number } | undefined;
        for (const v of en.values) {
          const rt = bestRoute(flavor, r, v.tokens, v.raw);
          if (rt && (!best || rt.rank < best.rank)) best = rt;
        }
        if (!best) return undefined;
        route ??= best.route;
      }
      return { route: route!, unknownKeys: keys, conditional: keys.length > 0, dependsOn: [] };
    },
    ...(entries.length === 1 && first.literal && negated.length === 0 ? { literalSubjects: first.values.map((v) => v.raw.toLowerCase()) } : {}),
    acceptsSubject(subject) {
      if (entries.length === 0) return true;
      const t = patternTokens(subject);
      return entries.every((en) => en.values.some((v) => intersects(v.tokens, t)));
    },
  };
}

// ---- Entra ID: federated identity credentials of applications ------------------------------------------------------

const GITHUB_SUB_KEY = 'token.actions.githubusercontent.com:sub';

/** One federated identity credential of an enabled Entra application, read once for every join. */
export interface FederatedCredential {
  app: IdentityNode;
  /** the issuer as cloud trusts name it (normalizeIssuer) */
  issuer: string;
  requirement: FicRequirement;
  /** the credential as the statement that grants the hop */
  statement: StatementRef;
}

/** The federated identity credentials the entra connector mapped (FEDERATES_TO from `entra:oidc-issuer:…`). */
export function* federatedCredentials(graph: IdentityGraph): Iterable<FederatedCredential> {
  for (const e of graph.edges) {
    if (e.type !== 'FEDERATES_TO' || !e.from.startsWith('entra:oidc-issuer:') || typeof e.attributes?.issuer !== 'string') continue;
    const app = graph.node(e.to);
    if (!app || app.kind !== 'principal' || app.disabled === true) continue;
    const requirement = ficRequirement(typeof e.attributes.subject === 'string' ? e.attributes.subject : undefined, typeof e.attributes.claimsMatchingExpression === 'string' ? e.attributes.claimsMatchingExpression : undefined);
    if (!requirement) continue;
    const name = typeof e.attributes.name === 'string' ? e.attributes.name : String(e.attributes.federatedCredentialId ?? '');
    const statement: StatementRef = { policyId: app.id, policyName: `${app.name} federated credential ${name}`.trim(), statementIndex: 0, via: 'direct', kind: 'trust', effect: 'Allow' };
    yield { app, issuer: normalizeIssuer(e.attributes.issuer), requirement, statement };
  }
}

/** Applications whose federated identity credentials trust GitHub's issuer, read as trusts (the AWS reading of a sub condition). */
function entraAcceptors(graph: IdentityGraph, custom: Map<string, Repo[]>): Acceptor[] {
  const out: Acceptor[] = [];
  const flavor: Flavor = { ...GITHUB, assumeMethod: 'github-oidc-entra-app' };
  for (const { app, issuer, requirement: req, statement } of federatedCredentials(graph)) {
    if (!isGitHubIssuer(issuer)) continue;
    // the credential as a trust statement: sub tests as StringEquals / StringLike, other claims as keys the scan cannot settle
    const conditions: Record<string, Record<string, string[]>> = {};
    const extra: string[] = req.unparsed ? ['claimsMatchingExpression'] : [];
    for (const t of req.tests) {
      const isSub = t.claim.toLowerCase() === 'sub';
      const op = t.op === 'eq' ? 'StringEquals' : 'StringLike';
      const key = isSub ? GITHUB_SUB_KEY : `token.actions.githubusercontent.com:${t.claim}`;
      const block = (conditions[op] ??= {});
      // two tests of one claim and operator would read as either one (IAM's OR): the second is left unsettled instead
      if (block[key]) extra.push(`${key} (second test)`);
      else block[key] = [t.value];
    }
    const a = awsAcceptor(flavor, app, { conditions }, GITHUB_SUB_KEY, 'token.actions.githubusercontent.com', custom);
    if (!a) continue;
    a.statements = [statement];
    if (extra.length) {
      a.unknownKeys = [...new Set([...a.unknownKeys, ...extra])].sort();
      a.conditional = true;
    }
    out.push(a);
  }
  return out;
}

/** The method by which a workflow federates into a cloud identity it names, and what is unknown when its trust is unseen. */
function unseenMethod(to: string): 'gcp-wif-impersonate' | 'github-oidc-assume-role' | 'github-oidc-entra-app' {
  return to.startsWith('gcp:') ? 'gcp-wif-impersonate' : to.startsWith('entra:') ? 'github-oidc-entra-app' : 'github-oidc-assume-role';
}
const UNSEEN_KEY = { 'gcp-wif-impersonate': 'workload identity binding', 'github-oidc-entra-app': 'federated identity credential', 'github-oidc-assume-role': GITHUB_SUB_KEY } as const;

/** `entra:app-id:<client id>` references (azure/login, AKS annotations) → the application node with that appId. */
export function entraAppsByClientId(graph: IdentityGraph): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of graph.nodes.values()) {
    if (n.platform === 'entra' && n.kind === 'principal' && typeof n.attributes?.appId === 'string') out.set(n.attributes.appId.toLowerCase(), n.id);
  }
  return out;
}

/** The node a FEDERATES_TO target stands for: an Entra app reference resolved, anything else as is. */
function resolveTarget(to: string, apps: Map<string, string>): string {
  return to.startsWith(ENTRA_APP_REF_PREFIX) ? (apps.get(to.slice(ENTRA_APP_REF_PREFIX.length)) ?? to) : to;
}

// ---- GCP: workload identity principals ------------------------------------------------------------------------------

/** One claim constraint: `eq` (one of the values), `prefix` (starts with one of them). */
interface ClaimConstraint {
  claim: string;
  op: 'eq' | 'prefix';
  values: string[];
}

interface ParsedCondition {
  constraints: ClaimConstraint[];
  /** parts that could not be read */
  unparsed: boolean;
}

/** Split at a top-level operator (outside quotes, brackets and parentheses). */
function splitTop(text: string, op: '&&' | '||'): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0 && text.startsWith(op, i)) {
      out.push(text.slice(start, i));
      start = i + op.length;
      i += op.length - 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim());
}

function unwrap(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

const STR = String.raw`(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")`;
const ATTR = String.raw`((?:assertion|attribute|google)\.[A-Za-z_][A-Za-z0-9_]*)`;
const EQ = new RegExp(String.raw`^${ATTR}\s*==\s*${STR}$`);
const EQ_REV = new RegExp(String.raw`^${STR}\s*==\s*${ATTR}$`);
const STARTS = new RegExp(String.raw`^${ATTR}\.startsWith\(\s*${STR}\s*\)$`);
const IN = new RegExp(String.raw`^${ATTR}\s+in\s+\[(.*)\]$`);
const STR_G = new RegExp(STR, 'g');

/**
 * Read a provider's attribute condition (CEL) as claim constraints: conjunctions of `==`, `in [...]`, `.startsWith()`
 * and disjunctions of such tests on one claim. `attribute.x` resolves through the attribute mapping when it is a plain
 * `assertion.y`. Anything else leaves the condition partly unread (the edge is then conditional).
 */
export function parseAttributeCondition(condition: string | undefined, mapping: Record<string, string> | undefined): ParsedCondition {
  const out: ParsedCondition = { constraints: [], unparsed: false };
  if (!condition || !condition.trim()) return out;
  const claimOf = (ref: string): string | undefined => {
    if (ref.startsWith('assertion.')) return ref.slice('assertion.'.length);
    const expr = mapping?.[ref];
    const m = expr ? /^\s*assertion\.([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(expr) : null;
    return m?.[1];
  };
  const unquote = (a?: string, b?: string) => (a ?? b ?? '').replace(/\\(.)/g, '$1');
  const one = (clause: string): ClaimConstraint | undefined => {
    const t = unwrap(clause);
    let m = EQ.exec(t);
    if (m) {
      const claim = claimOf(m[1]);
      return claim ? { claim, op: 'eq', values: [unquote(m[2], m[3])] } : undefined;
    }
    m = EQ_REV.exec(t);
    if (m) {
      const claim = claimOf(m[3]);
      return claim ? { claim, op: 'eq', values: [unquote(m[1], m[2])] } : undefined;
    }
    m = STARTS.exec(t);
    if (m) {
      const claim = claimOf(m[1]);
      return claim ? { claim, op: 'prefix', values: [unquote(m[2], m[3])] } : undefined;
    }
    m = IN.exec(t);
    if (m) {
      const claim = claimOf(m[1]);
      const values = [...m[2].matchAll(STR_G)].map((x) => unquote(x[1], x[2]));
      return claim && values.length ? { claim, op: 'eq', values } : undefined;
    }
    // a disjunction of tests on one claim with one operator
    const alts = splitTop(t, '||');
    if (alts.length > 1) {
      const parts = alts.map(one);
      if (parts.every((p) => p && p.claim === parts[0]!.claim && p.op === parts[0]!.op)) return { claim: parts[0]!.claim, op: parts[0]!.op, values: parts.flatMap((p) => p!.values) };
    }
    return undefined;
  };
  for (const clause of splitTop(unwrap(condition), '&&')) {
    const c = one(clause);
    if (c) out.constraints.push(c);
    else out.unparsed = true;
  }
  return out;
}

/** Claims that name the repository (or its owner): they decide which repositories, not how. */
const REPO_CLAIMS: Record<'github' | 'gitlab', string[]> = {
  github: ['repository', 'repository_owner', 'sub'],
  gitlab: ['project_path', 'namespace_path', 'sub'],
};
/** Claims that identify the repository by values the scan does not know. */
const OPAQUE_REPO_CLAIMS = new Set(['repository_id', 'repository_owner_id', 'project_id', 'namespace_id', 'job_workflow_ref', 'workflow_ref', 'ci_config_ref_uri']);

function matchesConstraint(c: ClaimConstraint, value: string): boolean {
  const v = value.toLowerCase();
  return c.values.some((x) => (c.op === 'eq' ? v === x.toLowerCase() : v.startsWith(x.toLowerCase())));
}

function gcpFlavor(provider: IdentityNode): Flavor | undefined {
  const url = typeof provider.attributes?.url === 'string' ? provider.attributes.url.toLowerCase() : '';
  const issuer = typeof provider.attributes?.issuerUri === 'string' ? provider.attributes.issuerUri.replace(/^https?:\/\//i, '').toLowerCase() : url;
  if (isGitHubIssuer(url) || isGitHubIssuer(issuer)) return GITHUB;
  if (gitLabIssuer(url || issuer)) return GITLAB;
  return undefined;
}

/** Roles that let a federated principal get tokens for the service account (actAs alone does not). */
const TOKEN_ROLES = new Set(['roles/iam.workloadIdentityUser', 'roles/iam.serviceAccountTokenCreator', 'roles/iam.serviceAccountKeyAdmin']);
const TOKEN_PERMISSIONS = ACT_AS_PERMISSIONS.filter((p) => p !== 'iam.serviceAccounts.actAs');

function roleGivesTokens(graph: IdentityGraph, role: string): boolean {
  if (TOKEN_ROLES.has(role)) return true;
  const doc = graph.node(`gcp:role:${role}`);
  const perms = (doc as { document?: { includedPermissions?: unknown } } | undefined)?.document?.includedPermissions;
  return Array.isArray(perms) && perms.some((p) => TOKEN_PERMISSIONS.includes(String(p)));
}

/** A binding condition: decided when it only compares request.time with timestamps, otherwise unknown. */
function bindingCondition(expr: string | undefined, now: Date): 'true' | 'false' | 'unknown' {
  if (!expr || !expr.trim()) return 'true';
  let all = true;
  for (const clause of splitTop(unwrap(expr), '&&')) {
    const m = /^request\.time\s*(<=|>=|<|>)\s*timestamp\(\s*['"]([^'"]+)['"]\s*\)$/.exec(unwrap(clause));
    const t = m ? Date.parse(m[2]) : NaN;
    if (!m || Number.isNaN(t)) return 'unknown';
    const n = now.getTime();
    const ok = m[1] === '<' ? n < t : m[1] === '<=' ? n <= t : m[1] === '>' ? n > t : n >= t;
    if (!ok) all = false;
  }
  return all ? 'true' : 'false';
}

function gcpAcceptors(graph: IdentityGraph, now: Date, custom: Map<string, Repo[]>): Acceptor[] {
  const out: Acceptor[] = [];
  for (const p of graph.nodes.values()) {
    if (p.type !== 'wif-principal' || p.platform !== 'gcp') continue;
    // what the principal can become: service accounts it may get tokens for, and itself when it holds roles directly
    const targets: Array<{ to: string; method: string; statements: StatementRef[]; unknownKeys: string[] }> = [];
    for (const e of graph.out(p.id, 'CAN_ASSUME')) {
      if (!e.to.startsWith('gcp:service-account:')) continue;
      const role = typeof e.attributes?.role === 'string' ? e.attributes.role : '';
      if (!roleGivesTokens(graph, role)) continue;
      const cond = typeof e.attributes?.condition === 'string' ? e.attributes.condition : undefined;
      const decided = bindingCondition(cond, now);
      if (decided === 'false') continue;
      const email = e.to.slice('gcp:service-account:'.length);
      const binding = graph.out(p.id, 'GRANTED').find((g) => {
        const d = (graph.node(g.to) as { document?: { resource?: string; role?: string } } | undefined)?.document;
        return d?.resource === `serviceAccounts/${email}` && d?.role === role;
      });
      targets.push({
        to: e.to,
        method: 'gcp-wif-impersonate',
        statements: [{ policyId: binding?.to ?? e.to, policyName: role, statementIndex: 0, via: 'direct', kind: 'trust', effect: 'Allow' }],
        unknownKeys: decided === 'unknown' ? [`condition: ${cond}`] : [],
      });
    }
    const holdsRoles = graph.out(p.id, 'GRANTED').some((g) => {
      const d = (graph.node(g.to) as { document?: { resource?: string } } | undefined)?.document;
      return typeof d?.resource === 'string' && !d.resource.startsWith('serviceAccounts/');
    });
    if (holdsRoles) targets.push({ to: p.id, method: 'gcp-wif-federate', statements: [], unknownKeys: [] });
    if (targets.length === 0) continue;
    for (const pe of graph.in(p.id, 'CAN_ASSUME')) {
      const provider = graph.node(pe.from);
      if (provider?.type !== 'wif-provider' || (provider as { disabled?: boolean }).disabled) continue;
      const flavor = gcpFlavor(provider);
      if (!flavor) continue;
      const a = gcpAcceptor(flavor, p, provider, custom);
      if (!a) continue;
      for (const t of targets) {
        const keys = [...new Set([...a.unknownKeys, ...t.unknownKeys])].sort();
        // the binding's own condition applies to every repository the principal admits
        const accept = (r: Repo): Match | undefined => {
          const m = a.accept(r);
          if (!m || t.unknownKeys.length === 0) return m;
          return { ...m, unknownKeys: [...new Set([...m.unknownKeys, ...t.unknownKeys])].sort(), conditional: true };
        };
        out.push({ ...a, to: t.to, method: t.method, statements: t.statements, unknownKeys: keys, conditional: keys.length > 0, accept });
      }
    }
  }
  return out;
}

type GcpBase = Omit<Acceptor, 'to' | 'method' | 'statements'>;

function gcpAcceptor(flavor: Flavor, principal: IdentityNode, provider: IdentityNode, custom: Map<string, Repo[]>): GcpBase | undefined {
  const mapping = (provider.attributes?.attributeMapping ?? undefined) as Record<string, string> | undefined;
  const parsed = parseAttributeCondition(typeof provider.attributes?.attributeCondition === 'string' ? provider.attributes.attributeCondition : undefined, mapping);
  const constraints = [...parsed.constraints];
  const unknownKeys: string[] = parsed.unparsed ? ['attributeCondition'] : [];
  // the principal (set) itself: an attribute value, a subject, or the whole pool
  const attr = principal.attributes?.attribute;
  const value = principal.attributes?.value;
  if (typeof attr === 'string' && typeof value === 'string') {
    const expr = attr === 'subject' ? (mapping?.['google.subject'] ?? 'assertion.sub') : mapping?.[`attribute.${attr}`];
    const claim = expr ? /^\s*assertion\.([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(expr)?.[1] : undefined;
    // an attribute the scan cannot tie to a claim: which repositories it admits is unknown: no edge
    if (!claim) return undefined;
    constraints.push({ claim, op: 'eq', values: [value] });
  } else if (!String(principal.attributes?.member ?? '').endsWith('/*')) return undefined;

  const repoClaims = constraints.filter((c) => REPO_CLAIMS[flavor.platform].includes(c.claim));
  const opaque = constraints.filter((c) => OPAQUE_REPO_CLAIMS.has(c.claim));
  const rest = constraints.filter((c) => !REPO_CLAIMS[flavor.platform].includes(c.claim) && !OPAQUE_REPO_CLAIMS.has(c.claim));
  for (const c of opaque) unknownKeys.push(`assertion.${c.claim}`);
  // route claims (ref, ref_type, environment, event_name) the pusher controls, within what the trust names
  const routeOf = routeFromClaims(flavor, rest, unknownKeys);
  if (routeOf === null) return undefined;
  const subs = repoClaims.filter((c) => c.claim === 'sub');
  // nothing ties the token to a repository of ours: anyone on the platform qualifies (their own repository)
  const hub = opaque.length === 0 && repoClaims.every((c) => c.values.some((v) => anyoneSatisfies(flavor, c, v)));
  const keys = [...new Set(unknownKeys)].sort();
  return {
    flavor,
    hub,
    unknownKeys: keys,
    conditional: keys.length > 0,
    dependsOn: [],
    candidates(index) {
      const c = repoClaims[0];
      if (!c) return [];
      const seen = new Set<Repo>();
      for (const v of c.values) {
        const lower = v.toLowerCase();
        if (c.claim === 'sub') {
          for (const r of c.op === 'eq' ? patternCandidates(flavor, v, true, index, custom) : patternCandidates(flavor, `${v}*`, false, index, custom)) seen.add(r);
        } else if (c.claim === 'repository_owner' || c.claim === 'namespace_path') {
          for (const r of index.withPrefix(c.op === 'eq' ? `${lower}/` : lower)) seen.add(r);
        } else if (c.op === 'eq') {
          const r = index.get(lower);
          if (r) seen.add(r);
        } else for (const r of index.withPrefix(lower)) seen.add(r);
      }
      return seen;
    },
    accept(r) {
      if (r.platform !== flavor.platform) return undefined;
      const owner = r.key.split('/')[0];
      const parent = r.key.split('/').slice(0, -1).join('/');
      for (const c of repoClaims) {
        if (c.claim === 'sub') continue;
        const v = c.claim === 'repository_owner' ? owner : c.claim === 'namespace_path' ? parent : r.key;
        if (!matchesConstraint(c, v)) return undefined;
      }
      let route: Route = routeOf.route;
      let conditional = keys.length > 0;
      const extraKeys: string[] = [];
      for (const c of subs) {
        const patterns = c.values.map((v) => ({ raw: v, tokens: c.op === 'eq' ? patternTokens(v, true) : [...patternTokens(v, true), RUN] }));
        if (r.customClaimKeys) {
          const t = customTemplate(r);
          if (!patterns.some((p) => intersects(p.tokens, t))) return undefined;
          route = { kind: 'custom', fresh: false };
          conditional = true;
          extraKeys.push('assertion.sub');
          continue;
        }
        let best: { route: Route; rank: number } | undefined;
        for (const p of patterns) {
          const rt = bestRoute(flavor, r, p.tokens, p.raw);
          if (rt && (!best || rt.rank < best.rank)) best = rt;
        }
        if (!best) return undefined;
        route = best.route;
      }
      return { route, unknownKeys: [...new Set([...keys, ...extraKeys])].sort(), conditional, dependsOn: routeOf.dependsOn };
    },
  };
}

/** Can a repository of a fresh owner (anyone on the platform) give this claim a value the constraint accepts? */
function anyoneSatisfies(flavor: Flavor, c: ClaimConstraint, value: string): boolean {
  const tokens = c.op === 'eq' ? patternTokens(value, true) : [...patternTokens(value, true), RUN];
  if (c.claim === 'sub') return isHubPattern(flavor, tokens);
  // repository_owner / namespace_path: the owner itself; repository / project_path: owner/name
  const shape = c.claim === 'repository_owner' || c.claim === 'namespace_path' ? templateTokens([...FRESH_OWNER, RUN]) : templateTokens([...FRESH_OWNER, '/', RUN]);
  return intersects(tokens, shape);
}

/**
 * The route the claims on ref / ref_type / environment / event_name leave a pusher (null: none), and what it depends
 * on. Other claims the scan cannot judge are added to `unknownKeys`.
 */
function routeFromClaims(flavor: Flavor, claims: ClaimConstraint[], unknownKeys: string[]): { route: Route; dependsOn: string[] } | null {
  let route: Route = { kind: 'branch', fresh: true };
  const dependsOn: string[] = [];
  for (const c of claims) {
    const values = c.values.map((v) => v.toLowerCase());
    switch (c.claim) {
      case 'ref': {
        const heads = values.filter((v) => v.startsWith('refs/heads/') || (c.op === 'prefix' && 'refs/heads/'.startsWith(v)));
        const tags = values.filter((v) => v.startsWith('refs/tags/') || (c.op === 'prefix' && 'refs/tags/'.startsWith(v)));
        if (flavor.platform === 'gitlab') {
          // GitLab's ref claim is the bare branch or tag name
          route = c.op === 'prefix' ? { kind: 'branch', fresh: true } : { kind: 'branch', fresh: false, name: c.values[0] };
        } else if (heads.length) route = c.op === 'prefix' ? { kind: 'branch', fresh: true } : { kind: 'branch', fresh: false, name: c.values.find((v) => v.toLowerCase().startsWith('refs/heads/'))!.slice('refs/heads/'.length) };
        else if (tags.length) route = c.op === 'prefix' ? { kind: 'tag', fresh: true } : { kind: 'tag', fresh: false, name: c.values.find((v) => v.toLowerCase().startsWith('refs/tags/'))!.slice('refs/tags/'.length) };
        else if (values.some((v) => v.startsWith('refs/pull/'))) route = { kind: 'pull_request', fresh: true };
        else return null;
        break;
      }
      case 'ref_type':
        if (!values.includes('branch') && values.includes('tag') && route.kind === 'branch') route = { kind: 'tag', fresh: route.fresh, ...(route.name ? { name: route.name } : {}) };
        else if (!values.includes('branch') && !values.includes('tag')) return null;
        break;
      case 'environment':
        if (flavor.platform === 'github') {
          if (c.op === 'eq') dependsOn.push(`environment ${c.values.join(' or ')}: no required reviewers or deployment-branch policy (environment protection is not read by the scan)`);
          else dependsOn.push('a new environment the workflow names (GitHub creates it; environment protection is not read by the scan)');
        } else unknownKeys.push('assertion.environment');
        break;
      case 'event_name':
        if (values.includes('push')) break;
        if (values.includes('pull_request')) route = { kind: 'pull_request', fresh: true };
        else unknownKeys.push('assertion.event_name');
        break;
      case 'aud':
        break;
      default:
        unknownKeys.push(`assertion.${c.claim}`);
    }
  }
  return { route, dependsOn };
}

// ---- push access -----------------------------------------------------------------------------------------------------

const WRITE_ACCESS = new Set(['write', 'maintain', 'admin', 'push']);

interface PushGrant {
  from: string;
  repo: Repo;
  platform: 'github' | 'gitlab';
  confidence: 'high' | 'medium' | 'low';
  note?: string;
}

const CONTENTS_ONLY = 'contents write without workflows write cannot change workflow files (GitHub refuses it): an existing workflow must run code the push changes';

function githubRepoPermissions(perms: unknown): { contents?: string; workflows?: string } {
  if (!perms || typeof perms !== 'object') return {};
  const p = perms as Record<string, unknown>;
  // fine-grained PAT grants nest them (`{ repository: { contents: 'write' } }`), installations do not
  const flat = p.repository && typeof p.repository === 'object' ? (p.repository as Record<string, unknown>) : p;
  const s = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { contents: s(flat.contents), workflows: s(flat.workflows) ?? s(flat.workflow) };
}

function pushGrants(graph: IdentityGraph, index: RepoIndex, edges: readonly IdentityEdge[]): PushGrant[] {
  const out: PushGrant[] = [];
  const repoOf = (id: string): Repo | undefined => {
    for (const [prefix, platform] of [['github:repo:', 'github'], ['gitlab:project:', 'gitlab']] as const) {
      if (id.startsWith(prefix)) return index.get(id.slice(prefix.length)) ?? repoByName(platform, id.slice(prefix.length));
    }
    return undefined;
  };
  const orgRepos = (orgId: string, platform: 'github' | 'gitlab'): Repo[] => {
    const prefix = platform === 'github' ? 'github:org:' : 'gitlab:group:';
    if (!orgId.startsWith(prefix)) return [];
    return index.withPrefix(`${orgId.slice(prefix.length).toLowerCase()}/`).filter((r) => r.platform === platform);
  };
  const inactive = (n: IdentityNode | undefined) => !n || (n as { active?: boolean }).active === false || (n as { disabled?: boolean }).disabled === true || n.attributes?.suspended === true || n.attributes?.revoked === true;

  for (const e of edges) {
    if (e.type !== 'CAN_ACCESS') continue;
    const from = graph.node(e.from);
    if (inactive(from)) continue;
    const f = from!;
    // a plain write grant on a repository (deploy keys of both hosts; any identity the graph says can write)
    const access = typeof e.attributes?.access === 'string' ? e.attributes.access.toLowerCase() : undefined;
    if (access && WRITE_ACCESS.has(access) && (e.to.startsWith('github:repo:') || e.to.startsWith('gitlab:project:'))) {
      const repo = repoOf(e.to);
      if (repo) out.push({ from: f.id, repo, platform: repo.platform, confidence: 'medium' });
      continue;
    }
    if (f.platform === 'github' && (f.type === 'app-installation' || f.type === 'fine-grained-pat')) {
      const perms = githubRepoPermissions(f.attributes?.permissions ?? e.attributes?.permissions);
      const workflows = perms.workflows === 'write';
      if (!workflows && perms.contents !== 'write') continue;
      const selection = f.attributes?.repositorySelection ?? e.attributes?.repositorySelection;
      let repos: Repo[] = [];
      if (e.to.startsWith('github:repo:')) {
        const r = repoOf(e.to);
        repos = r ? [r] : [];
      } else if (selection === 'all') repos = orgRepos(e.to, 'github');
      else if (Array.isArray(f.attributes?.repositories)) {
        const org = e.to.startsWith('github:org:') ? e.to.slice('github:org:'.length) : f.scope ?? '';
        repos = (f.attributes!.repositories as unknown[]).filter((x): x is string => typeof x === 'string').map((x) => index.get(x.includes('/') ? x : `${org}/${x}`) ?? repoByName('github', x.includes('/') ? x : `${org}/${x}`));
      }
      for (const repo of repos) out.push({ from: f.id, repo, platform: 'github', confidence: workflows ? 'medium' : 'low', ...(workflows ? {} : { note: CONTENTS_ONLY }) });
      continue;
    }
    if (f.platform === 'gitlab' && f.type === 'access-token') {
      const scopes = Array.isArray(f.attributes?.scopes) ? (f.attributes!.scopes as string[]) : Array.isArray(e.attributes?.scopes) ? (e.attributes!.scopes as string[]) : [];
      const level = Number(f.attributes?.accessLevel ?? e.attributes?.accessLevel ?? 0);
      if (!(scopes.includes('write_repository') || scopes.includes('api')) || level < 30) continue;
      const repos = e.to.startsWith('gitlab:project:') ? [repoOf(e.to)].filter((r): r is Repo => r !== undefined) : orgRepos(e.to, 'gitlab');
      const note = level < 40 ? 'Developer access pushes only to unprotected branches (GitLab protects the default branch by default)' : undefined;
      for (const repo of repos) out.push({ from: f.id, repo, platform: 'gitlab', confidence: 'medium', ...(note ? { note } : {}) });
    }
  }

  // SAML-authorised credentials: push where their user can write (the graph says so with a CAN_ACCESS write edge)
  for (const c of graph.nodes.values()) {
    if (c.type !== 'saml-credential' || c.platform !== 'github' || inactive(c)) continue;
    const scopes = Array.isArray(c.attributes?.scopes) ? (c.attributes!.scopes as string[]) : [];
    const ssh = (c as { credentialType?: string }).credentialType === 'ssh-key';
    if (!ssh && !scopes.includes('repo')) continue;
    const holder = graph.holderOf(c.id) ?? (typeof c.attributes?.login === 'string' ? graph.node(`github:user:${c.attributes.login}`) : undefined);
    if (!holder) continue;
    const workflows = ssh || scopes.includes('workflow');
    for (const e of graph.out(holder.id, 'CAN_ACCESS')) {
      const access = typeof e.attributes?.access === 'string' ? e.attributes.access.toLowerCase() : undefined;
      if (!access || !WRITE_ACCESS.has(access) || !e.to.startsWith('github:repo:')) continue;
      const repo = repoOf(e.to);
      if (repo) out.push({ from: c.id, repo, platform: 'github', confidence: workflows ? 'medium' : 'low', ...(workflows ? {} : { note: 'a classic token without the workflow scope cannot change workflow files: an existing workflow must run code the push changes' }) });
    }
  }
  return out;
}

// ---- the producer ----------------------------------------------------------------------------------------------------

const RANK = { high: 3, medium: 2, low: 1 } as const;

function minConfidence(a: 'high' | 'medium' | 'low', b: 'high' | 'medium' | 'low'): 'high' | 'medium' | 'low' {
  return RANK[a] <= RANK[b] ? a : b;
}

/** Keep one edge per (from, to, method): allowed over conditional, then the higher confidence. */
class EdgeSet {
  private readonly byKey = new Map<string, { edge: BecomeEdge; route?: Route }>();
  add(e: BecomeEdge, route?: Route): void {
    const key = `${e.from}\u0000${e.to}\u0000${e.method}`;
    const old = this.byKey.get(key);
    if (!old) {
      this.byKey.set(key, { edge: e, route });
      return;
    }
    const o = old.edge;
    const better = (o.decision === 'conditional' && e.decision === 'allowed') || (o.decision === e.decision && RANK[e.confidence] > RANK[o.confidence]);
    const [kept, other] = better ? [e, o] : [o, e];
    // the statements of the edge kept first, then the others that also grant it
    const statements = [...kept.statements];
    for (const s of other.statements) if (!statements.some((x) => x.policyId === s.policyId && x.statementIndex === s.statementIndex)) statements.push(s);
    this.byKey.set(key, { edge: { ...kept, statements }, route: better ? route : old.route });
  }
  /** the edges with the route behind each federation edge (to tell push edges which branches the trusts name) */
  entries(): Iterable<{ edge: BecomeEdge; route?: Route }> {
    return this.byKey.values();
  }
}

function federationEdge(a: Pick<Acceptor, 'to' | 'method' | 'statements'>, r: Repo, m: Match): BecomeEdge {
  const terms = routeTerms(r, m.route);
  const dependsOn = [...(terms.dependsOn ? [terms.dependsOn] : []), ...m.dependsOn];
  const edge: BecomeEdge = {
    from: r.id,
    to: a.to,
    method: a.method,
    statements: a.statements,
    decision: m.conditional ? 'conditional' : 'allowed',
    unknownKeys: m.unknownKeys,
    confidence: m.conditional ? minConfidence(terms.confidence, 'low') : terms.confidence,
  };
  if (dependsOn.length) edge.dependsOn = dependsOn.join('; ');
  return edge;
}

/** All the code-host edges of a graph (the producer's `edges`, as an array). */
export function codeHostEdges(ctx: PathContext): BecomeEdge[] {
  const { graph } = ctx;
  const index = new RepoIndex();
  const readRepo = repoReader(graph);
  for (const n of graph.nodes.values()) {
    if (n.type !== 'repo' && n.type !== 'project') continue;
    const r = readRepo(n);
    if (r) index.add(r);
  }
  // repositories known only by their workflows (a local checkout's scan): their jobs can be joined to cloud trusts
  for (const n of graph.nodes.values()) {
    if (n.type !== 'workflow' || typeof n.attributes?.repo !== 'string' || !n.attributes.repo.includes('/')) continue;
    if (!index.get(n.attributes.repo)) index.add(repoByName('github', n.attributes.repo));
  }
  // repositories with a custom OIDC subject, by the first claim key of their template
  const custom = new Map<string, Repo[]>();
  for (const r of index.all()) {
    const first = r.customClaimKeys?.[0]?.toLowerCase();
    if (!first) continue;
    const list = custom.get(first) ?? [];
    list.push(r);
    custom.set(first, list);
  }

  const out = new EdgeSet();
  const acceptors = [...awsAcceptors(graph, custom), ...gcpAcceptors(graph, ctx.now, custom), ...entraAcceptors(graph, custom)];
  const apps = entraAppsByClientId(graph);
  const byTarget = new Map<string, Acceptor[]>();
  /** the trusts that accept each repository (by repository id), for the jobs of its workflows */
  const acceptedBy = new Map<string, Acceptor[]>();
  for (const a of acceptors) {
    const list = byTarget.get(a.to) ?? [];
    list.push(a);
    byTarget.set(a.to, list);
    // anyone on the platform, with a repository of their own
    if (a.hub) {
      const e: BecomeEdge = {
        from: a.flavor.hub,
        to: a.to,
        method: a.method,
        statements: a.statements,
        decision: a.conditional ? 'conditional' : 'allowed',
        unknownKeys: a.unknownKeys,
        confidence: a.conditional ? 'low' : 'high',
      };
      if (a.dependsOn.length) e.dependsOn = a.dependsOn.join('; ');
      out.add(e);
      continue;
    }
    // the repositories the trust names (exactly, or by a pattern matched through the index)
    for (const r of a.candidates(index)) {
      const m = a.accept(r);
      if (!m) continue;
      out.add(federationEdge(a, r, m), m.route);
      const list = acceptedBy.get(r.id) ?? [];
      list.push(a);
      acceptedBy.set(r.id, list);
    }
  }

  // from the workflow side: FEDERATES_TO edges of GitHub workflows
  const edges = graph.edges;
  for (const e of edges) {
    if (e.type !== 'FEDERATES_TO') continue;
    const wf = graph.node(e.from);
    const repoName = wf?.attributes?.repo;
    if (wf?.type !== 'workflow' || typeof repoName !== 'string' || !repoName.includes('/')) continue;
    const repo = index.get(repoName) ?? repoByName('github', repoName);
    const to = resolveTarget(e.to, apps);
    if (!/^(gcp:service-account:|aws:iam-role:|entra:)/.test(to)) continue;
    const method = unseenMethod(to);
    const path = typeof wf.attributes?.path === 'string' ? wf.attributes.path : wf.id;
    if (!graph.node(to)) {
      // the cloud side was not scanned: the workflow says it federates, the trust is unknown
      out.add({
        from: repo.id,
        to,
        method,
        statements: [],
        decision: 'conditional',
        unknownKeys: [UNSEEN_KEY[method]],
        confidence: 'low',
        dependsOn: `workflow ${path} federates into it; its trust was not in the scan`,
      });
      continue;
    }
    for (const a of byTarget.get(to) ?? []) {
      const m = a.accept(repo);
      if (m) out.add(federationEdge(a, repo, m), m.route);
    }
  }

  for (const e of jobEdges(graph, index, acceptedBy, byTarget, apps)) out.add(e);

  // push access: named branches the trusts of each repository require go on the push edge
  const named = new Map<string, Set<string>>();
  for (const { edge: f, route } of out.entries()) {
    if (route?.kind !== 'branch' || route.fresh || route.name === undefined) continue;
    const set = named.get(f.from) ?? new Set<string>();
    set.add(route.name);
    named.set(f.from, set);
  }
  for (const g of pushGrants(graph, index, edges)) {
    const branches = [...(named.get(g.repo.id) ?? [])].sort();
    const protection = branches.length
      ? `no branch protection on ${branches.join(', ')} (the branch${branches.length > 1 ? 'es' : ''} a cloud trust names; branch protection is not read by the scan)`
      : 'no branch protection or ruleset blocks the push (not read by the scan)';
    out.add({
      from: g.from,
      to: g.repo.id,
      method: g.platform === 'github' ? 'github-push-workflow' : 'gitlab-push-pipeline',
      statements: [],
      decision: 'allowed',
      unknownKeys: [],
      confidence: g.confidence,
      dependsOn: [protection, ...(g.note ? [g.note] : [])].join('; '),
    });
  }
  return [...out.entries()].map((x) => x.edge);
}

// ---- jobs: who can steer them, and what their tokens become -------------------------------------------------------


/** Does a trust accept one of the job's subjects? The subject it accepts, or undefined. */
function acceptedSubject(a: Acceptor, m: Match, subjects: readonly JobSubject[]): JobSubject | undefined {
  if (a.acceptsSubject) return subjects.find((s) => a.acceptsSubject!(s.subject));
  // judged from the route by which the repository's tokens pass (GCP attribute conditions)
  const route = m.route;
  return subjects.find((s) => {
    const ctx = s.subject.slice(s.subject.indexOf(':', 'repo:'.length) + 1);
    switch (route.kind) {
      case 'custom':
        return true;
      case 'pull_request':
        return ctx === 'pull_request';
      case 'environment':
        return ctx.startsWith('environment:') && (route.fresh || route.name === undefined || ctx.slice('environment:'.length).toLowerCase() === route.name.toLowerCase());
      case 'branch':
        if (route.fresh) return true; // the trust takes any branch of the repository (and so any token of it)
        return ctx.startsWith('ref:refs/heads/') && intersects(patternTokens(ctx.slice('ref:refs/heads/'.length)), patternTokens(route.name ?? '*', true));
      case 'tag':
        if (route.fresh) return true;
        return ctx.startsWith('ref:refs/tags/') && intersects(patternTokens(ctx.slice('ref:refs/tags/'.length)), patternTokens(route.name ?? '*', true));
    }
    return false;
  });
}

function roleSource(auth: readonly CloudAuth[], job: string, to: string): string | undefined {
  for (const c of auth) {
    if (c.job !== job) continue;
    if (c.roleArn && `aws:iam-role:${c.roleArn}` === to) return 'the job names this role';
    if (c.serviceAccount && `gcp:service-account:${c.serviceAccount}` === to) return 'the job names this service account';
    if (c.provider === 'aws' && to.startsWith('aws:iam-role:') && c.roleExpression) return `the job takes its role from ${c.roleExpression.slice(0, 120)}`;
    if (c.provider === 'gcp' && to.startsWith('gcp:') && (c.workloadIdentityProvider || !c.serviceAccount)) return 'the job authenticates to Google Cloud with a service account it does not name literally';
    if (c.provider === 'azure' && to.startsWith('entra:')) return c.clientId ? 'the job signs in with azure/login and this application\u2019s client id' : `the job signs in with azure/login, client id from ${(c.clientIdExpression ?? 'its inputs').slice(0, 120)}`;
  }
  return undefined;
}

/**
 * Job-level edges of GitHub workflows:
 * - workflow → job (`github-workflow-job`) for the jobs that become something;
 * - job → cloud identity (the repository's assume / impersonate method) when the job can request an OIDC token whose
 *   subject the trust accepts, whatever its `role-to-assume` says (the role may come from a secret);
 * - `github:untrusted:<repo>` → job (`github-untrusted-input`) when anyone can start the job on a trigger and their
 *   code or text reaches its steps (checkout of the pull request head, attacker text in a script, an AI agent not
 *   limited to trusted actors).
 */
function* jobEdges(graph: IdentityGraph, index: RepoIndex, acceptedBy: Map<string, Acceptor[]>, byTarget: Map<string, Acceptor[]>, apps: Map<string, string>): Iterable<BecomeEdge> {
  const inherited = inheritedTriggers(graph);
  // the trusts of each repository, those naming whole subjects indexed by subject: a job looks up its own subjects
  // instead of testing every trust of its repository (a monorepo with a role per environment stays linear)
  const indexes = new Map<string, { literal: Map<string, Acceptor[]>; other: Acceptor[]; keys: string[]; all: Acceptor[] }>();
  const trustIndex = (repoId: string) => {
    let ix = indexes.get(repoId);
    if (!ix) {
      ix = { literal: new Map(), other: [], keys: [], all: acceptedBy.get(repoId) ?? [] };
      for (const a of ix.all) {
        if (!a.literalSubjects) {
          ix.other.push(a);
          continue;
        }
        for (const sub of a.literalSubjects) {
          const list = ix.literal.get(sub);
          if (list) list.push(a);
          else ix.literal.set(sub, [a]);
        }
      }
      ix.keys = [...ix.literal.keys()].sort();
      indexes.set(repoId, ix);
    }
    const { literal, other, keys } = ix;
    return {
      candidates(subjects: readonly JobSubject[]): Acceptor[] {
        const out = new Set<Acceptor>(other);
        for (const x of subjects) {
          const sub = x.subject.toLowerCase();
          const star = sub.indexOf('*');
          if (star < 0) {
            for (const a of literal.get(sub) ?? []) out.add(a);
            continue;
          }
          // a subject with a wildcard (a push to any branch): the whole subjects that start like it, by binary search
          const prefix = sub.slice(0, star);
          let lo = 0;
          let hi = keys.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (keys[mid] < prefix) lo = mid + 1;
            else hi = mid;
          }
          for (let i = lo; i < keys.length && keys[i].startsWith(prefix); i++) for (const a of literal.get(keys[i])!) out.add(a);
        }
        return [...out];
      },
    };
  };
  for (const wf of graph.nodes.values()) {
    if (wf.type !== 'workflow' || wf.kind !== 'workload') continue;
    const a = wf.attributes ?? {};
    const repoName = a.repo;
    if (typeof repoName !== 'string' || !repoName.includes('/') || typeof a.parseError === 'string') continue;
    const jobs = (Array.isArray(a.jobs) ? a.jobs : []) as JobInfo[];
    if (jobs.length === 0) continue;
    const repo = index.get(repoName) ?? repoByName('github', repoName);
    const triggers = (Array.isArray(a.triggers) ? a.triggers : []).filter((t): t is string => typeof t === 'string');
    const analysis = { triggers, pushBranches: Array.isArray(a.pushBranches) ? (a.pushBranches as string[]) : undefined, pushTags: a.pushTags === true };
    const auth = (Array.isArray(a.cloudAuth) ? a.cloudAuth : []) as CloudAuth[];
    const path = typeof a.path === 'string' ? a.path : wf.id;
    const jobsById = new Map(jobs.map((j) => [j.id, j]));
    // a reusable workflow runs on its callers' triggers (those whose calling job anyone can start)
    const inh = inherited.get(wf.id);
    const triagerOnly = triagerOnlyTriggers(triggers, a.triggerTypes as Record<string, string[]> | undefined);
    const untrusted = [...new Set([...triggers.filter((t) => UNTRUSTED_EVENTS.has(t) && !triagerOnly.includes(t)), ...(inh?.open ?? [])])];
    const calledBy = inh?.open.length ? ` (called by ${inh.callers.join(', ')})` : '';
    // trusts any repository passes (the hub's) are left out: anyone reaches them with a repository of their own, so a
    // job adds nothing to that edge (and joining them would pair every job with every such role)
    const trusts = trustIndex(repo.id);
    // literal FEDERATES_TO targets whose cloud side the scan did not see
    const unseen = graph.out(wf.id, 'FEDERATES_TO').filter((e) => {
      const to = resolveTarget(e.to, apps);
      return !graph.node(to) && !byTarget.has(to);
    });
    for (const job of jobs) {
      const jobId = jobPrincipalId(wf.id, job.id);
      const fromJob: BecomeEdge[] = [];
      if (job.usesIdToken) {
        const subjects = jobSubjects(analysis, repo.name, job, repo.defaultBranch);
        for (const t of trusts.candidates(subjects)) {
          const m = t.accept(repo);
          if (!m) continue;
          const hit = acceptedSubject(t, m, subjects);
          if (!hit) continue;
          const source = roleSource(auth, job.id, t.to);
          const deps = [...m.dependsOn, ...t.dependsOn];
          if (hit.defaultBranchUnknown) deps.push(`the default branch of ${repo.name} being one the trust accepts (the scan did not read it; ${hit.trigger} runs on the default branch)`);
          const e: BecomeEdge = {
            from: jobId,
            to: t.to,
            method: t.method,
            statements: t.statements,
            decision: m.conditional ? 'conditional' : 'allowed',
            unknownKeys: m.unknownKeys,
            confidence: m.conditional ? 'low' : hit.defaultBranchUnknown ? 'medium' : 'high',
            via: `job ${job.id} of ${path} on ${hit.trigger}: its OIDC token carries sub ${hit.subject}${source ? `; ${source}` : ''}`,
          };
          if (deps.length) e.dependsOn = [...new Set(deps)].join('; ');
          fromJob.push(e);
        }
      }
      for (const f of unseen) {
        const jobsOf = Array.isArray(f.attributes?.jobs) ? (f.attributes!.jobs as string[]) : [];
        if (!jobsOf.includes(job.id)) continue;
        const method = unseenMethod(f.to);
        fromJob.push({
          from: jobId,
          to: f.to,
          method,
          statements: [],
          decision: 'conditional',
          unknownKeys: [UNSEEN_KEY[method]],
          confidence: 'low',
          via: `job ${job.id} of ${path} names it`,
          dependsOn: 'its trust was not in the scan',
        });
      }
      if (fromJob.length === 0) continue;
      yield* fromJob;
      yield { from: wf.id, to: jobId, method: 'github-workflow-job', statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high' };
      if (untrusted.length === 0) continue;
      const reach = gateOf(jobsById, job) ? undefined : untrustedReach(job);
      if (!reach) continue;
      yield {
        from: `${UNTRUSTED_PREFIX}${repo.name}`,
        to: jobId,
        method: 'github-untrusted-input',
        statements: [],
        decision: 'allowed',
        unknownKeys: [],
        confidence: reach.confidence,
        via: `${untrusted.join(', ')} starts ${path}${calledBy}; job ${job.id} ${reach.how}`,
        ...(reach.dependsOn ? { dependsOn: reach.dependsOn } : {}),
      };
    }
  }
}

/** How outside input takes over a job's steps, and how sure that is; undefined when it does not. */
export function untrustedReach(job: JobInfo): { how: string; confidence: 'high' | 'medium'; dependsOn?: string } | undefined {
  if (job.actorGate) return undefined; // only members, owners or named actors start it
  const reach = job.untrustedReach ?? [];
  if (reach.includes('pastes attacker-controlled event text into a script')) return { how: 'pastes attacker-controlled event text into a script (script injection)', confidence: 'high' };
  const agents = agentSteps(job).filter((s) => !s.gate);
  if (agents.length > 0) return { how: `runs ${agents[0].agent} (line ${agents[0].line}) on what they wrote`, confidence: 'medium', dependsOn: 'the agent following instructions written into the issue, comment or pull request (prompt injection)' };
  if (reach.includes('checks out the pull request head')) return { how: "checks out the pull request's code", confidence: 'medium', dependsOn: 'a later step running the checked-out code (a build, a test, a script of the repository)' };
  return undefined;
}

export const codeHostProducer: EdgeProducer = {
  id: 'codehost',
  edges: (ctx) => codeHostEdges(ctx),
  // repositories are not admins: the analysis reaches cloud admins through these edges
  admins: () => [],
};

/** The method's catalogue entry (for renderers that describe a hop). */
export function codeHostMethod(id: string): CodeHostMethod | undefined {
  return METHOD[id];
}
