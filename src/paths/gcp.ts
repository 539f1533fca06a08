/**
 * Google Cloud's contribution to the escalation analysis: "can become" edges from the effective permissions of
 * members (src/policy/gcp-permissions.ts) and the members that already hold admin. See docs/paths-gcp.md.
 *
 * Methods (ids shared with the method catalogue, src/paths/methods/gcp.ts):
 * - take over a service account: create a key, mint an access token, sign a JWT or a blob as it, set its IAM policy,
 *   or reach it through implicit delegation (tokens of the accounts another account can mint for);
 * - run code as a service account: actAs on the account AND the permissions of a service that runs code as it, in the
 *   account's project (Compute Engine, Cloud Functions, Cloud Run, Cloud Build, Dataflow, Dataproc, Composer, Cloud
 *   Scheduler); Cloud Build (legacy default account) and Deployment Manager run as Google-created accounts of the
 *   project without any actAs;
 * - grant oneself anything: setIamPolicy on a project, folder or organization (→ the admin sink of that scope), or
 *   update a custom role one holds (→ the admin sink of where it is bound, or the account it is bound on).
 *
 * Scale: nothing is computed per pair of principals. Members that share their bindings and deny rules share one
 * plan. A grant over a whole project, folder or organization leads to one hub node per (scope, method)
 * (`meta:hub:gcp:<scope>:<method>`), and each hub leads to the hubs of the scopes below it and, for a project, to its
 * accounts: edges stay linear in members + accounts + scopes.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { PrincipalNode } from '../model/types.js';
import type { StatementRef } from '../policy/decision.js';
import { isPrivileged } from '../policy/gcp.js';
import { GcpPermissions, projectOfServiceAccount, resourceOfNode, type GcpEvaluation, type Grant } from '../policy/gcp-permissions.js';
import { adminSinkId, type BecomeEdge, type EdgeProducer, type PathContext } from './types.js';

/** Method ids (the catalogue in src/paths/methods/gcp.ts uses the same ones). */
export const GCP_METHOD = {
  getAccessToken: 'gcp-sa-get-access-token',
  workloadIdentity: 'gcp-workload-identity-user',
  keyCreate: 'gcp-sa-key-create',
  signJwt: 'gcp-sa-sign-jwt',
  signBlob: 'gcp-sa-sign-blob',
  implicitDelegation: 'gcp-sa-implicit-delegation',
  saSetIamPolicy: 'gcp-sa-set-iam-policy',
  actAsCompute: 'gcp-actas-compute-instance',
  actAsCloudFunctions: 'gcp-actas-cloudfunctions-create',
  actAsCloudFunctionsUpdate: 'gcp-actas-cloudfunctions-update',
  actAsRun: 'gcp-actas-cloud-run-create',
  actAsRunUpdate: 'gcp-actas-cloud-run-update',
  actAsCloudBuild: 'gcp-actas-cloudbuild',
  actAsDataflow: 'gcp-actas-dataflow',
  actAsDataproc: 'gcp-actas-dataproc',
  actAsComposer: 'gcp-actas-composer',
  actAsCloudScheduler: 'gcp-actas-cloud-scheduler',
  cloudBuildDefaultAccount: 'gcp-cloudbuild-default-account',
  deploymentManager: 'gcp-deploymentmanager-create',
  projectSetIamPolicy: 'gcp-set-iam-policy-project',
  folderSetIamPolicy: 'gcp-set-iam-policy-folder',
  organizationSetIamPolicy: 'gcp-set-iam-policy-organization',
  customRoleUpdate: 'gcp-custom-role-update',
} as const;

/** Predefined roles counted as admin besides owner / editor (as sa-primitive-role's default). */
export const ADMIN_ROLE_PATTERN = /^roles\/.*[aA]dmin$/;

/**
 * What a hop lands on:
 * `service-account`: an account (on it directly, or every account below a project / folder / organization);
 * `project-agent`: the project's Google-created account the service runs as (`agent` names it by project number);
 * `project-admin` / `folder-admin` / `organization-admin`: the admin sink of the scope whose IAM policy is set.
 */
