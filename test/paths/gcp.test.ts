import { describe, expect, it } from 'vitest';
import { readProjectDir } from '../../connectors/gcp/index.js';
import { mapGcpProject, type GcpProjectData } from '../../connectors/gcp/map.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { GCP_METHOD, GCP_METHODS, gcpProducer } from '../../src/paths/gcp.js';
import { adminSinkId, type BecomeEdge, type PathContext } from '../../src/paths/types.js';
import type { Evaluator } from '../../src/policy/decision.js';
import { ESCALATION_PERMISSIONS } from '../../src/policy/gcp-predefined-roles.js';
import { NOW } from '../rules/builders.js';
import { account, binding, gcpGraph, P, sa, saId } from '../rules/gcp-builders.js';

const ctx = (graph: IdentityGraph): PathContext => ({ graph, now: NOW, evaluator: undefined as unknown as Evaluator });
const edgesOf = (g: IdentityGraph) => [...gcpProducer.edges(ctx(g))];

/** The first hop of a way from `from` to `to` that passes through hubs only (hubs are not steps of their own). */
function hop(edges: BecomeEdge[], from: string, to: string): BecomeEdge | undefined {
  const out = new Map<string, BecomeEdge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  for (const first of out.get(from) ?? []) {
    if (first.to === to) return first;
    if (!first.to.startsWith('meta:hub:')) continue;
    const seen = new Set([first.to]);
    const queue = [first.to];
    while (queue.length) {
      for (const e of out.get(queue.shift()!) ?? []) {
        if (e.to === to) return first;
        if (e.to.startsWith('meta:hub:') && !seen.has(e.to)) {
          seen.add(e.to);
          queue.push(e.to);
        }
      }
    }
  }
  return undefined;
}

/** Several projects mapped into one graph (they share the folders / organization they name). */
function graphOf(...projects: Array<Partial<GcpProjectData> & { projectId: string }>): IdentityGraph {
  return IdentityGraph.from(projects.flatMap((d) => mapGcpProject({ projectNumber: undefined, serviceAccounts: [], keys: {}, saPolicies: {}, roles: [], pools: [], providers: [], ...d }, { now: NOW, source: (w) => `test:${w}` })));
}

const member = (name: string) => `serviceAccount:${sa(name)}`;
const TOKEN = 'roles/iam.serviceAccountTokenCreator';
const USER = 'roles/iam.serviceAccountUser';
const custom = (name: string, ...includedPermissions: string[]) => ({ name: `projects/${P}/roles/${name}`, includedPermissions });
const accounts = [account('app'), account('target'), account('middle')];
/** `role` for app on the target account */
const onTarget = (role: string, extra: Partial<GcpProjectData> = {}): Partial<GcpProjectData> => ({ serviceAccounts: accounts, saPolicies: { [sa('target')]: { bindings: [binding(role, member('app'))] } }, ...extra });
/** actAs on the target account, and `projectRole` (if any) on the project */
const actAs = (projectRole: string | undefined, roles: Array<{ name: string; includedPermissions: string[] }> = [], withActAs = true): Partial<GcpProjectData> => ({
  serviceAccounts: accounts,
  roles,
  saPolicies: withActAs ? { [sa('target')]: { bindings: [binding(USER, member('app'))] } } : {},
  policy: { bindings: projectRole ? [binding(projectRole, member('app'))] : [] },
});
const WIF = 'principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/github/attribute.repository/acme/app';
const GKE = `serviceAccount:${P}.svc.id.goog[apps/web]`;
const CLOUDBUILD = 'serviceAccount:123456789@cloudbuild.gserviceaccount.com';
const CLOUDSERVICES = 'serviceAccount:123456789@cloudservices.gserviceaccount.com';
const SINK = adminSinkId('gcp', `projects/${P}`);

type Row = [label: string, data: Partial<GcpProjectData>, from: string, to: string, method: string];

