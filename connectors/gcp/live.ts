/**
 * Live Google Cloud scan: reads each project through the Google clients (see clients.ts) into the same
 * `GcpProjectData` shape the offline exports give, so map.ts makes the same graph from both.
 *
 * Per project: project metadata and IAM policy (Resource Manager v3), service accounts with their keys and IAM
 * policies, custom roles (IAM v1), workload identity pools and providers (IAM v1beta), deny policies (IAM v2),
 * Policy Analyzer last-authentication activity, Recommender role recommendations and service-account insights.
 * Then, once for all projects: the IAM policies of every folder and organization above them, and the definitions
 * (permissions) of every role bound anywhere. Calls run under one concurrency bound; whatever cannot be read becomes
 * one coverage note per operation and project, and the rest of the scan goes on.
 */
import pLimit from 'p-limit';
import type { ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, ScanTarget } from '../../src/model/types.js';
import { classifyGcpError, type GcpClients, type GcpErrorInfo } from './clients.js';
import { CONNECTOR_ID, rolesBoundIn, type GcpActivity, type GcpInsight, type GcpKey, type GcpPolicy, type GcpProjectData, type GcpRecommendation, type GcpRole, type GcpServiceAccount, type GcpWifPool, type GcpWifProvider } from './map.js';

/** A protobuf Struct / Value as the gax clients return it (`{fields: {k: {stringValue}}}`) → plain JSON. */
export function structToJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('fields' in o && o.fields && typeof o.fields === 'object' && !Array.isArray(o.fields)) {
    return Object.fromEntries(Object.entries(o.fields as Record<string, unknown>).map(([k, x]) => [k, valueToJson(x)]));
  }
  return o;
}
function valueToJson(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const o = v as { kind?: string; nullValue?: unknown; numberValue?: number; stringValue?: string; boolValue?: boolean; structValue?: unknown; listValue?: { values?: unknown[] } };
  const kind = o.kind ?? (['stringValue', 'numberValue', 'boolValue', 'structValue', 'listValue', 'nullValue'] as const).find((k) => o[k] !== undefined && o[k] !== null);
  switch (kind) {
    case 'stringValue':
      return o.stringValue;
    case 'numberValue':
      return o.numberValue;
    case 'boolValue':
      return o.boolValue;
    case 'structValue':
      return structToJson(o.structValue);
    case 'listValue':
      return (o.listValue?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

/** A protobuf Timestamp (`{seconds, nanos}`, seconds possibly a string or Long) → RFC 3339, as the REST API prints it. */
export function timestampToIso(t: unknown): string | undefined {
  if (typeof t === 'string') return t;
  if (!t || typeof t !== 'object') return undefined;
  const s = Number(String((t as { seconds?: unknown }).seconds ?? 0));
  const n = Number((t as { nanos?: unknown }).nanos ?? 0);
  if (!Number.isFinite(s)) return undefined;
  return new Date(s * 1000 + Math.floor(n / 1e6)).toISOString();
}
/** A protobuf Duration → `"7776000s"`, as the REST API prints it. */
export function durationToString(d: unknown): string | undefined {
  if (typeof d === 'string') return d;
  if (!d || typeof d !== 'object') return undefined;
  return `${String((d as { seconds?: unknown }).seconds ?? 0)}s`;
}

/** gax policy → the JSON shape gcloud prints (bindings with conditions; defaulted empty strings dropped). */
function policyJson(p: unknown): GcpPolicy {
  const pol = (p ?? {}) as { version?: number; bindings?: Array<{ role?: string; members?: string[]; condition?: Record<string, string> | null }> };
  return {
    version: pol.version,
    bindings: (pol.bindings ?? []).map((b) => {
      const condition = b.condition ? Object.fromEntries(Object.entries(b.condition).filter(([, v]) => typeof v === 'string' && v !== '')) : undefined;
      return { role: b.role ?? '', members: b.members ?? [], ...(condition && Object.keys(condition).length ? { condition } : {}) };
    }),
  };
}

/** What is missing when an operation fails, and which IAM permission reads it. */
const IMPACT = {
  'resourcemanager.projects.get': { impact: 'the project number and parent are unknown, so folder and organization policies above it are not read', permission: 'resourcemanager.projects.get' },
  'resourcemanager.projects.getIamPolicy': { impact: 'project-level role bindings are missing: privileged and broad grants on the project are not judged', permission: 'resourcemanager.projects.getIamPolicy' },
  'resourcemanager.folders.get': { impact: 'the folder chain above the project stops here: policies further up are not read', permission: 'resourcemanager.folders.get' },
  'resourcemanager.folders.getIamPolicy': { impact: 'role bindings inherited from this folder are missing', permission: 'resourcemanager.folders.getIamPolicy' },
  'resourcemanager.organizations.getIamPolicy': { impact: 'role bindings inherited from the organization are missing', permission: 'resourcemanager.organizations.getIamPolicy' },
  'resourcemanager.projects.list': { impact: 'projects under this parent are not discovered', permission: 'resourcemanager.projects.list' },
  'resourcemanager.folders.list': { impact: 'folders under this parent (and their projects) are not discovered', permission: 'resourcemanager.folders.list' },
  'iam.serviceAccounts.list': { impact: 'the project\'s service accounts (and their keys and impersonation grants) are missing', permission: 'iam.serviceAccounts.list' },
  'iam.serviceAccounts.keys.list': { impact: 'keys of the affected service accounts are missing: key age and key rules cannot run for them', permission: 'iam.serviceAccountKeys.list' },
  'iam.serviceAccounts.getIamPolicy': { impact: 'who may impersonate the affected service accounts is unknown', permission: 'iam.serviceAccounts.getIamPolicy' },
  'iam.projects.roles.list': { impact: 'custom role definitions (permissions) of the project are missing', permission: 'iam.roles.list' },
  'iam.roles.get': { impact: 'the permissions of the affected roles are unknown (bindings are still judged by role name)', permission: 'iam.roles.get' },
  'iam.workloadIdentityPools.list': { impact: 'workload identity pools and providers are missing: federation from CI cannot be judged', permission: 'iam.workloadIdentityPools.list' },
  'iam.workloadIdentityPoolProviders.list': { impact: 'the providers of the affected pools are missing: wif-provider-unconditioned cannot run for them', permission: 'iam.workloadIdentityPoolProviders.list' },
  'iam.denypolicies.list': { impact: 'deny policies on the project are not shown', permission: 'iam.denypolicies.list and iam.denypolicies.get' },
  'policyanalyzer.activities.query': { impact: 'last authentication of service accounts and keys is unknown: identity-unused and credential-unused make no claim here', permission: 'policyanalyzer.serviceAccountLastAuthenticationActivities.query and policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query' },
  'recommender.recommendations.list': { impact: 'role recommendations are missing: unused-role-grants makes no claim here', permission: 'recommender.iamPolicyRecommendations.list' },
  'recommender.insights.list': { impact: 'service-account usage insights are missing', permission: 'recommender.iamServiceAccountinsights.list' },
} satisfies Record<string, { impact: string; permission: string }>;
type Op = keyof typeof IMPACT;

/** Failures folded to one note per operation and project, however many calls failed. */
export class GcpFailures {
  private readonly byKey = new Map<string, { op: Op; scope: string; info: GcpErrorInfo; count: number; subjects: string[] }>();

  record(op: Op, scope: string, subject: string, err: unknown): GcpErrorInfo {
    const info = classifyGcpError(err);
    const key = `${op}|${scope}|${info.reason}`;
    const cur = this.byKey.get(key);
    if (cur) {
      cur.count++;
      if (cur.subjects.length < 3) cur.subjects.push(subject);
    } else this.byKey.set(key, { op, scope, info, count: 1, subjects: [subject] });
    return info;
  }

  /** was this operation refused for this scope (denied or API disabled)? the remaining calls are skipped */
  refused(op: Op, scope: string): boolean {
    return this.byKey.has(`${op}|${scope}|permission-denied`) || this.byKey.has(`${op}|${scope}|api-disabled`);
  }

  /**
   * One note per operation and reason. A failure in one project names it (and is scoped to it); the same failure in
   * several projects (an API off across an organization) is one note listing them, so an organization scan's report
   * is not drowned in repeats.
   */
  notes(projectNumbers: ReadonlyMap<string, string> = new Map()): CoverageNote[] {
    const groups = new Map<string, Array<{ op: Op; scope: string; info: GcpErrorInfo; count: number; subjects: string[] }>>();
    for (const e of this.byKey.values()) {
      const k = `${e.op}|${e.info.reason}`;
      groups.set(k, [...(groups.get(k) ?? []), e]);
    }
    const out: CoverageNote[] = [];
    for (const entries of groups.values()) {
      entries.sort((a, b) => a.scope.localeCompare(b.scope));
      const { op, info } = entries[0];
      const { impact, permission } = IMPACT[op];
      const api = info.service ?? `${op.split('.')[0]}.googleapis.com`;
      const scopes = entries.map((e) => e.scope);
      const inWhat = scopes.length === 1 ? scopes[0] : `${scopes.length} ${scopes.every((x) => !x.includes('/')) ? 'projects' : 'places'} (${scopes.slice(0, 5).join(', ')}${scopes.length > 5 ? ` and ${scopes.length - 5} more` : ''})`;
      const what =
        info.reason === 'api-disabled'
          ? quotaProjectHint(api, inWhat, op, scopes.flatMap((x) => [x, projectNumbers.get(x) ?? x]), entries.map((e) => e.info.consumer))
          : info.reason === 'permission-denied'
            ? `${op} was denied (${info.code})${scopes.length > 1 ? ` in ${inWhat}` : ''}; grant ${permission} to read it`
            : info.reason === 'throttled'
              ? `${op} stayed throttled after retries (${info.code})${scopes.length > 1 ? ` in ${inWhat}` : ''}`
              : info.reason === 'not-found'
                ? `${op} found nothing (${info.text})${scopes.length > 1 ? ` in ${inWhat}` : ''}`
                : `${op} failed (${info.code}: ${info.text})${scopes.length > 1 ? ` in ${inWhat}` : ''}`;
      let where = '';
      if (scopes.length === 1) {
        const { count, subjects, scope } = entries[0];
        where = count > 1 ? ` for ${count} calls (first: ${subjects.join(', ')})` : subjects[0] && subjects[0] !== scope ? ` for ${subjects[0]}` : '';
      }
      const note: CoverageNote = { connector: CONNECTOR_ID, source: op, reason: info.reason, message: `${what}${where}`.replace(/\s+/g, ' '), impact, incomplete: true };
      if (scopes.length === 1) note.scope = scopes[0];
      out.push(note);
    }
    return out.sort((a, b) => (a.scope ?? '').localeCompare(b.scope ?? '') || a.source.localeCompare(b.source));
  }
}

/** gcloud's own OAuth client project: user ADC without a quota project bills calls there */
const GCLOUD_CLIENT_PROJECT = 'projects/764086051850';

/**
 * "API disabled" names the project the call was billed to. When that is not a scanned project (user credentials bill
 * gcloud's client project, or the quota project set for them), enabling the API on the scanned project will not help.
 */
function quotaProjectHint(api: string, inWhat: string, op: string, scanned: string[], consumers: Array<string | undefined>): string {
  const foreign = [...new Set(consumers.filter((c): c is string => Boolean(c) && !scanned.some((s) => c === `projects/${s}`)))];
  if (foreign.includes(GCLOUD_CLIENT_PROJECT)) {
    return `${api} refused the calls for ${inWhat}: they were billed to gcloud's own project (${GCLOUD_CLIENT_PROJECT}) because the credentials have no quota project; run \`gcloud auth application-default set-quota-project PROJECT\` (or set GOOGLE_CLOUD_QUOTA_PROJECT) with a project where ${api} is enabled`;
  }
  const billed = foreign.length === 1 && /^projects\/\d+$/.test(foreign[0]) ? ` (calls billed to ${foreign[0]}: enable it there, or change the quota project)` : '';
  return `${api} is disabled in ${inWhat}${billed}: ${op} cannot run (enable the API to get this data)`;
}

interface Run {
  c: GcpClients;
  ctx: ScanContext;
  failures: GcpFailures;
  limit: ReturnType<typeof pLimit>;
  /** ancestor policies and role definitions, shared by all projects */
  ancestorPolicy: Map<string, Promise<GcpPolicy | undefined>>;
  folderParent: Map<string, Promise<string | undefined>>;
  /** the v1beta workload identity API answered "no such method": use the GA v1 REST API from then on */
  wifV1: boolean;
  /** project id → number, as read (errors name projects by number) */
  numbers: Map<string, string>;
}

/**
 * Did the v1beta workload identity API answer as if it did not exist (404, 501)? Falling back on a 404 that was about
 * the project instead costs one call that fails the same way.
 */
function versionGone(err: unknown): boolean {
  const status = classifyGcpError(err).status;
  return status === 404 || status === 501;
}

/**
 * Workload identity pools through `@google-cloud/iam` (v1beta, gax). Should Google retire v1beta, the same data comes
 * from the GA v1 REST API of `@googleapis/iam`.
 */
async function listPools(r: Run, loc: string): Promise<GcpWifPool[]> {
  if (!r.wifV1) {
    try {
      return (await drain(r.c.pools.listWorkloadIdentityPoolsAsync({ parent: loc, pageSize: 100 }, NO_AUTOPAGINATE))) as GcpWifPool[];
    } catch (err) {
      if (!versionGone(err)) throw err;
      r.wifV1 = true;
      r.ctx.log.debug('gcp: the v1beta workload identity API is not there; reading pools through v1');
    }
  }
  return restPages(async (pageToken) => {
    const res = await r.c.iam.projects.locations.workloadIdentityPools.list({ parent: loc, pageSize: 100, pageToken });
    return { items: (res.data.workloadIdentityPools ?? []) as GcpWifPool[], next: res.data.nextPageToken };
  });
}

async function listProviders(r: Run, pool: string): Promise<unknown[]> {
  if (!r.wifV1) return drain(r.c.pools.listWorkloadIdentityPoolProvidersAsync({ parent: pool, pageSize: 100 }, NO_AUTOPAGINATE));
  return restPages(async (pageToken) => {
    const res = await r.c.iam.projects.locations.workloadIdentityPools.providers.list({ parent: pool, pageSize: 100, pageToken });
    return { items: res.data.workloadIdentityPoolProviders ?? [], next: res.data.nextPageToken };
  });
}

/** Every page of a REST list, page token after page token. */
async function restPages<T>(fetchPage: (pageToken?: string) => Promise<{ items: T[]; next?: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    out.push(...page.items);
    token = page.next ?? undefined;
  } while (token);
  return out;
}

/** One API call under the concurrency bound; a failure is recorded and gives undefined. */
async function call<T>(r: Run, op: Op, scope: string, subject: string, fn: () => Promise<T>): Promise<T | undefined> {
  if (r.failures.refused(op, scope)) return undefined;
  try {
    return await r.limit(fn);
  } catch (err) {
    if (r.ctx.signal?.aborted) throw err;
    r.failures.record(op, scope, subject, err);
    return undefined;
  }
}

/** gax's async iterators page on demand; autoPaginate left on only makes it warn */
const NO_AUTOPAGINATE = { autoPaginate: false };

/** Every item of a gax list, page by page (the clients' async iterators fetch the next page on demand). */
async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** All pages of a googleapis list, as one call: a list is read whole or recorded as failed. */
function pages<T>(r: Run, op: Op, scope: string, subject: string, fetchPage: (pageToken?: string) => Promise<{ items: T[]; next?: string | null }>): Promise<T[] | undefined> {
  return call(r, op, scope, subject, () => restPages(fetchPage));
}

async function ancestorsOf(r: Run, parent: string | undefined): Promise<Array<{ resource: string; policy: GcpPolicy }>> {
  const out: Array<{ resource: string; policy: GcpPolicy }> = [];
  const seen = new Set<string>();
  let cur = parent;
  while (cur && !seen.has(cur) && /^(folders|organizations)\/[^/]+$/.test(cur)) {
    seen.add(cur);
    const resource = cur;
    const isFolder = resource.startsWith('folders/');
    if (!r.ancestorPolicy.has(resource)) {
      r.ancestorPolicy.set(
        resource,
        isFolder
          ? call(r, 'resourcemanager.folders.getIamPolicy', resource, resource, async () => policyJson((await r.c.folders.getIamPolicy({ resource, options: { requestedPolicyVersion: 3 } }))[0]))
          : call(r, 'resourcemanager.organizations.getIamPolicy', resource, resource, async () => policyJson((await r.c.organizations.getIamPolicy({ resource, options: { requestedPolicyVersion: 3 } }))[0])),
      );
    }
    const pol = await r.ancestorPolicy.get(resource)!;
    if (pol) out.push({ resource, policy: pol });
    if (!isFolder) break;
    if (!r.folderParent.has(resource)) {
      r.folderParent.set(resource, call(r, 'resourcemanager.folders.get', resource, resource, async () => (await r.c.folders.getFolder({ name: resource }))[0].parent ?? undefined).then((p) => p || undefined));
    }
    cur = await r.folderParent.get(resource)!;
  }
  return out;
}

/** Read one project. Never throws for an API error: what fails is recorded in `r.failures`. */
async function collectProject(r: Run, projectId: string): Promise<GcpProjectData> {
  const { c, ctx } = r;
  const scope = projectId;
  const projectName = `projects/${projectId}`;
  const loc = `${projectName}/locations/global`;
  // the two activity queries run one after the other: when the API is off or denied, the second is not sent
  const saActivityP = activities(r, scope, 'serviceAccountLastAuthentication');
  const [project, policy, accounts, customRoles, pools, denyList, saActivity, keyActivity, recommendations, insights] = await Promise.all([
    call(r, 'resourcemanager.projects.get', scope, scope, async () => (await c.projects.getProject({ name: projectName }))[0]),
    call(r, 'resourcemanager.projects.getIamPolicy', scope, scope, async () => policyJson((await c.projects.getIamPolicy({ resource: projectName, options: { requestedPolicyVersion: 3 } }))[0])),
    pages<GcpServiceAccount>(r, 'iam.serviceAccounts.list', scope, scope, async (pageToken) => {
      const res = await c.iam.projects.serviceAccounts.list({ name: projectName, pageSize: 100, pageToken });
      return { items: (res.data.accounts ?? []) as GcpServiceAccount[], next: res.data.nextPageToken };
    }),
    pages<GcpRole>(r, 'iam.projects.roles.list', scope, scope, async (pageToken) => {
      const res = await c.iam.projects.roles.list({ parent: projectName, view: 'FULL', pageSize: 1000, pageToken });
      return { items: (res.data.roles ?? []) as GcpRole[], next: res.data.nextPageToken };
    }),
    call(r, 'iam.workloadIdentityPools.list', scope, scope, () => listPools(r, loc)),
    call(r, 'iam.denypolicies.list', scope, scope, () => drain(c.deny.listPoliciesAsync({ parent: `policies/${encodeURIComponent(`cloudresourcemanager.googleapis.com/projects/${projectId}`)}/denypolicies`, pageSize: 1000 }, NO_AUTOPAGINATE))),
    saActivityP,
    saActivityP.then(() => activities(r, scope, 'serviceAccountKeyLastAuthentication')),
    call(r, 'recommender.recommendations.list', scope, scope, () => drain(c.recommender.listRecommendationsAsync({ parent: `${loc}/recommenders/google.iam.policy.Recommender`, pageSize: 1000 }, NO_AUTOPAGINATE))),
    call(r, 'recommender.insights.list', scope, scope, () => drain(c.recommender.listInsightsAsync({ parent: `${loc}/insightTypes/google.iam.serviceAccount.Insight`, pageSize: 1000 }, NO_AUTOPAGINATE))),
  ]);
  const serviceAccounts = accounts ?? [];
  ctx.progress(accounts ? `project ${projectId}: ${serviceAccounts.length} service accounts` : `project ${projectId}: service accounts not readable`);

  // per service account: keys and IAM policy; per pool: providers; per deny policy: its rules
  const keys: Record<string, GcpKey[]> = {};
  const saPolicies: Record<string, GcpPolicy> = {};
  const providers: GcpWifProvider[] = [];
  const denyPolicies: NonNullable<GcpProjectData['denyPolicies']> = [];
  await Promise.all([
    ...serviceAccounts.flatMap((sa) => {
      const name = `${projectName}/serviceAccounts/${sa.email}`;
      return [
        call(r, 'iam.serviceAccounts.keys.list', scope, sa.email, async () => ((await c.iam.projects.serviceAccounts.keys.list({ name })).data.keys ?? []) as GcpKey[]).then((k) => {
          if (k) keys[sa.email.toLowerCase()] = k;
        }),
        call(r, 'iam.serviceAccounts.getIamPolicy', scope, sa.email, async () => (await c.iam.projects.serviceAccounts.getIamPolicy({ resource: name, 'options.requestedPolicyVersion': 3 })).data as GcpPolicy).then((p) => {
          if (p) saPolicies[sa.email.toLowerCase()] = policyJson(p);
        }),
      ];
    }),
    ...(pools ?? []).map((p) =>
      call(r, 'iam.workloadIdentityPoolProviders.list', scope, p.name, () => listProviders(r, p.name)).then((list) => {
        for (const x of list ?? []) providers.push(providerJson(x));
      }),
    ),
    ...(denyList ?? []).map((d) =>
      call(r, 'iam.denypolicies.list', scope, d.name ?? '', async () => (await c.deny.getPolicy({ name: d.name }))[0]).then((full) => {
        if (full) denyPolicies.push({ name: full.name ?? d.name ?? '', displayName: full.displayName || undefined, rules: (full.rules ?? []) as unknown[] });
      }),
    ),
  ]);

  const parent = project?.parent || undefined;
  const number = project?.name?.replace(/^projects\//, '');
  if (number) r.numbers.set(projectId, number);
  const ancestors = await ancestorsOf(r, parent);
  return {
    projectId,
    projectNumber: project?.name?.replace(/^projects\//, '') || undefined,
    parent,
    serviceAccounts,
    keys,
    policy,
    saPolicies,
    roles: customRoles ?? [],
    pools: (pools ?? []).map((p) => ({ name: p.name, displayName: p.displayName || undefined, disabled: p.disabled === true, state: p.state as string | undefined })),
    providers: providers.sort((a, b) => a.name.localeCompare(b.name)),
    saActivity,
    keyActivity,
    recommendations: recommendations?.map(recommendationJson),
    insights: insights?.map(insightJson),
    ancestors,
    denyPolicies: denyPolicies.sort((a, b) => a.name.localeCompare(b.name)),
  };
}

async function activities(r: Run, projectId: string, type: 'serviceAccountLastAuthentication' | 'serviceAccountKeyLastAuthentication'): Promise<GcpActivity[] | undefined> {
  const url = `${r.c.policyAnalyzer}/v1/projects/${projectId}/locations/global/activityTypes/${type}/activities:query`;
  return pages<GcpActivity>(r, 'policyanalyzer.activities.query', projectId, type, async (pageToken) => {
    const res = await r.c.auth.request<{ activities?: GcpActivity[]; nextPageToken?: string }>({ url, params: { pageSize: 1000, ...(pageToken ? { pageToken } : {}) } });
    return { items: res.data.activities ?? [], next: res.data.nextPageToken };
  });
}

function providerJson(x: unknown): GcpWifProvider {
  const p = x as { name?: string; displayName?: string; disabled?: boolean; state?: string; attributeMapping?: Record<string, string>; attributeCondition?: string; oidc?: { issuerUri?: string; allowedAudiences?: string[] } | null };
  return {
    name: p.name ?? '',
    displayName: p.displayName || undefined,
    disabled: p.disabled === true,
    state: p.state,
    attributeMapping: p.attributeMapping && Object.keys(p.attributeMapping).length ? { ...p.attributeMapping } : undefined,
    attributeCondition: p.attributeCondition || undefined,
    oidc: p.oidc ? { issuerUri: p.oidc.issuerUri || undefined, allowedAudiences: p.oidc.allowedAudiences?.length ? [...p.oidc.allowedAudiences] : undefined } : undefined,
  };
}

function recommendationJson(x: unknown): GcpRecommendation {
  const r = x as { name?: string; description?: string; recommenderSubtype?: string; content?: { overview?: unknown }; stateInfo?: { state?: string | number } };
  return {
    name: r.name,
    description: r.description,
    recommenderSubtype: r.recommenderSubtype,
    content: { overview: structToJson(r.content?.overview) as NonNullable<GcpRecommendation['content']>['overview'] },
    stateInfo: { state: r.stateInfo?.state !== undefined ? String(r.stateInfo.state) : undefined },
  };
}

function insightJson(x: unknown): GcpInsight {
  const i = x as { name?: string; insightSubtype?: string; content?: unknown; stateInfo?: { state?: string | number }; observationPeriod?: unknown; lastRefreshTime?: unknown };
  return {
    name: i.name,
    insightSubtype: i.insightSubtype,
    content: structToJson(i.content) as GcpInsight['content'],
    stateInfo: { state: i.stateInfo?.state !== undefined ? String(i.stateInfo.state) : undefined },
    observationPeriod: durationToString(i.observationPeriod),
    lastRefreshTime: timestampToIso(i.lastRefreshTime),
  };
}

/** Projects under an organization: folders walked breadth-first, ACTIVE projects only, sorted by id. */
export async function discoverProjects(r: Run, organization: string): Promise<string[]> {
  const out = new Set<string>();
  const queue = [`organizations/${organization}`];
  const scope = `organizations/${organization}`;
  while (queue.length) {
    const batch = queue.splice(0);
    await Promise.all(
      batch.map(async (parent) => {
        const [projects, folders] = await Promise.all([
          call(r, 'resourcemanager.projects.list', scope, parent, () => drain(r.c.projects.listProjectsAsync({ parent, pageSize: 1000 }, NO_AUTOPAGINATE))),
          call(r, 'resourcemanager.folders.list', scope, parent, () => drain(r.c.folders.listFoldersAsync({ parent, pageSize: 1000 }, NO_AUTOPAGINATE))),
        ]);
        for (const p of projects ?? []) if (p.projectId && (p.state === 'ACTIVE' || p.state === undefined || p.state === null || p.state === 1)) out.add(p.projectId);
        for (const f of folders ?? []) if (f.name && (f.state === 'ACTIVE' || f.state === undefined || f.state === null || f.state === 1)) queue.push(f.name);
      }),
    );
  }
  return [...out].sort();
}

/** The target of one project a live scan reads (whether or not its reads succeed). */
export function projectTarget(projectId: string): ScanTarget {
  return { id: `gcp:project:${projectId}`, platform: 'gcp', kind: 'project', name: projectId };
}

export interface LiveSink {
  /** a project the scan is about to read (given, or discovered under the organization) */
  target(projectId: string): void;
  /** a project read in full, its bound role definitions included */
  project(data: GcpProjectData): void;
}

/**
 * Read every project (given, or discovered under the organization) with the definitions of the roles it binds, and
 * hand each to `sink` as soon as it is complete, so a scan stopped by the deadline keeps the projects already read.
 * Role definitions are fetched once each, whichever project binds them first. Returns the coverage notes.
 */
export async function collectLive(c: GcpClients, ctx: ScanContext, target: { projects?: string[]; organization?: string }, sink: LiveSink): Promise<CoverageNote[]> {
  const r: Run = { c, ctx, failures: new GcpFailures(), limit: pLimit(Math.max(1, ctx.concurrency)), ancestorPolicy: new Map(), folderParent: new Map(), wifV1: false, numbers: new Map() };
  let ids = target.projects ?? [];
  if (target.organization) {
    ctx.progress(`discovering projects under organizations/${target.organization}`);
    ids = await discoverProjects(r, target.organization);
    ctx.progress(`${ids.length} projects under organizations/${target.organization}`);
  }
  for (const id of ids) sink.target(id);

  // predefined and organization roles (and custom roles of other projects) are fetched once, when first bound
  const definitions = new Map<string, Promise<GcpRole | undefined>>();
  const definition = (name: string): Promise<GcpRole | undefined> => {
    let d = definitions.get(name);
    if (!d) {
      d = call(r, 'iam.roles.get', 'roles', name, async () => {
        const res = name.startsWith('organizations/') ? await c.iam.organizations.roles.get({ name }) : name.startsWith('projects/') ? await c.iam.projects.roles.get({ name }) : await c.iam.roles.get({ name });
        return res.data as GcpRole;
      }).then((role) => (role ? { name: role.name ?? name, title: role.title, stage: role.stage, includedPermissions: role.includedPermissions } : undefined));
      definitions.set(name, d);
    }
    return d;
  };
  let done = 0;
  const every = Math.max(1, Math.ceil(ids.length / 20));
  if (ids.length > 1) ctx.progress(`projects 0/${ids.length}`);
  await Promise.all(
    ids.map(async (id) => {
      const p = await collectProject(r, id);
      const own = new Set(p.roles.map((x) => x.name));
      const bound = [...rolesBoundIn(p)].filter((name) => !own.has(name)).sort();
      const defs = await Promise.all(bound.map((name) => definition(name).then((d) => [name, d] as const)));
      for (const [name, d] of defs) if (d && !p.roles.some((x) => x.name === name)) p.roles.push(d);
      sink.project(p);
      done++;
      if (ids.length > 1 && (done % every === 0 || done === ids.length)) ctx.progress(`projects ${done}/${ids.length}`);
    }),
  );
  return r.failures.notes(r.numbers);
}