type TargetKind = 'service-account' | 'delegate' | 'project-agent' | 'project-admin' | 'folder-admin' | 'organization-admin';

export interface GcpMethodSpec {
  id: string;
  title: string;
  /** permissions needed on the target: the account, or the scope whose policy is set */
  onTarget: string[];
  /** alternatives: every permission of one list is needed in the target account's project */
  inProject?: string[][];
  target: TargetKind;
  /** for `project-agent`: the account's email from the project number */
  agent?: (projectNumber: string) => string;
  confidence: 'high' | 'medium';
  dependsOn?: string;
}

const ACT_AS = 'iam.serviceAccounts.actAs';
const COMPUTE = ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'];

/** The methods this producer derives edges for, in order of preference when several reach the same target. */
export const GCP_METHODS: readonly GcpMethodSpec[] = [
  { id: GCP_METHOD.getAccessToken, title: 'iam.serviceAccounts.getAccessToken', onTarget: ['iam.serviceAccounts.getAccessToken'], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.signJwt, title: 'iam.serviceAccounts.signJwt', onTarget: ['iam.serviceAccounts.signJwt'], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.signBlob, title: 'iam.serviceAccounts.signBlob', onTarget: ['iam.serviceAccounts.signBlob'], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.keyCreate, title: 'iam.serviceAccountKeys.create', onTarget: ['iam.serviceAccountKeys.create'], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.saSetIamPolicy, title: 'iam.serviceAccounts.setIamPolicy', onTarget: ['iam.serviceAccounts.setIamPolicy'], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.actAsCompute, title: 'iam.serviceAccounts.actAs + compute.instances.create', onTarget: [ACT_AS], inProject: [COMPUTE], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.actAsCloudFunctions, title: 'iam.serviceAccounts.actAs + cloudfunctions.functions.create', onTarget: [ACT_AS], inProject: [['cloudfunctions.functions.create', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call'], ['cloudfunctions.functions.create', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.setIamPolicy']], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.actAsCloudFunctionsUpdate, title: 'iam.serviceAccounts.actAs + cloudfunctions.functions.update', onTarget: [ACT_AS], inProject: [['cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet']], target: 'service-account', confidence: 'medium', dependsOn: 'an existing Cloud Function in the project (the scan does not list functions), invoked by its trigger' },
  { id: GCP_METHOD.actAsRun, title: 'iam.serviceAccounts.actAs + run.services.create', onTarget: [ACT_AS], inProject: [['run.services.create']], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.actAsRunUpdate, title: 'iam.serviceAccounts.actAs + run.services.update', onTarget: [ACT_AS], inProject: [['run.services.update']], target: 'service-account', confidence: 'medium', dependsOn: 'an existing Cloud Run service in the project (the scan does not list services)' },
  { id: GCP_METHOD.actAsCloudBuild, title: 'iam.serviceAccounts.actAs + cloudbuild.builds.create', onTarget: [ACT_AS], inProject: [['cloudbuild.builds.create']], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.actAsDataflow, title: 'iam.serviceAccounts.actAs + dataflow.jobs.create', onTarget: [ACT_AS], inProject: [['dataflow.jobs.create']], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.actAsDataproc, title: 'iam.serviceAccounts.actAs + dataproc.clusters.create', onTarget: [ACT_AS], inProject: [['dataproc.clusters.create']], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.actAsComposer, title: 'iam.serviceAccounts.actAs + composer.environments.create', onTarget: [ACT_AS], inProject: [['composer.environments.create']], target: 'service-account', confidence: 'medium', dependsOn: "write access to the new environment's bucket, to upload a DAG that runs as the account" },
  { id: GCP_METHOD.actAsCloudScheduler, title: 'iam.serviceAccounts.actAs + cloudscheduler.jobs.create', onTarget: [ACT_AS], inProject: [['cloudscheduler.jobs.create']], target: 'service-account', confidence: 'high' },
  { id: GCP_METHOD.implicitDelegation, title: 'iam.serviceAccounts.implicitDelegation', onTarget: ['iam.serviceAccounts.implicitDelegation'], target: 'delegate', confidence: 'high' },
  { id: GCP_METHOD.cloudBuildDefaultAccount, title: 'cloudbuild.builds.create (default Cloud Build account)', onTarget: ['cloudbuild.builds.create'], target: 'project-agent', agent: (n) => `${n}@cloudbuild.gserviceaccount.com`, confidence: 'medium', dependsOn: 'builds still run as the legacy Cloud Build account of the project by default' },
  { id: GCP_METHOD.deploymentManager, title: 'deploymentmanager.deployments.create', onTarget: ['deploymentmanager.deployments.create'], target: 'project-agent', agent: (n) => `${n}@cloudservices.gserviceaccount.com`, confidence: 'medium', dependsOn: 'the Deployment Manager API enabled in the project' },
  { id: GCP_METHOD.projectSetIamPolicy, title: 'resourcemanager.projects.setIamPolicy', onTarget: ['resourcemanager.projects.setIamPolicy'], target: 'project-admin', confidence: 'high' },
  { id: GCP_METHOD.folderSetIamPolicy, title: 'resourcemanager.folders.setIamPolicy', onTarget: ['resourcemanager.folders.setIamPolicy'], target: 'folder-admin', confidence: 'high' },
  { id: GCP_METHOD.organizationSetIamPolicy, title: 'resourcemanager.organizations.setIamPolicy', onTarget: ['resourcemanager.organizations.setIamPolicy'], target: 'organization-admin', confidence: 'high' },
];

