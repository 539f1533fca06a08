/**
 * The live Entra ID scan: Microsoft Graph (and, with --azure-subscriptions, Azure Resource Manager) read into the same
 * `EntraTenantData` an export folder gives, so map.ts makes the same graph.
 *
 * Calls (docs/connectors/entra.md "Live scans"): the collections are listed with `$select` (only what map.ts reads)
 * and `$top=999`, following `@odata.nextLink`. The per-object lists — owners and federated identity credentials of
 * each application, app role assignments of each service principal — go 20 to a `POST /$batch`: 2,000 applications
 * cost 200 batches for owners and federated credentials instead of 4,000 GETs. `$expand=owners` on the application
 * list is not used: Graph caps an expanded directory-object relationship (20 items, no nextLink) and drops the page
 * size to 100, so a long owner list would be cut silently. App role assignments are asked of every service principal
 * except Microsoft's first-party ones (hundreds in every tenant, holding nothing this report needs); managed
 * identities and other tenants' apps consented here are asked, since their permissions in this tenant matter.
 *
 * Secret material never leaves this file: of password credentials only keyId, displayName and dates are kept (Graph
 * returns `hint`, and `secretText` exists in the type; both are dropped here, whatever the server sends); of key
 * credentials not `key` nor `customKeyIdentifier`.
 */