describe('gcpProducer: one positive and one look-alike negative per method', () => {
  const positives: Row[] = [
    ['token creator on the account', onTarget(TOKEN), saId('app'), saId('target'), GCP_METHOD.getAccessToken],
    ['a federated GitHub repository with workload identity user', { serviceAccounts: accounts, saPolicies: { [sa('target')]: { bindings: [binding('roles/iam.workloadIdentityUser', WIF)] } } }, `gcp:wif-principal:${WIF}`, saId('target'), GCP_METHOD.workloadIdentity],
    ['a GKE workload with workload identity user', { serviceAccounts: accounts, saPolicies: { [sa('target')]: { bindings: [binding('roles/iam.workloadIdentityUser', GKE)] } } }, `gcp:gke-workload:${P}.svc.id.goog[apps/web]`, saId('target'), GCP_METHOD.workloadIdentity],
    ['a custom role with signJwt', onTarget(`projects/${P}/roles/jwt`, { roles: [custom('jwt', 'iam.serviceAccounts.signJwt')] }), saId('app'), saId('target'), GCP_METHOD.signJwt],
    ['a custom role with signBlob', onTarget(`projects/${P}/roles/blob`, { roles: [custom('blob', 'iam.serviceAccounts.signBlob')] }), saId('app'), saId('target'), GCP_METHOD.signBlob],
    ['key admin on the account', onTarget('roles/iam.serviceAccountKeyAdmin'), saId('app'), saId('target'), GCP_METHOD.keyCreate],
    ['service account admin on the account (sets its policy)', onTarget('roles/iam.serviceAccountAdmin'), saId('app'), saId('target'), GCP_METHOD.saSetIamPolicy],
    [
      'implicit delegation through an account that can mint the target’s tokens',
      { serviceAccounts: accounts, roles: [custom('delegate', 'iam.serviceAccounts.implicitDelegation')], saPolicies: { [sa('middle')]: { bindings: [binding(`projects/${P}/roles/delegate`, member('app'))] }, [sa('target')]: { bindings: [binding(TOKEN, member('middle'))] } } },
      saId('app'),
      saId('target'),
      GCP_METHOD.implicitDelegation,
    ],
    ['actAs + Compute Engine instance admin', actAs('roles/compute.instanceAdmin.v1'), saId('app'), saId('target'), GCP_METHOD.actAsCompute],
    ['actAs + Cloud Functions developer', actAs('roles/cloudfunctions.developer'), saId('app'), saId('target'), GCP_METHOD.actAsCloudFunctions],
    ['actAs + updating functions with new source', actAs(`projects/${P}/roles/fnUpdate`, [custom('fnUpdate', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet')]), saId('app'), saId('target'), GCP_METHOD.actAsCloudFunctionsUpdate],
    ['actAs + Cloud Run developer', actAs('roles/run.developer'), saId('app'), saId('target'), GCP_METHOD.actAsRun],
    ['actAs + updating Cloud Run services', actAs(`projects/${P}/roles/runUpdate`, [custom('runUpdate', 'run.services.update')]), saId('app'), saId('target'), GCP_METHOD.actAsRunUpdate],
    ['actAs + Cloud Build editor', actAs('roles/cloudbuild.builds.editor'), saId('app'), saId('target'), GCP_METHOD.actAsCloudBuild],
    ['actAs + creating Dataflow jobs', actAs(`projects/${P}/roles/df`, [custom('df', 'dataflow.jobs.create')]), saId('app'), saId('target'), GCP_METHOD.actAsDataflow],
    ['actAs + Dataproc editor', actAs('roles/dataproc.editor'), saId('app'), saId('target'), GCP_METHOD.actAsDataproc],
    ['actAs + Composer editor', actAs('roles/composer.editor'), saId('app'), saId('target'), GCP_METHOD.actAsComposer],
    ['actAs + Cloud Scheduler admin', actAs('roles/cloudscheduler.admin'), saId('app'), saId('target'), GCP_METHOD.actAsCloudScheduler],
    ['builds run as the legacy Cloud Build account', { serviceAccounts: accounts, policy: { bindings: [binding('roles/cloudbuild.builds.editor', member('app')), binding('roles/cloudbuild.builds.builder', CLOUDBUILD)] } }, saId('app'), 'gcp:service-account:123456789@cloudbuild.gserviceaccount.com', GCP_METHOD.cloudBuildDefaultAccount],
    ['deployments run as the Google APIs service agent', { serviceAccounts: accounts, policy: { bindings: [binding('roles/deploymentmanager.editor', member('app')), binding('roles/editor', CLOUDSERVICES)] } }, saId('app'), 'gcp:service-account:123456789@cloudservices.gserviceaccount.com', GCP_METHOD.deploymentManager],
    ['project IAM admin', { serviceAccounts: accounts, policy: { bindings: [binding('roles/resourcemanager.projectIamAdmin', member('app'))] } }, saId('app'), SINK, GCP_METHOD.projectSetIamPolicy],
    ['folder IAM admin', { serviceAccounts: accounts, ancestors: [{ resource: 'folders/7', policy: { bindings: [binding('roles/resourcemanager.folderIamAdmin', member('app'))] } }] }, saId('app'), adminSinkId('gcp', 'folders/7'), GCP_METHOD.folderSetIamPolicy],
    ['organization admin', { serviceAccounts: accounts, ancestors: [{ resource: 'organizations/9', policy: { bindings: [binding('roles/resourcemanager.organizationAdmin', member('app'))] } }] }, saId('app'), adminSinkId('gcp', 'organizations/9'), GCP_METHOD.organizationSetIamPolicy],
    ['updating a custom role it holds', { serviceAccounts: accounts, roles: [custom('small', 'storage.objects.get')], policy: { bindings: [binding(`projects/${P}/roles/small`, member('app')), binding('roles/iam.roleAdmin', member('app'))] } }, saId('app'), SINK, GCP_METHOD.customRoleUpdate],
  ];
  const negatives: Array<[label: string, data: Partial<GcpProjectData>, from: string, to: string]> = [
    ['an OpenID-token-only custom role (no access token)', onTarget(`projects/${P}/roles/oidc`, { roles: [custom('oidc', 'iam.serviceAccounts.getOpenIdToken')] }), saId('app'), saId('target')],
    ['a federated repository with service account user only (actAs, no token)', { serviceAccounts: accounts, saPolicies: { [sa('target')]: { bindings: [binding(USER, WIF)] } } }, `gcp:wif-principal:${WIF}`, saId('target')],
    ['a GKE workload bound on a disabled account', { serviceAccounts: [account('app'), account('target', { disabled: true })], saPolicies: { [sa('target')]: { bindings: [binding('roles/iam.workloadIdentityUser', GKE)] } } }, `gcp:gke-workload:${P}.svc.id.goog[apps/web]`, saId('target')],
    ['a custom role with get only (no signJwt)', onTarget(`projects/${P}/roles/get`, { roles: [custom('get', 'iam.serviceAccounts.get')] }), saId('app'), saId('target')],
    ['a custom role with getIamPolicy (no signBlob)', onTarget(`projects/${P}/roles/gip`, { roles: [custom('gip', 'iam.serviceAccounts.getIamPolicy')] }), saId('app'), saId('target')],
    ['listing and reading keys (no create)', onTarget(`projects/${P}/roles/keys`, { roles: [custom('keys', 'iam.serviceAccountKeys.list', 'iam.serviceAccountKeys.get')] }), saId('app'), saId('target')],
    ['reading the account’s policy (no set)', onTarget(`projects/${P}/roles/pol`, { roles: [custom('pol', 'iam.serviceAccounts.getIamPolicy')] }), saId('app'), saId('target')],
    [
      'implicit delegation through an account that can mint nothing',
      { serviceAccounts: accounts, roles: [custom('delegate', 'iam.serviceAccounts.implicitDelegation')], saPolicies: { [sa('middle')]: { bindings: [binding(`projects/${P}/roles/delegate`, member('app'))] } } },
      saId('app'),
      saId('target'),
    ],
    ['actAs + instances.create alone (no disks, network, metadata)', actAs(`projects/${P}/roles/vm`, [custom('vm', 'compute.instances.create')]), saId('app'), saId('target')],
    ['actAs + creating a function it cannot invoke', actAs(`projects/${P}/roles/fn`, [custom('fn', 'cloudfunctions.functions.create', 'cloudfunctions.functions.sourceCodeSet')]), saId('app'), saId('target')],
    ['actAs + updating a function without new source', actAs(`projects/${P}/roles/fnUpdate`, [custom('fnUpdate', 'cloudfunctions.functions.update')]), saId('app'), saId('target')],
    ['Cloud Run developer without actAs', actAs('roles/run.developer', [], false), saId('app'), saId('target')],
    ['actAs + reading Cloud Run services', actAs(`projects/${P}/roles/runGet`, [custom('runGet', 'run.services.get')]), saId('app'), saId('target')],
    ['actAs + reading builds', actAs(`projects/${P}/roles/cbGet`, [custom('cbGet', 'cloudbuild.builds.get')]), saId('app'), saId('target')],
    ['creating Dataflow jobs without actAs', actAs(`projects/${P}/roles/df`, [custom('df', 'dataflow.jobs.create')], false), saId('app'), saId('target')],
    ['Dataproc editor without actAs', actAs('roles/dataproc.editor', [], false), saId('app'), saId('target')],
    ['Composer editor without actAs', actAs('roles/composer.editor', [], false), saId('app'), saId('target')],
    ['Cloud Scheduler admin without actAs', actAs('roles/cloudscheduler.admin', [], false), saId('app'), saId('target')],
    ['the Cloud Build account of another project', { serviceAccounts: accounts, policy: { bindings: [binding('roles/cloudbuild.builds.editor', member('app')), binding('roles/cloudbuild.builds.builder', 'serviceAccount:999@cloudbuild.gserviceaccount.com')] } }, saId('app'), 'gcp:service-account:999@cloudbuild.gserviceaccount.com'],
    ['Deployment Manager viewer', { serviceAccounts: accounts, policy: { bindings: [binding('roles/deploymentmanager.viewer', member('app')), binding('roles/editor', CLOUDSERVICES)] } }, saId('app'), 'gcp:service-account:123456789@cloudservices.gserviceaccount.com'],
    ['security reviewer (reads policies)', { serviceAccounts: accounts, policy: { bindings: [binding('roles/iam.securityReviewer', member('app'))] } }, saId('app'), SINK],
    ['folder viewer', { serviceAccounts: accounts, ancestors: [{ resource: 'folders/7', policy: { bindings: [binding('roles/resourcemanager.folderViewer', member('app'))] } }] }, saId('app'), adminSinkId('gcp', 'folders/7')],
    ['organization viewer', { serviceAccounts: accounts, ancestors: [{ resource: 'organizations/9', policy: { bindings: [binding('roles/resourcemanager.organizationViewer', member('app'))] } }] }, saId('app'), adminSinkId('gcp', 'organizations/9')],
    ['role admin holding no custom role', { serviceAccounts: accounts, policy: { bindings: [binding('roles/iam.roleAdmin', member('app'))] } }, saId('app'), SINK],
  ];

  it('covers every method with a positive and a negative', () => {
    const methods = new Set(positives.map((r) => r[4]));
    for (const m of [...GCP_METHODS.map((x) => x.id), GCP_METHOD.workloadIdentity, GCP_METHOD.customRoleUpdate]) expect(methods, m).toContain(m);
    expect(negatives.length).toBeGreaterThanOrEqual(positives.length - 1);
  });

  it.each(positives)('positive: %s', (_l, d, from, to, method) => {
    const e = hop(edgesOf(gcpGraph(d)), from, to);
    expect(e, `${from} → ${to}`).toBeDefined();
    expect(e!.method).toBe(method);
    expect(e!.decision).toBe('allowed');
    expect(e!.statements.length).toBeGreaterThan(0);
  });

  it.each(negatives)('negative: %s', (_l, d, from, to) => {
    expect(hop(edgesOf(gcpGraph(d)), from, to)).toBeUndefined();
  });

  it('every permission a method needs is one the built-in role table was derived for', () => {
    for (const m of GCP_METHODS) for (const p of [...m.onTarget, ...(m.inProject ?? []).flat()]) expect(ESCALATION_PERMISSIONS, `${m.id}: ${p}`).toContain(p);
    expect(ESCALATION_PERMISSIONS).toContain('iam.roles.update');
  });
});

describe('gcpProducer: evidence, conditions, confidence', () => {
  it('names the binding that grants the hop, and the built-in table makes it medium confidence', () => {
    const e = hop(edgesOf(gcpGraph(onTarget(TOKEN))), saId('app'), saId('target'))!;
    expect(e.statements.map((s) => s.policyName)).toEqual([`${TOKEN} on serviceAccounts/${sa('target')}`]);
    expect(e.confidence).toBe('medium');
    expect(e.evaluations?.[0]).toMatchObject({ action: 'iam.serviceAccounts.getAccessToken', decision: 'allowed', fallbackRoles: [TOKEN] });
  });

  it('a role definition read by the scan makes it high confidence', () => {
    const e = hop(edgesOf(gcpGraph(onTarget(TOKEN, { roles: [{ name: TOKEN, includedPermissions: ['iam.serviceAccounts.getAccessToken'] }] }))), saId('app'), saId('target'))!;
    expect(e.confidence).toBe('high');
  });

  it('a method that needs something the scan cannot see is medium confidence and names it', () => {
    const e = hop(edgesOf(gcpGraph(actAs(`projects/${P}/roles/fnUpdate`, [custom('fnUpdate', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet')]))), saId('app'), saId('target'))!;
    expect(e.confidence).toBe('medium');
    expect(e.dependsOn).toMatch(/existing Cloud Function/);
  });

  it('actAs + service names both grants', () => {
    const e = hop(edgesOf(gcpGraph(actAs('roles/run.developer'))), saId('app'), saId('target'))!;
    expect(e.statements.map((s) => s.policyName).sort()).toEqual([`${USER} on serviceAccounts/${sa('target')}`, `roles/run.developer on projects/${P}`]);
  });

  it('an undecidable condition makes the hop conditional, naming the expression', () => {
    const expression = 'resource.name.endsWith("target")';
    const d = { serviceAccounts: accounts, saPolicies: { [sa('target')]: { bindings: [{ role: TOKEN, members: [member('app')], condition: { title: 'narrow', expression } }] } } };
    const e = hop(edgesOf(gcpGraph(d)), saId('app'), saId('target'))!;
    expect(e.decision).toBe('conditional');
    expect(e.unknownKeys).toEqual([expression]);
  });

  it('an expired grant is no hop; one still valid is', () => {
    const grant = (expression: string) => ({ serviceAccounts: accounts, saPolicies: { [sa('target')]: { bindings: [{ role: TOKEN, members: [member('app')], condition: { title: 'temp', expression } }] } } });
    expect(hop(edgesOf(gcpGraph(grant('request.time < timestamp("2026-01-01T00:00:00Z")'))), saId('app'), saId('target'))).toBeUndefined();
    expect(hop(edgesOf(gcpGraph(grant('request.time < timestamp("2027-01-01T00:00:00Z")'))), saId('app'), saId('target'))?.decision).toBe('allowed');
  });

  it('a deny policy on the caller removes the hop', () => {
    const d = onTarget('roles/iam.serviceAccountKeyAdmin', {
      denyPolicies: [{ name: `policies/cloudresourcemanager.googleapis.com%2Fprojects%2F${P}/denypolicies/no-keys`, rules: [{ denyRule: { deniedPrincipals: [`principal://iam.googleapis.com/projects/-/serviceAccounts/${sa('app')}`], deniedPermissions: ['iam.googleapis.com/serviceAccountKeys.create'] } }] }],
    });
    expect(hop(edgesOf(gcpGraph(d)), saId('app'), saId('target'))).toBeUndefined();
  });

  it('actAs in one project and the service in another is no hop (the service runs in the account’s project)', () => {
    const g = graphOf(
      { projectId: 'proj-a', serviceAccounts: [{ email: 'runner@proj-a.iam.gserviceaccount.com', projectId: 'proj-a' }], policy: { bindings: [binding(USER, 'user:dev@acme.example')] } },
      { projectId: 'proj-b', serviceAccounts: [{ email: 'other@proj-b.iam.gserviceaccount.com', projectId: 'proj-b' }], policy: { bindings: [binding('roles/run.developer', 'user:dev@acme.example')] } },
    );
    const edges = edgesOf(g);
    expect(hop(edges, 'gcp:user:dev@acme.example', 'gcp:service-account:runner@proj-a.iam.gserviceaccount.com')).toBeUndefined();
    expect(hop(edges, 'gcp:user:dev@acme.example', 'gcp:service-account:other@proj-b.iam.gserviceaccount.com')).toBeUndefined();
  });

  it('Google’s service agents are not starting points', () => {
    const agent = 'serviceAccount:service-123456789@gcp-sa-pubsub.iam.gserviceaccount.com';
    const edges = edgesOf(gcpGraph({ serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, agent)] } }));
    expect(edges.filter((e) => e.from === 'gcp:service-account:service-123456789@gcp-sa-pubsub.iam.gserviceaccount.com')).toEqual([]);
  });
});

describe('gcpProducer: hubs keep the edges linear', () => {
  it('N members with project-wide token creator: N edges into one hub, one edge per account out of it', () => {
    const callers = Array.from({ length: 6 }, (_, i) => `user:dev${i}@acme.example`);
    const targets = Array.from({ length: 9 }, (_, i) => account(`svc${i}`));
    const edges = edgesOf(gcpGraph({ serviceAccounts: targets, policy: { bindings: [binding(TOKEN, ...callers)] } }));
    const hub = `meta:hub:gcp:projects/${P}:service-accounts`;
    expect(edges.filter((e) => e.to === hub)).toHaveLength(callers.length);
    expect(edges.filter((e) => e.from === hub)).toHaveLength(targets.length);
    expect(edges).toHaveLength(callers.length + targets.length);
    for (const c of callers) for (const t of targets) expect(hop(edges, `gcp:user:${c.slice(5)}`, `gcp:service-account:${t.email}`)?.method).toBe(GCP_METHOD.getAccessToken);
  });

  it('members sharing a grant set share the plan, each edge with evaluations under its own member', () => {
    const edges = edgesOf(gcpGraph({ serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, 'user:a@acme.example', 'user:b@acme.example')] } }));
    const into = edges.filter((e) => e.to === `meta:hub:gcp:projects/${P}:service-accounts`);
    expect(into.map((e) => e.from).sort()).toEqual(['gcp:user:a@acme.example', 'gcp:user:b@acme.example']);
    for (const e of into) expect(e.evaluations?.map((ev) => ev.principalId)).toEqual([e.from]);
  });

  it('a scope with no account below it leads nowhere (no dead-end hub)', () => {
    const edges = edgesOf(graphOf({ projectId: 'empty', ancestors: [{ resource: 'folders/7', policy: { bindings: [binding(TOKEN, 'user:dev@acme.example')] } }] }));
    expect(edges).toEqual([]);
  });

  it('a grant on a folder reaches the accounts of every project below it, through the project hubs', () => {
    const ancestors = [{ resource: 'folders/7', policy: { bindings: [binding(TOKEN, 'user:dev@acme.example')] } }];
    const g = graphOf({ projectId: 'proj-a', serviceAccounts: [{ email: 'a@proj-a.iam.gserviceaccount.com', projectId: 'proj-a' }], ancestors }, { projectId: 'proj-b', serviceAccounts: [{ email: 'b@proj-b.iam.gserviceaccount.com', projectId: 'proj-b' }], ancestors });
    const edges = edgesOf(g);
    expect(edges.filter((e) => e.from === 'gcp:user:dev@acme.example').map((e) => e.to)).toEqual(['meta:hub:gcp:folders/7:service-accounts']);
    expect(edges.filter((e) => e.from === 'meta:hub:gcp:folders/7:service-accounts').map((e) => e.to).sort()).toEqual(['meta:hub:gcp:projects/proj-a:service-accounts', 'meta:hub:gcp:projects/proj-b:service-accounts']);
    expect(hop(edges, 'gcp:user:dev@acme.example', 'gcp:service-account:a@proj-a.iam.gserviceaccount.com')).toBeDefined();
    expect(hop(edges, 'gcp:user:dev@acme.example', 'gcp:service-account:b@proj-b.iam.gserviceaccount.com')).toBeDefined();
  });

  it('a deny attached to one project below the folder: the other project is still reached, that one not', () => {
    const ancestors = [{ resource: 'folders/7', policy: { bindings: [binding(TOKEN, 'user:dev@acme.example')] } }];
    const denyPolicies = [{ name: 'policies/cloudresourcemanager.googleapis.com%2Fprojects%2Fproj-a/denypolicies/guard', rules: [{ denyRule: { deniedPrincipals: ['principal://goog/subject/dev@acme.example'], deniedPermissions: ['iam.googleapis.com/serviceAccounts.*'] } }] }];
    const g = graphOf({ projectId: 'proj-a', serviceAccounts: [{ email: 'a@proj-a.iam.gserviceaccount.com', projectId: 'proj-a' }], ancestors, denyPolicies }, { projectId: 'proj-b', serviceAccounts: [{ email: 'b@proj-b.iam.gserviceaccount.com', projectId: 'proj-b' }], ancestors });
    const edges = edgesOf(g);
    expect(hop(edges, 'gcp:user:dev@acme.example', 'gcp:service-account:a@proj-a.iam.gserviceaccount.com')).toBeUndefined();
    expect(hop(edges, 'gcp:user:dev@acme.example', 'gcp:service-account:b@proj-b.iam.gserviceaccount.com')?.method).toBe(GCP_METHOD.getAccessToken);
  });

  it('project IAM admin over a folder: the admin sink of each project below', () => {
    const ancestors = [{ resource: 'folders/7', policy: { bindings: [binding('roles/resourcemanager.projectIamAdmin', 'user:dev@acme.example')] } }];
    const edges = edgesOf(graphOf({ projectId: 'proj-a', ancestors }, { projectId: 'proj-b', ancestors }));
    for (const p of ['proj-a', 'proj-b']) expect(hop(edges, 'gcp:user:dev@acme.example', adminSinkId('gcp', `projects/${p}`))?.method).toBe(GCP_METHOD.projectSetIamPolicy);
    expect(hop(edges, 'gcp:user:dev@acme.example', adminSinkId('gcp', 'folders/7'))).toBeUndefined();
  });
});

describe('gcpProducer.admins', () => {
  const admins = (d: Partial<GcpProjectData>) => new Map([...gcpProducer.admins(ctx(gcpGraph(d)))].map((a) => [a.id, a.why]));
  it.each<[string, Partial<GcpProjectData>, string | undefined]>([
    ['owner', { serviceAccounts: accounts, policy: { bindings: [binding('roles/owner', member('app'))] } }, `holds roles/owner on projects/${P}`],
    ['editor', { serviceAccounts: accounts, policy: { bindings: [binding('roles/editor', member('app'))] } }, `holds roles/editor on projects/${P}`],
    ['a predefined *Admin role', { serviceAccounts: accounts, policy: { bindings: [binding('roles/storage.admin', member('app'))] } }, `holds roles/storage.admin on projects/${P}`],
    ['a custom role that sets project IAM policies', { serviceAccounts: accounts, roles: [custom('iam', 'resourcemanager.projects.setIamPolicy')], policy: { bindings: [binding(`projects/${P}/roles/iam`, member('app'))] } }, `holds projects/${P}/roles/iam on projects/${P}`],
    ['owner inherited from the organization', { serviceAccounts: accounts, ancestors: [{ resource: 'organizations/9', policy: { bindings: [binding('roles/owner', member('app'))] } }] }, 'holds roles/owner on organizations/9'],
    ['a valid time-bound grant', { serviceAccounts: accounts, policy: { bindings: [{ role: 'roles/owner', members: [member('app')], condition: { title: 'until', expression: 'request.time < timestamp("2027-01-01T00:00:00Z")' } }] } }, `holds roles/owner on projects/${P}`],
    ['viewer is not admin', { serviceAccounts: accounts, policy: { bindings: [binding('roles/viewer', member('app'))] } }, undefined],
    ['an admin role on an account only (a hop, not power)', { serviceAccounts: accounts, saPolicies: { [sa('target')]: { bindings: [binding('roles/iam.serviceAccountAdmin', member('app'))] } } }, undefined],
    ['an expired owner grant', { serviceAccounts: accounts, policy: { bindings: [{ role: 'roles/owner', members: [member('app')], condition: { title: 'until', expression: 'request.time < timestamp("2026-01-01T00:00:00Z")' } }] } }, undefined],
    ['an owner grant under an undecidable condition (its hops are conditional instead)', { serviceAccounts: accounts, policy: { bindings: [{ role: 'roles/owner', members: [member('app')], condition: { title: 'tag', expression: "resource.matchTag('1/env', 'dev')" } }] } }, undefined],
    ['a disabled owner account', { serviceAccounts: [account('app', { disabled: true })], policy: { bindings: [binding('roles/owner', member('app'))] } }, undefined],
  ])('%s', (_l, d, why) => {
    expect(admins(d).get(saId('app'))).toBe(why);
  });
});

describe('the demo project (examples/demo/gcp)', () => {
  const data = readProjectDir('examples/demo/gcp/acme-prod-data');
  const g = IdentityGraph.from(mapGcpProject(data, { now: NOW, source: (w) => `file:${w}` }));
  const edges = edgesOf(g);
  const admins = new Map([...gcpProducer.admins(ctx(g))].map((a) => [a.id, a.why]));
  const id = (name: string) => `gcp:service-account:${name}@acme-prod-data.iam.gserviceaccount.com`;

  it('monitoring can become ci-legacy, which holds an admin role', () => {
    const e = hop(edges, id('monitoring'), id('ci-legacy'))!;
    expect(e).toMatchObject({ method: GCP_METHOD.getAccessToken, decision: 'allowed', confidence: 'medium' });
    expect(e.statements.map((s) => s.policyId)).toEqual([`gcp:binding:serviceAccounts/${'ci-legacy@acme-prod-data.iam.gserviceaccount.com'}/roles/iam.serviceAccountTokenCreator`]);
    expect(admins.get(id('ci-legacy'))).toBe('holds roles/storage.admin on projects/acme-prod-data');
    expect(admins.has(id('monitoring'))).toBe(false);
  });

  it('the look-alikes do not escalate: actAs alone (bob on etl-runner), plain data roles', () => {
    expect(edges.filter((e) => e.from === 'gcp:user:bob@acme.example')).toEqual([]);
    for (const name of ['etl-runner', 'report-viewer', 'backup']) expect(edges.filter((e) => e.from === id(name))).toEqual([]);
  });

  it('the federated repository becomes the deployer; the data-eng group mints tokens project-wide', () => {
    const wif = 'gcp:wif-principal:principalSet://iam.googleapis.com/projects/412345678901/locations/global/workloadIdentityPools/github/attribute.repository/acme/app';
    expect(hop(edges, wif, id('deployer'))?.method).toBe(GCP_METHOD.workloadIdentity);
    expect(hop(edges, 'gcp:group:data-eng@acme.example', id('ci-legacy'))?.method).toBe(GCP_METHOD.getAccessToken);
  });
});