/** Methods whose use of a service account's tokens a delegation hub passes on. */
const TOKEN_METHODS = new Set<string>([GCP_METHOD.getAccessToken, GCP_METHOD.workloadIdentity, GCP_METHOD.signJwt, GCP_METHOD.signBlob, GCP_METHOD.implicitDelegation]);

/**
 * The method of an edge out of a hub: not a step of its own but "and so every target below this scope". A path
 * shows the hop into the hub (its method and statements) as the step, with the hub's target as where it lands.
 */
export const GCP_HUB_METHOD = 'gcp-hub';

/**
 * The hub of a scope for one kind of target: `meta:hub:gcp:projects/p:service-accounts` leads to every account of
 * the project, `meta:hub:gcp:folders/1:service-accounts` to the hubs of the folders and projects below, and so on.
 * A delegate hub (`meta:hub:gcp:serviceAccounts/<email>:delegation`) leads to what that account's tokens reach.
 */
export const hubId = (scope: string, family: string) => `meta:hub:gcp:${scope}:${family}`;
const DELEGATION = 'delegation';
const delegateHubId = (email: string) => hubId(`serviceAccounts/${email}`, DELEGATION);
const DELEGATE_PREFIX = 'meta:hub:gcp:serviceAccounts/';
const delegateOf = (hub: string) => (hub.startsWith(DELEGATE_PREFIX) ? hub.slice(DELEGATE_PREFIX.length, -(DELEGATION.length + 1)) : undefined);

/** Which hub family a method's grants over a scope lead into (methods with the same targets share hubs). */
function family(m: GcpMethodSpec): string {
  switch (m.target) {
    case 'service-account':
      return 'service-accounts';
    case 'delegate':
      return 'delegates';
    case 'project-agent':
      return `agent:${m.id}`;
    case 'project-admin':
      return 'project-admins';
    case 'folder-admin':
      return 'folder-admins';
    default:
      return 'organization-admins';
  }
}

/** Google's own service agents (`service-<number>@gcp-sa-….iam.gserviceaccount.com` and the like): never a starting point. */
export function isServiceAgent(id: string): boolean {
  return /^gcp:service-account:(service-\d+@|.*@gcp-sa-)/.test(id);
}

const CALLER_TYPES = new Set(['service-account', 'user', 'group', 'domain', 'wif-principal', 'gke-workload', 'all-users', 'all-authenticated-users']);

type PlanEdge = Omit<BecomeEdge, 'from'>;