import pLimit from 'p-limit';
import { AuthorizationManagementClient, type RoleAssignment } from '@azure/arm-authorization';
import { bearerTokenAuthenticationPolicyName, createPipelineRequest, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { ScanContext } from '../../src/engine/types.js';
import type { CoverageNote } from '../../src/model/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';
import { redactUrl } from '../../src/util/url.js';
import { ApiError, ARM_SCOPE, BATCH_SIZE, countingPolicy, errorOf, GraphClient, tenantOfToken, TokenSource, GRAPH_SCOPE, type BatchItem } from './graph.js';
import {
  CONNECTOR_ID,
  MICROSOFT_TENANT,
  type AzureRoleAssignment,
  type EntraApplication,
  type EntraKeyCredential,
  type EntraPasswordCredential,
  type EntraServicePrincipal,
  type EntraSource,
  type EntraTenantData,
} from './map.js';

export interface EntraLiveOptions {
  tenantId?: string;
  /** subscription ids, `all`, or undefined (no RBAC read) */
  subscriptions?: string[] | 'all';
  graphEndpoint?: string;
  armEndpoint?: string;
  retries?: number;
  retryDelayMs?: number;
  requestTimeoutMs?: number;
}

/** The Graph permission each source needs, for coverage notes. */
export const PERMISSION: Record<EntraSource, string> = {
  applications: 'Application.Read.All',
  servicePrincipals: 'Application.Read.All',
  federatedIdentityCredentials: 'Application.Read.All',
  owners: 'Application.Read.All (and Directory.Read.All for owners\u2019 accountEnabled)',
  appRoleAssignments: 'Application.Read.All',
  directoryRoleAssignments: 'RoleManagement.Read.Directory',
  signIns: 'AuditLog.Read.All',
  roleAssignments: 'Azure RBAC Reader (Microsoft.Authorization/roleAssignments/read, roleDefinitions/read)',
};

/** What each source is, for coverage notes. */
const LABEL: Record<EntraSource, string> = {
  applications: 'applications (GET /v1.0/applications)',
  servicePrincipals: 'service principals (GET /v1.0/servicePrincipals)',
  federatedIdentityCredentials: 'federated identity credentials',
  owners: 'owners',
  appRoleAssignments: 'app role assignments',
  directoryRoleAssignments: 'directory role assignments (GET /v1.0/roleManagement/directory/roleAssignments)',
  signIns: 'the service principal sign-in report (GET /beta/reports/servicePrincipalSignInActivities)',
  roleAssignments: 'Azure role assignments',
};

export const SELECT = {
  applications: 'id,appId,displayName,createdDateTime,signInAudience,publisherDomain,passwordCredentials,keyCredentials',
  servicePrincipals: 'id,appId,displayName,appDisplayName,servicePrincipalType,appOwnerOrganizationId,accountEnabled,alternativeNames,appRoles,passwordCredentials,keyCredentials',
  owners: 'id,displayName,userPrincipalName,accountEnabled,appId',
  appRoleAssignments: 'id,appRoleId,principalId,resourceId,resourceDisplayName,createdDateTime',
  directoryRoleAssignments: 'id,principalId,directoryScopeId,roleDefinitionId',
};

// ---- the boundary: secret material is dropped before anything else sees the objects ------------------------------

const pick = <T extends object>(o: unknown, keys: readonly string[]): T => {
  const out: Record<string, unknown> = {};
  if (o && typeof o === 'object') for (const k of keys) if (k in o) out[k] = (o as Record<string, unknown>)[k];
  return out as T;
};
const PASSWORD_FIELDS = ['keyId', 'displayName', 'startDateTime', 'endDateTime'] as const;
const KEY_FIELDS = [...PASSWORD_FIELDS, 'type', 'usage'] as const;
const list = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

/** Password and key credentials without secret material (`secretText`, `hint`, `key`, `customKeyIdentifier`). */
export function scrubCredentials<T extends { passwordCredentials?: EntraPasswordCredential[]; keyCredentials?: EntraKeyCredential[] }>(o: T): T {
  const pw = list(o.passwordCredentials);
  const keys = list(o.keyCredentials);
  return {
    ...o,
    ...(pw ? { passwordCredentials: pw.map((c) => pick<EntraPasswordCredential>(c, PASSWORD_FIELDS)) } : {}),
    ...(keys ? { keyCredentials: keys.map((c) => pick<EntraKeyCredential>(c, KEY_FIELDS)) } : {}),
  };
}

// ---- the scan ------------------------------------------------------------------------------------------------------

export interface EntraLiveRead {
  data: EntraTenantData;
  notes: CoverageNote[];
}

/** Microsoft Graph's error when the token lacks a permission, with what to grant. */
function denied(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403;
}

/** A 401 stops the scan: the token itself is refused. */
function unauthorized(err: ApiError, service: string): NhiError {
  return new NhiError('CREDENTIALS', `${service} refused the token (401 ${err.code}: ${err.message})`, {
    suggestion: 'check that the credential belongs to the tenant being scanned (--entra-tenant) and has not expired; `az account get-access-token --resource https://graph.microsoft.com` shows what DefaultAzureCredential would use',
  });
}

export class EntraLive {
  readonly tokens: TokenSource;
  readonly graph: GraphClient;
  readonly notes: CoverageNote[] = [];
  /** every request of the scan (a list with its pages, a batch with its retries, a subscription) waits its turn here */
  private readonly limit: ReturnType<typeof pLimit>;
  private tenant?: string;

  constructor(
    private readonly ctx: ScanContext,
    private readonly o: EntraLiveOptions,
    private readonly impact: Record<EntraSource, string>,
  ) {
    this.tokens = new TokenSource(o.tenantId);
    this.limit = pLimit(Math.max(1, ctx.concurrency));
    this.graph = new GraphClient(o.graphEndpoint ?? 'https://graph.microsoft.com', this.tokens, ctx.calls, { retries: o.retries, retryDelayMs: o.retryDelayMs, requestTimeoutMs: o.requestTimeoutMs, signal: ctx.signal });
  }

  /** The tenant: --entra-tenant, else the `tid` claim of the Graph token. */
  async tenantId(): Promise<string> {
    if (this.tenant) return this.tenant;
    const token = await this.tokens.token(GRAPH_SCOPE);
    const tid = this.o.tenantId?.toLowerCase() ?? tenantOfToken(token);
    if (!tid) throw new NhiError('USAGE', 'the tenant cannot be told from the access token (it has no tid claim)', { suggestion: 'pass --entra-tenant <tenant id> (az account show --query tenantId -o tsv)' });
    this.tenant = tid;
    return tid;
  }

  private note(what: EntraSource, err: unknown, scope: string, extra = ''): void {
    const e = err instanceof ApiError ? err : undefined;
    const reason: CoverageNote['reason'] = e?.status === 403 ? 'permission-denied' : e?.status === 429 ? 'throttled' : e?.status === 404 ? 'not-found' : e?.code === 'Timeout' ? 'timeout' : 'error';
    const why = e ? `${e.status ? `${e.status} ` : ''}${e.code}: ${e.message}` : describeError(err);
    const need = reason === 'permission-denied' ? ` (needs ${PERMISSION[what]})` : '';
    this.notes.push({ connector: CONNECTOR_ID, source: `graph:${what}`, scope, reason, message: `${LABEL[what]}${extra} could not be read${need}: ${why}`, impact: this.impact[what], incomplete: true });
  }

  /** A whole list; on 403 / errors a note and undefined (401 stops the scan). */
  private async listOrNote<T>(what: EntraSource, url: string, scope: string): Promise<T[] | undefined> {
    try {
      return await this.limit(() => this.graph.list<T>(url));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw unauthorized(err, 'Microsoft Graph');
      if (err instanceof NhiError) throw err;
      this.note(what, err, scope);
      return undefined;
    }
  }

  /** Per-object lists through $batch, bounded by ctx.concurrency; failed objects are left out (noted once per source). */
  private async perObject<T>(what: EntraSource, ids: string[], urlOf: (id: string) => string, scope: string): Promise<Record<string, T[]>> {
    const out: Record<string, T[]> = {};
    const failed: ApiError[] = [];
    const limit = this.limit;
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += BATCH_SIZE) chunks.push(ids.slice(i, i + BATCH_SIZE));
    let done = 0;
    await Promise.all(
      chunks.map((chunk) =>
        limit(async () => {
          const items: BatchItem[] = chunk.map((id, i) => ({ id: String(i + 1), url: urlOf(id) }));
          let res: Map<string, T[] | ApiError>;
          try {
            res = await this.graph.batchLists<T>(items);
          } catch (err) {
            if (err instanceof ApiError && err.status === 401) throw unauthorized(err, 'Microsoft Graph');
            if (err instanceof NhiError) throw err;
            res = new Map(items.map((i) => [i.id, err instanceof ApiError ? err : new ApiError(0, 'error', describeError(err), i.url)]));
          }
          chunk.forEach((id, i) => {
            const r = res.get(String(i + 1));
            if (Array.isArray(r)) out[id] = r;
            else if (r) failed.push(r);
          });
          done += chunk.length;
          if (chunks.length > 5 && done % (BATCH_SIZE * 25) === 0) this.ctx.progress(`${what}: ${done}/${ids.length}`);
        }),
      ),
    );
    if (failed.length > 0) {
      if (failed.some((e) => e.status === 401)) throw unauthorized(failed.find((e) => e.status === 401)!, 'Microsoft Graph');
      const first = failed.find((e) => e.status === 403) ?? failed[0];
      this.note(what, first, scope, ` of ${failed.length} of ${ids.length} ${what === 'appRoleAssignments' ? 'service principals' : 'applications'}`);
    }
    return out;
  }

  async read(): Promise<EntraLiveRead> {
    const tenant = await this.tenantId();
    const g = this.graph;
    this.ctx.progress(`tenant ${tenant}: listing applications and service principals`);
    const [appsRaw, spsRaw] = await Promise.all([
      this.listOrNote<EntraApplication>('applications', g.url('v1.0', `/applications?$select=${SELECT.applications}&$top=999`), tenant),
      this.listOrNote<EntraServicePrincipal>('servicePrincipals', g.url('v1.0', `/servicePrincipals?$select=${SELECT.servicePrincipals}&$top=999`), tenant),
    ]);
    if (appsRaw === undefined && spsRaw === undefined) {
      const why = this.notes.map((n) => n.message).join('; ');
      throw new NhiError('CREDENTIALS', `neither applications nor service principals can be read in tenant ${tenant}: ${why}`, { suggestion: 'grant the scanning identity the Microsoft Graph application permission Application.Read.All (nhi permissions entra)' });
    }
    const applications = (appsRaw ?? []).filter((a) => typeof a.id === 'string').map(scrubCredentials);
    const servicePrincipals = (spsRaw ?? []).filter((s) => typeof s.id === 'string').map(scrubCredentials);
    this.ctx.progress(`tenant ${tenant}: ${applications.length} applications, ${servicePrincipals.length} service principals`);

    const appIds = applications.map((a) => a.id);
    // every service principal but Microsoft's own (managed identities are kept: they are the tenant's)
    const spIds = servicePrincipals.filter((s) => s.servicePrincipalType === 'ManagedIdentity' || (s.appOwnerOrganizationId ?? '').toLowerCase() !== MICROSOFT_TENANT).map((s) => s.id);
    const enc = encodeURIComponent;
    const [owners, federatedCredentials, appRoleAssignments, directoryRoleAssignments, signIns, roleAssignments] = await Promise.all([
      this.perObject<EntraTenantData['owners'][string][number]>('owners', appIds, (id) => `/applications/${enc(id)}/owners?$select=${SELECT.owners}`, tenant),
      this.perObject<EntraTenantData['federatedCredentials'][string][number]>('federatedIdentityCredentials', appIds, (id) => `/applications/${enc(id)}/federatedIdentityCredentials`, tenant),
      this.perObject<EntraTenantData['appRoleAssignments'][string][number]>('appRoleAssignments', spIds, (id) => `/servicePrincipals/${enc(id)}/appRoleAssignments?$select=${SELECT.appRoleAssignments}`, tenant),
      this.listOrNote<NonNullable<EntraTenantData['directoryRoleAssignments']>[number]>('directoryRoleAssignments', g.url('v1.0', `/roleManagement/directory/roleAssignments?$select=${SELECT.directoryRoleAssignments}&$expand=roleDefinition`), tenant),
      this.listOrNote<NonNullable<EntraTenantData['signIns']>[number]>('signIns', g.url('beta', '/reports/servicePrincipalSignInActivities'), tenant),
      this.rbac(),
    ]);
    return {
      data: { tenantId: tenant, applications, servicePrincipals, federatedCredentials, owners, appRoleAssignments, directoryRoleAssignments, signIns, roleAssignments },
      notes: this.notes,
    };
  }

  // ---- Azure RBAC through Azure Resource Manager ---------------------------------------------------------------------

  /**
   * An ARM client with the scan's token source instead of the SDK's bearer policy (which refuses http endpoints and
   * would ask the credential for a token on every request), and a call count per attempt.
   */
  armClient(subscriptionId: string): AuthorizationManagementClient {
    const endpoint = (this.o.armEndpoint ?? 'https://management.azure.com').replace(/\/$/, '');
    const client = new AuthorizationManagementClient(this.tokens.credential, subscriptionId, {
      endpoint,
      retryOptions: { maxRetries: this.o.retries ?? 4, retryDelayInMs: this.o.retryDelayMs ?? 500, maxRetryDelayInMs: 20_000 },
      ...(endpoint.startsWith('http:') ? { allowInsecureConnection: true } : {}),
    });
    client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
    const tokens = this.tokens;
    const bearer: PipelinePolicy = {
      name: 'nhiBearer',
      async sendRequest(request, next) {
        request.headers.set('authorization', `Bearer ${await tokens.token(ARM_SCOPE)}`);
        return next(request);
      },
    };
    client.pipeline.addPolicy(bearer, { phase: 'Sign' });
    client.pipeline.addPolicy(countingPolicy(this.ctx.calls, armOperation), { afterPhase: 'Retry' });
    return client;
  }

  private rbacNote(scope: string, message: string, reason: CoverageNote['reason'], incomplete: boolean): void {
    this.notes.push({ connector: CONNECTOR_ID, source: 'arm:roleAssignments', scope, reason, message, impact: this.impact.roleAssignments, incomplete });
  }

  /** Role assignments of the chosen subscriptions in the shape `az role assignment list --all` prints. */
  async rbac(): Promise<AzureRoleAssignment[] | undefined> {
    const tenant = await this.tenantId();
    if (this.o.subscriptions === undefined) {
      this.rbacNote(tenant, 'Azure RBAC role assignments were not read (no --azure-subscriptions)', 'not-found', false);
      return undefined;
    }
    let subs: string[];
    if (this.o.subscriptions === 'all') {
      try {
        subs = await this.limit(() => this.listSubscriptions());
      } catch (err) {
        if (err instanceof NhiError) throw err;
        this.rbacNote(tenant, `the subscriptions could not be listed: ${describeArm(err)}`, armReason(err), true);
        return undefined;
      }
      if (subs.length === 0) {
        this.rbacNote(tenant, 'the credential sees no subscription in this tenant: no Azure RBAC role assignment was read', 'not-found', true);
        return [];
      }
    } else subs = this.o.subscriptions;
    const defs = new Map<string, Promise<string | undefined>>();
    const out: AzureRoleAssignment[] = [];
    const signal = this.ctx.signal;
    await Promise.all(
      subs.map((sub) =>
        this.limit(async () => {
          const client = this.armClient(sub);
          const got: RoleAssignment[] = [];
          try {
            for await (const ra of client.roleAssignments.listForSubscription({ abortSignal: signal })) got.push(ra);
          } catch (err) {
            if (armStatus(err) === 401) throw new NhiError('CREDENTIALS', `Azure Resource Manager refused the token (401): ${describeArm(err)}`, { suggestion: 'check that the credential belongs to this tenant and has not expired' });
            this.rbacNote(`/subscriptions/${sub}`, `role assignments of subscription ${sub} could not be read${armStatus(err) === 403 ? ' (needs Reader on the subscription)' : ''}: ${describeArm(err)}`, armReason(err), true);
            return;
          }
          for (const ra of got) {
            if (!ra.principalId) continue;
            const defId = ra.roleDefinitionId ?? '';
            const key = defId.split('/').pop()?.toLowerCase() ?? '';
            if (key && !defs.has(key)) {
              defs.set(
                key,
                // the SDK's path is `/{roleId}`: a full id's own leading slash would make it `//subscriptions/…`
                client.roleDefinitions.getById(defId.replace(/^\/+/, ''), { abortSignal: signal }).then(
                  (d) => d.roleName,
                  () => undefined, // the assignment is still kept, named by its definition id
                ),
              );
            }
            out.push({
              id: ra.id,
              name: ra.name,
              principalId: ra.principalId,
              principalType: ra.principalType,
              roleDefinitionId: ra.roleDefinitionId,
              roleDefinitionName: key ? await defs.get(key) : undefined,
              scope: ra.scope,
              condition: ra.condition ?? null,
            });
          }
        }),
      ),
    );
    return out.sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
  }

  /** `GET /subscriptions?api-version=2022-12-01` through the same ARM pipeline, following nextLink. */
  async listSubscriptions(): Promise<string[]> {
    const client = this.armClient('00000000-0000-0000-0000-000000000000');
    const base = (this.o.armEndpoint ?? 'https://management.azure.com').replace(/\/$/, '');
    const out: string[] = [];
    let next: string | undefined = `${base}/subscriptions?api-version=2022-12-01`;
    while (next) {
      const res = await client.sendRequest(createPipelineRequest({ url: next, method: 'GET', abortSignal: this.ctx.signal, allowInsecureConnection: next.startsWith('http:') }));
      let body: unknown;
      try {
        body = res.bodyAsText ? JSON.parse(res.bodyAsText) : undefined;
      } catch {
        body = undefined;
      }
      if (res.status === 401) throw new NhiError('CREDENTIALS', `Azure Resource Manager refused the token (401): ${errorOf(401, body, next).message}`, { suggestion: 'check that the credential belongs to this tenant and has not expired' });
      if (res.status < 200 || res.status >= 300) throw errorOf(res.status, body, next);
      const page = body as { value?: Array<{ subscriptionId?: unknown; tenantId?: unknown; state?: unknown }>; nextLink?: unknown } | undefined;
      if (!page || !Array.isArray(page.value)) throw new ApiError(res.status, 'MalformedResponse', 'a subscription list without a value array', redactUrl(next));
      const tenant = this.tenant;
      for (const s of page.value) {
        if (typeof s?.subscriptionId !== 'string') continue;
        if (tenant && typeof s.tenantId === 'string' && s.tenantId.toLowerCase() !== tenant) continue;
        if (s.state === 'Disabled') continue;
        out.push(s.subscriptionId);
      }
      next = typeof page.nextLink === 'string' && page.nextLink !== '' ? page.nextLink : undefined;
    }
    return out;
  }
}