const NO_DELEGATES = new Set<string>();
/** stands for "any enabled account below" when pruning delegation hubs before the delegates are known */
const ANY_ACCOUNT = { id: 'any-account', title: '', onTarget: [], target: 'service-account', confidence: 'high' } as const satisfies GcpMethodSpec;
const CUSTOM_ROLE = /^(projects|organizations)\/[^/]+\/roles\//;
const PERMS_OF = new Map(GCP_METHODS.map((m) => [m, [...m.onTarget, ...(m.inProject ?? []).flat()]]));
const roleMethods = new WeakMap<GcpPermissions, Map<string, GcpMethodSpec[]>>();

/** The methods a role holds at least one permission of (memoised per engine). */
function methodsOf(engine: GcpPermissions, role: string): GcpMethodSpec[] {
  let memo = roleMethods.get(engine);
  if (!memo) {
    memo = new Map();
    roleMethods.set(engine, memo);
  }
  let out = memo.get(role);
  if (!out) {
    out = GCP_METHODS.filter((m) => PERMS_OF.get(m)!.some((p) => engine.roleGrants(role, p)));
    memo.set(role, out);
  }
  return out;
}

const kindOf = (resource: string) => resource.slice(0, resource.indexOf('/'));
const rank = (e: { decision: string; confidence: string }) => (e.decision === 'allowed' ? 0 : 2) + (e.confidence === 'high' ? 0 : 1);

function combine(evals: GcpEvaluation[]): Pick<BecomeEdge, 'statements' | 'decision' | 'unknownKeys' | 'confidence'> | undefined {
  if (evals.some((e) => e.decision === 'denied')) return undefined;
  const seen = new Set<string>();
  const statements: StatementRef[] = [];
  for (const e of evals)
    for (const s of e.allows) {
      const k = `${s.policyId}#${s.statementIndex}<${s.via}`;
      if (!seen.has(k)) {
        seen.add(k);
        statements.push(s);
      }
    }
  return {
    statements,
    decision: evals.every((e) => e.decision === 'allowed') ? 'allowed' : 'conditional',
    unknownKeys: [...new Set(evals.flatMap((e) => e.unknownKeys))].sort(),
    confidence: evals.some((e) => e.confidence === 'medium') ? 'medium' : 'high',
  };
}

/** The scan's layout: accounts by project, scopes and their children. Built once per graph. */
class Layout {
  /** project id → enabled customer service accounts in it (emails) */
  readonly accounts = new Map<string, string[]>();
  /** scope → scopes directly below it */
  readonly children = new Map<string, string[]>();
  private readonly leafMemo = new Map<string, boolean>();

  constructor(
    readonly graph: IdentityGraph,
    readonly engine: GcpPermissions,
  ) {
    for (const p of graph.principals()) {
      if (p.platform !== 'gcp' || p.type !== 'service-account' || !isTarget(p)) continue;
      const email = p.id.slice('gcp:service-account:'.length);
      const project = projectOfServiceAccount(p, email);
      if (!project) continue;
      const list = this.accounts.get(project) ?? [];
      list.push(email);
      this.accounts.set(project, list);
    }
    for (const n of graph.nodes.values()) {
      if (n.platform !== 'gcp' || n.kind !== 'resource' || !['project', 'folder', 'organization'].includes(n.type)) continue;
      const scope = resourceOfNode(n.id);
      const parent = scope && engine.parentOf(scope);
      if (!scope || !parent) continue;
      const list = this.children.get(parent) ?? [];
      if (!list.includes(scope)) list.push(scope);
      this.children.set(parent, list);
    }
  }

  projectNumber(project: string): string | undefined {
    const n = this.graph.node(`gcp:project:${project}`)?.attributes?.projectNumber;
    return n === undefined || n === null ? undefined : String(n);
  }

  agentOf(project: string, m: GcpMethodSpec): string | undefined {
    const number = this.projectNumber(project);
    if (!number || !m.agent) return undefined;
    const id = `gcp:service-account:${m.agent(number)}`;
    return this.graph.node(id) ? id : undefined;
  }

  /** Whether anything of `kind` sits at or below `scope`. */
  hasLeaves(scope: string, m: GcpMethodSpec, delegates: Set<string>): boolean {
    const key = `${m.id}|${scope}`;
    const hit = this.leafMemo.get(key);
    if (hit !== undefined) return hit;
    this.leafMemo.set(key, false); // cycle guard
    let out = false;
    if (scope.startsWith('projects/')) {
      const project = scope.slice('projects/'.length);
      if (m.target === 'service-account') out = Boolean(this.accounts.get(project)?.length);
      else if (m.target === 'delegate') out = Boolean(this.accounts.get(project)?.some((e) => delegates.has(e)));
      else if (m.target === 'project-agent') out = Boolean(this.agentOf(project, m));
      else out = m.target === 'project-admin';
    } else if (scope.startsWith('folders/') && m.target === 'folder-admin') out = true;
    else out = (this.children.get(scope) ?? []).some((c) => this.hasLeaves(c, m, delegates));
    this.leafMemo.set(key, out);
    return out;
  }
}

function isTarget(p: PrincipalNode): boolean {
  return !p.disabled && p.accountType !== 'system' && p.attributes?.external !== true && p.attributes?.deleted !== true;
}

interface State {
  graph: IdentityGraph;
  engine: GcpPermissions;
  layout: Layout;
}

const states = new WeakMap<IdentityGraph, { now: number; state: State }>();

/** The permission engine and layout of a graph as of a time (shared by edges(), admins() and the query commands). */
export function gcpState(ctx: Pick<PathContext, 'graph' | 'now'>): State {
  const hit = states.get(ctx.graph);
  if (hit && hit.now === ctx.now.getTime()) return hit.state;
  const engine = new GcpPermissions(ctx.graph, ctx.now);
  const state: State = { graph: ctx.graph, engine, layout: new Layout(ctx.graph, engine) };
  states.set(ctx.graph, { now: ctx.now.getTime(), state });
  return state;
}

/** The members the analysis starts from: GCP principals that hold bindings (Google's service agents and disabled accounts left out). */
function* callers(graph: IdentityGraph, engine: GcpPermissions): Iterable<PrincipalNode> {
  for (const p of graph.principals()) {
    if (p.platform !== 'gcp' || !CALLER_TYPES.has(p.type) || p.disabled || p.attributes?.deleted === true || isServiceAgent(p.id)) continue;
    if (engine.grantsOf(p.id).length) yield p;
  }
}