/** Operation name of an ARM request, for call counts. */
export function armOperation(url: string): string {
  let p: string;
  try {
    p = new URL(url).pathname;
  } catch {
    p = url;
  }
  if (/^\/subscriptions\/?$/.test(p)) return 'arm.subscriptions.list';
  if (/\/providers\/Microsoft\.Authorization\/roleAssignments\/?$/i.test(p)) return 'arm.roleAssignments.listForSubscription';
  if (/\/providers\/Microsoft\.Authorization\/roleDefinitions\/[^/]+$/i.test(p)) return 'arm.roleDefinitions.getById';
  return 'arm.get';
}

function armStatus(err: unknown): number | undefined {
  const e = err as { statusCode?: number; status?: number };
  return e?.statusCode ?? (err instanceof ApiError ? err.status : undefined);
}
function armReason(err: unknown): CoverageNote['reason'] {
  const s = armStatus(err);
  return s === 403 ? 'permission-denied' : s === 429 ? 'throttled' : s === 404 ? 'not-found' : 'error';
}
function describeArm(err: unknown): string {
  const e = err as { statusCode?: number; code?: string; message?: string };
  const text = (e?.message ?? describeError(err)).split('\n')[0].replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u));
  return `${e?.statusCode ? `${e.statusCode} ` : ''}${e?.code && e.code !== text ? `${e.code}: ` : ''}${text}`;
}