/** The edges one grant set yields (with a representative member for the evaluations). */
function plan(state: State, memberId: string, memberType: string, usedHubs: Map<string, { scope: string; method: GcpMethodSpec }>): PlanEdge[] {
  const { engine, layout } = state;
  const grants = engine.grantsOf(memberId).filter((g) => g.condition?.result.outcome !== 'false');
  const out: PlanEdge[] = [];
  const federated = memberType === 'wif-principal' || memberType === 'gke-workload';
  const tokenAllowed = new Set<string>();
  /** the best edge (rank) found so far to each target */
  const bestRank = new Map<string, number>();

  /** Where a method used at a scope lands (`use`: the edge is made, so its hub is needed). */
  const targetOf = (scope: string, m: GcpMethodSpec, use: boolean): string | undefined => {
    const kind = kindOf(scope);
    const hub = () => {
      // a scope with nothing of this kind below it (as far as the scan read) leads nowhere (delegates are accounts)
      if (!layout.hasLeaves(scope, m.target === 'delegate' ? ANY_ACCOUNT : m, NO_DELEGATES)) return undefined;
      const id = hubId(scope, family(m));
      if (use) usedHubs.set(id, { scope, method: m });
      return id;
    };
    switch (m.target) {
      case 'service-account':
      case 'delegate':
        if (kind === 'serviceAccounts') {
          const email = scope.slice('serviceAccounts/'.length);
          const node = state.graph.node(`gcp:service-account:${email}`);
          if (node?.kind !== 'principal' || !isTarget(node)) return undefined;
          return m.target === 'delegate' ? delegateHubId(email) : node.id;
        }
        return hub();
      case 'project-agent':
        return kind === 'projects' ? layout.agentOf(scope.slice('projects/'.length), m) : hub();
      case 'project-admin':
        return kind === 'projects' ? adminSinkId('gcp', scope) : hub();
      case 'folder-admin':
        return kind === 'folders' ? adminSinkId('gcp', scope) : hub();
      case 'organization-admin':
        return adminSinkId('gcp', scope);
    }
  };

  const scopeFits = (scope: string, m: GcpMethodSpec): boolean => {
    const kind = kindOf(scope);
    if (kind === 'serviceAccounts') return m.target === 'service-account' || m.target === 'delegate';
    if (m.target === 'folder-admin') return kind === 'folders' || kind === 'organizations';
    if (m.target === 'organization-admin') return kind === 'organizations';
    return kind === 'projects' || kind === 'folders' || kind === 'organizations';
  };

  /** Evaluate a method at a scope; undefined when denied. */
  const decide = (scope: string, m: GcpMethodSpec) => {
    const onTarget = m.onTarget.map((p) => engine.evaluate(memberId, p, scope));
    if (onTarget.some((e) => e.decision === 'denied')) return undefined;
    if (!m.inProject) return { evals: onTarget, result: combine(onTarget)! };
    const projectScope = kindOf(scope) === 'serviceAccounts' ? engine.parentOf(scope) : scope;
    if (!projectScope) return undefined;
    let best: { evals: GcpEvaluation[]; result: NonNullable<ReturnType<typeof combine>> } | undefined;
    for (const alt of m.inProject) {
      const evals = [...onTarget, ...alt.map((p) => engine.evaluate(memberId, p, projectScope))];
      const result = combine(evals);
      if (result && (!best || rank(result) < rank(best.result))) best = { evals, result };
    }
    return best;
  };

  // the scopes where the member holds a role that matters to each method
  const candidatesOf = new Map<GcpMethodSpec, Set<string>>();
  for (const g of grants)
    for (const m of methodsOf(engine, g.role)) {
      if (!scopeFits(g.resource, m)) continue;
      const set = candidatesOf.get(m) ?? new Set<string>();
      set.add(g.resource);
      candidatesOf.set(m, set);
    }

  for (const m of GCP_METHODS) {
    const candidates = candidatesOf.get(m);
    if (!candidates) continue;
    const perms = PERMS_OF.get(m)!;
    const denyAt = engine.denyAttachments(memberId, perms);
    const covered = new Set<string>();
    const ordered = [...candidates].sort((a, b) => engine.ancestry(a).length - engine.ancestry(b).length || (a < b ? -1 : 1));
    const visit = (scope: string) => {
      if (engine.ancestry(scope).some((s) => covered.has(s))) return;
      // a deny attached below this scope: go down to the scopes below instead of the hub of this one
      // (an organization's own policy is not below anything: a deny further down does not touch it)
      const descend = m.target !== 'organization-admin' && /^(folders|organizations)\//.test(scope) && denyAt.some((a) => a !== scope && engine.ancestry(a).includes(scope));
      if (!descend) {
        const to = targetOf(scope, m, false);
        if (!to) return;
        // an earlier method already reaches it as well as this one could: nothing to evaluate (token minting is
        // always decided: it settles whether delegation adds anything)
        const prev = bestRank.get(to);
        if (prev !== undefined && prev <= (m.confidence === 'medium' ? 1 : 0) && m.id !== GCP_METHOD.getAccessToken) {
          covered.add(scope);
          return;
        }
      }
      const d = decide(scope, m);
      if (!d) return;
      if (descend) {
        for (const c of layout.children.get(scope) ?? []) if (scopeFits(c, m)) visit(c);
        return;
      }
      if (m.id === GCP_METHOD.getAccessToken && d.result.decision === 'allowed') tokenAllowed.add(scope);
      if (m.id === GCP_METHOD.implicitDelegation && tokenAllowed.has(scope)) return; // minting tokens already gives all delegation gives
      const to = targetOf(scope, m, true)!;
      if (d.result.decision === 'allowed') covered.add(scope);
      const confidence = m.confidence === 'medium' ? 'medium' : d.result.confidence;
      const id = federated && m.id === GCP_METHOD.getAccessToken ? GCP_METHOD.workloadIdentity : m.id;
      out.push({ to, method: id, statements: d.result.statements, decision: d.result.decision, unknownKeys: d.result.unknownKeys, confidence, ...(m.dependsOn ? { dependsOn: m.dependsOn } : {}), evaluations: d.evals });
      const r = rank({ decision: d.result.decision, confidence });
      if (r < (bestRank.get(to) ?? 4)) bestRank.set(to, r);
    };
    for (const scope of ordered) visit(scope);
  }

  // custom roles the member holds and can update: add any permission to them where they are bound
  for (const g of grants) {
    const roleScope = /^((?:projects|organizations)\/[^/]+)\/roles\//.exec(g.role)?.[1];
    if (!roleScope) continue;
    const ev = engine.evaluate(memberId, 'iam.roles.update', roleScope);
    if (ev.decision === 'denied') continue;
    let to: string | undefined;
    if (g.resource.startsWith('serviceAccounts/')) {
      const node = state.graph.node(`gcp:service-account:${g.resource.slice('serviceAccounts/'.length)}`);
      to = node?.kind === 'principal' && isTarget(node) ? node.id : undefined;
    } else if (/^(projects|folders|organizations)\//.test(g.resource)) to = adminSinkId('gcp', g.resource);
    if (!to) continue;
    const held: StatementRef = { policyId: g.bindingId, policyName: `${g.role} on ${g.resource}`, statementIndex: 0, via: g.via, kind: 'identity', effect: 'Allow' };
    const open = g.condition?.result.outcome === 'unknown';
    out.push({
      to,
      method: GCP_METHOD.customRoleUpdate,
      statements: [...ev.allows, held],
      decision: ev.decision === 'allowed' && !open ? 'allowed' : 'conditional',
      unknownKeys: [...new Set([...ev.unknownKeys, ...(open ? [g.condition!.expression] : [])])].sort(),
      confidence: ev.confidence,
      evaluations: [ev],
    });
  }

  // one edge per target: the first method, and later ones only when they are better (allowed over conditional, high over medium)
  const best = new Map<string, number>();
  return out.filter((e) => {
    const r = rank(e);
    const prev = best.get(e.to);
    if (prev !== undefined && prev <= r) return false;
    best.set(e.to, r);
    return true;
  });
}

function edgesOf(ctx: PathContext): BecomeEdge[] {
  const state = gcpState(ctx);
  const { graph, engine, layout } = state;
  const plans = new Map<string, PlanEdge[]>();
  const usedHubs = new Map<string, { scope: string; method: GcpMethodSpec }>();
  const out: BecomeEdge[] = [];
  let delegation = false;
  for (const p of callers(graph, engine)) {
    // most members hold nothing a method needs: no plan, no key
    if (!engine.grantsOf(p.id).some((g) => methodsOf(engine, g.role).length || CUSTOM_ROLE.test(g.role))) continue;
    const key = `${p.type}|${engine.grantKey(p.id)}`;
    let edges = plans.get(key);
    if (!edges) {
      edges = plan(state, p.id, p.type, usedHubs);
      plans.set(key, edges);
      if (edges.some((e) => e.method === GCP_METHOD.implicitDelegation)) delegation = true;
    }
    for (const e of edges) {
      if (e.to === p.id) continue;
      // the plan was worked out for the first member of the grant set: its evaluations speak for this one under its own name
      const evaluations = e.evaluations?.some((ev) => ev.principalId !== p.id) ? e.evaluations.map((ev) => (ev.principalId === p.id ? ev : { ...ev, principalId: p.id })) : e.evaluations;
      out.push({ from: p.id, ...e, evaluations });
    }
  }

  // delegation: the delegate hub of an account passes on what that account's own tokens reach
  const tokenEdges = new Map<string, BecomeEdge[]>();
  if (delegation)
    for (const e of out) {
      if (!TOKEN_METHODS.has(e.method) || !e.from.startsWith('gcp:service-account:')) continue;
      const list = tokenEdges.get(e.from) ?? [];
      list.push(e);
      tokenEdges.set(e.from, list);
    }
  const delegates = new Set([...tokenEdges.keys()].map((id) => id.slice('gcp:service-account:'.length)));

  // hubs lead to the hubs of the scopes below and, at the bottom, to the targets
  const queue = [...usedHubs.values()];
  const done = new Set<string>();
  const plain = (from: string, to: string): BecomeEdge => ({ from, to, method: GCP_HUB_METHOD, statements: [], decision: 'allowed', unknownKeys: [], confidence: 'high' });
  while (queue.length) {
    const { scope, method: m } = queue.pop()!;
    const from = hubId(scope, family(m));
    if (done.has(from)) continue;
    done.add(from);
    if (scope.startsWith('projects/')) {
      const project = scope.slice('projects/'.length);
      // only service-account and delegate hubs exist at project level
      for (const email of layout.accounts.get(project) ?? []) {
        if (m.target === 'delegate') {
          if (delegates.has(email)) out.push(plain(from, delegateHubId(email)));
        } else out.push(plain(from, `gcp:service-account:${email}`));
      }
      continue;
    }
    for (const child of layout.children.get(scope) ?? []) {
      if (!layout.hasLeaves(child, m, delegates)) continue;
      const ck = kindOf(child);
      let to: string | undefined;
      if (m.target === 'project-admin' && ck === 'projects') to = adminSinkId('gcp', child);
      else if (m.target === 'folder-admin') to = ck === 'folders' ? adminSinkId('gcp', child) : undefined;
      else if (m.target === 'project-agent' && ck === 'projects') to = layout.agentOf(child.slice('projects/'.length), m);
      if (!to) {
        if (m.target === 'folder-admin') continue;
        to = hubId(child, family(m));
        queue.push({ scope: child, method: m });
      }
      out.push(plain(from, to));
    }
  }

  if (!delegation) return out;
  // delegate hubs: what each account's token permissions reach, passed on to whoever may delegate through it
  const delegateHubs = new Set(out.map((e) => e.to).filter((to) => delegateOf(to) !== undefined));
  for (const hub of delegateHubs) {
    const email = delegateOf(hub)!;
    for (const e of tokenEdges.get(`gcp:service-account:${email}`) ?? []) out.push({ ...e, from: hub, method: GCP_METHOD.implicitDelegation });
  }
  // drop the ways into delegation hubs that lead nowhere (an account that can mint nothing; a scope without such accounts)
  let result = out;
  for (;;) {
    const leads = new Set(result.map((e) => e.from));
    const kept = result.filter((e) => !e.to.startsWith('meta:hub:gcp:') || leads.has(e.to));
    if (kept.length === result.length) return result;
    result = kept;
  }
}

function* adminsOf(ctx: PathContext): Iterable<{ id: string; why: string }> {
  const { graph, engine } = gcpState(ctx);
  for (const p of graph.principals()) {
    if (p.platform !== 'gcp' || !CALLER_TYPES.has(p.type) || p.disabled || p.attributes?.deleted === true) continue;
    let best: Grant | undefined;
    for (const g of engine.grantsOf(p.id)) {
      if (g.resource.startsWith('serviceAccounts/')) continue; // a grant on an account is a hop, not power
      if (g.condition && g.condition.result.outcome !== 'true') continue;
      if (!isPrivileged(g.role, ADMIN_ROLE_PATTERN, graph)) continue;
      if (!best || (g.role === 'roles/owner' && best.role !== 'roles/owner')) best = g;
    }
    if (best) yield { id: p.id, why: `holds ${best.role} on ${best.resource}${best.via !== 'direct' ? ` (through ${best.via})` : ''}` };
  }
}

export const gcpProducer: EdgeProducer = {
  id: 'gcp',
  edges: (ctx) => edgesOf(ctx),
  admins: (ctx) => adminsOf(ctx),
};
