/**
 * The Google clients of a live GCP scan and the one HTTP transport they share.
 *
 * Every client (the `@googleapis/iam` REST client, the gax clients of `@google-cloud/resource-manager`,
 * `@google-cloud/iam` and `@google-cloud/recommender` in REST mode, and plain Policy Analyzer requests) sends its
 * requests through one google-auth-library client. Its gaxios transport is configured once: every HTTP attempt is
 * counted (retries included), 429 and 5xx are retried with exponential backoff (Retry-After honoured, aborted with the
 * scan), and read-only POSTs (getIamPolicy) are retried like GETs.
 *
 * Credentials: Application Default Credentials, or an access token in GOOGLE_OAUTH_ACCESS_TOKEN (what
 * `gcloud auth print-access-token` prints). `impersonate` turns either into a short-lived token of a read-only audit
 * service account through IAM Credentials generateAccessToken.
 */
import { Readable } from 'node:stream';
import { iam, type iam_v1 } from '@googleapis/iam';
import { FoldersClient, OrganizationsClient, ProjectsClient } from '@google-cloud/resource-manager';
import { RecommenderClient } from '@google-cloud/recommender';
import { v1beta, v2 } from '@google-cloud/iam';
import { GoogleAuth, Impersonated, OAuth2Client, type AuthClient } from 'google-auth-library';
import type { CallCounter } from '../../src/engine/types.js';
import type { CoverageReason } from '../../src/model/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';
import { parseRetryAfter } from '../../src/util/retry-after.js';
import { sleep } from '../../src/util/sleep.js';
import { redactUrl, urlParts } from '../../src/util/url.js';

export const SCOPES = ['https://www.googleapis.com/auth/cloud-platform'];

export interface ClientOptions {
  /** send every API call here instead of the Google endpoints (emulators, proxies, tests): `http://127.0.0.1:8080` */
  endpoint?: string;
  /** the service account to impersonate for the scan */
  impersonate?: string;
  /** retries after the first attempt for 429 / 5xx / dropped connections */
  retries?: number;
  /** first backoff in ms (doubles each retry) */
  retryDelayMs?: number;
  /** one attempt of one request (a token request too) gives up after this long; default 60 s */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface GcpClients {
  auth: AuthClient;
  iam: iam_v1.Iam;
  projects: ProjectsClient;
  folders: FoldersClient;
  organizations: OrganizationsClient;
  recommender: RecommenderClient;
  pools: v1beta.WorkloadIdentityPoolsClient;
  deny: v2.PoliciesClient;
  /** base URL of Policy Analyzer (no client library exists for it) */
  policyAnalyzer: string;
  close(): Promise<void>;
}

/** Operation name of a Google API request, for call counts: `iam.serviceAccounts.list`. */
export function operationOf(method: string, url: string): string {
  const parts = urlParts(url);
  if (!parts) return 'unknown';
  const p = parts.path;
  const host = parts.host.split('.')[0];
  const rules: Array<[RegExp, string]> = [
    [/:generateAccessToken$/, 'iamcredentials.generateAccessToken'],
    [/^\/v1\/projects\/[^/]+\/serviceAccounts$/, 'iam.serviceAccounts.list'],
    [/^\/v1\/projects\/[^/]+\/serviceAccounts\/[^/]+\/keys$/, 'iam.serviceAccounts.keys.list'],
    [/^\/v1\/projects\/[^/]+\/serviceAccounts\/[^/]+:getIamPolicy$/, 'iam.serviceAccounts.getIamPolicy'],
    [/^\/v1\/projects\/[^/]+\/roles$/, 'iam.projects.roles.list'],
    [/^\/v1\/(roles|organizations\/[^/]+\/roles|projects\/[^/]+\/roles)\/[^/]+$/, 'iam.roles.get'],
    [/\/workloadIdentityPools\/[^/]+\/providers$/, 'iam.workloadIdentityPoolProviders.list'],
    [/\/workloadIdentityPools$/, 'iam.workloadIdentityPools.list'],
    [/^\/v2\/policies\/[^/]+\/denypolicies$/, 'iam.denypolicies.list'],
    [/^\/v2\/policies\/[^/]+\/denypolicies\/[^/]+$/, 'iam.denypolicies.get'],
    [/^\/v3\/projects\/[^/]+:getIamPolicy$/, 'resourcemanager.projects.getIamPolicy'],
    [/^\/v3\/folders\/[^/]+:getIamPolicy$/, 'resourcemanager.folders.getIamPolicy'],
    [/^\/v3\/organizations\/[^/]+:getIamPolicy$/, 'resourcemanager.organizations.getIamPolicy'],
    [/^\/v3\/projects\/[^/]+$/, 'resourcemanager.projects.get'],
    [/^\/v3\/folders\/[^/]+$/, 'resourcemanager.folders.get'],
    [/^\/v3\/projects$/, 'resourcemanager.projects.list'],
    [/^\/v3\/folders$/, 'resourcemanager.folders.list'],
    [/\/recommendations$/, 'recommender.recommendations.list'],
    [/\/insights$/, 'recommender.insights.list'],
    [/\/activities:query$/, 'policyanalyzer.activities.query'],
  ];
  for (const [re, op] of rules) if (re.test(p)) return op;
  return `${host || 'google'}.${method.toLowerCase()}`;
}


/** Retry-After in ms (seconds or an HTTP date), if the response carries one. */
export function retryAfterMs(headers: unknown): number | undefined {
  const get = (h: unknown, k: string): string | null | undefined => (h && typeof (h as Headers).get === 'function' ? (h as Headers).get(k) : (h as Record<string, string> | undefined)?.[k]);
  return parseRetryAfter(get(headers, 'retry-after'));
}

/** Why a 2xx body is not what a Google API sends (a JSON object; `{}` is a valid empty list), or undefined. */
export function bodyProblem(data: unknown): string | undefined {
  if (data !== null && typeof data === 'object' && !Array.isArray(data) && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) return undefined;
  if (typeof data === 'string') return data.trim() === '' ? 'the response body was empty' : 'the response body was not valid JSON (cut short?)';
  return 'the response body was not a JSON object';
}

function malformed(message: string): Error {
  return Object.assign(new Error(message), { name: 'MalformedResponse' });
}

type GaxiosConfig = { url?: unknown; method?: string; responseType?: string; signal?: AbortSignal; headers?: unknown; [k: string]: unknown };
type GaxiosResponse = { status: number; statusText?: string; headers: Headers; data: unknown; config?: unknown };

/**
 * One attempt of one request, around gaxios's own fetch (so HTTPS_PROXY / NO_PROXY still apply): the per-attempt
 * timeout, the scan's signal, and the body read in full and checked. gaxios runs this adapter inside its retry loop,
 * so a timeout, a body cut short or a malformed 2xx is retried like a dropped connection. The gax clients ask for a
 * stream and read it themselves: for them the body is buffered here and handed back as a fresh response.
 */
function attempt(o: ClientOptions) {
  const ms = o.requestTimeoutMs ?? 60_000;
  return async (opts: GaxiosConfig, defaultAdapter: (c: GaxiosConfig) => Promise<GaxiosResponse>): Promise<GaxiosResponse> => {
    // a DOMException named AbortError: gaxios does not retry it
    const cancelled = () => new DOMException(`the scan was stopped (${describeError(o.signal?.reason ?? 'cancelled')})`, 'AbortError');
    if (o.signal?.aborted) throw cancelled();
    const timeout = AbortSignal.timeout(ms);
    const signal = AbortSignal.any([opts.signal, o.signal, timeout].filter((x): x is AbortSignal => x !== undefined));
    const stream = opts.responseType === 'stream';
    try {
      const res = await defaultAdapter({ ...opts, signal, responseType: stream ? 'arraybuffer' : opts.responseType });
      const ok = res.status >= 200 && res.status < 300 && res.status !== 204;
      const json = /json/i.test(res.headers.get('content-type') ?? '');
      if (!stream) {
        const problem = ok && (json || typeof res.data === 'string') ? bodyProblem(res.data) : undefined;
        if (problem) throw malformed(problem);
        return res;
      }
      const buf = res.data instanceof ArrayBuffer ? Buffer.from(res.data) : Buffer.alloc(0);
      if (ok) {
        let parsed: unknown = buf.toString('utf8');
        try {
          parsed = JSON.parse(parsed as string);
        } catch {
          // stays text: reported below
        }
        const problem = bodyProblem(parsed);
        if (problem) throw malformed(problem);
      }
      const copy = new Response(res.status === 204 ? null : buf, { status: res.status, statusText: res.statusText, headers: res.headers });
      return Object.assign(copy, { config: opts, data: Readable.from([buf]) }) as unknown as GaxiosResponse;
    } catch (err) {
      if (o.signal?.aborted) throw cancelled();
      if (timeout.aborted) throw new DOMException(`no complete response within ${ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`}`, 'TimeoutError');
      throw err;
    }
  };
}

/**
 * Count every HTTP attempt and retry 429 / 5xx on the client's gaxios transport. First attempts are counted by a
 * request interceptor, retries by the retry hook (gaxios retries below the interceptors), so the count is exact while
 * gaxios keeps its own fetch (and with it HTTPS_PROXY / NO_PROXY support). Each attempt goes through `attempt`
 * (timeout, scan signal, body check); failures without an answer (dropped, timed out, malformed) get as many retries
 * as 429 / 5xx.
 */
export function instrument(client: AuthClient, calls: CallCounter, o: ClientOptions): void {
  const urlOf = (u: unknown) => (u instanceof URL ? u.href : String(u ?? ''));
  client.transporter.interceptors.request.add({
    resolved: async (cfg) => {
      calls.count(operationOf(cfg.method ?? 'GET', urlOf(cfg.url)));
      return cfg;
    },
  });
  const retries = o.retries ?? 4;
  Object.assign(client.transporter.defaults, {
    adapter: attempt(o),
    ...(o.signal ? { signal: o.signal } : {}),
    retry: true,
    retryConfig: {
      retry: retries,
      noResponseRetries: retries,
      retryDelay: o.retryDelayMs ?? 500,
      retryDelayMultiplier: 2,
      maxRetryDelay: 20_000,
      // getIamPolicy and :getIamPolicy-style reads are POSTs; nothing this connector sends changes anything
      httpMethodsToRetry: ['GET', 'HEAD', 'POST'],
      statusCodesToRetry: [[429, 429], [500, 599]],
      onRetryAttempt: (err: { config?: { method?: string; url?: unknown } }) => {
        calls.count(operationOf(err.config?.method ?? 'GET', urlOf(err.config?.url)));
      },
      retryBackoff: (err: { response?: { headers?: unknown } }, delay: number) => sleep(Math.min(Math.max(retryAfterMs(err.response?.headers) ?? 0, delay), 60_000), o.signal),
    },
  });
}

let quieted = false;
/**
 * ADC looks for a GCE metadata server when no other credentials exist, and gcp-metadata reports the failed lookup as a
 * process warning on stderr. The CLI already says what is wrong (a CREDENTIALS error with what to run), so that one
 * warning is dropped; every other warning still reaches the listeners Node had.
 */
function quietMetadataWarning(): void {
  if (quieted) return;
  quieted = true;
  const original = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (w: Error) => {
    if (w.name === 'MetadataLookupWarning') return;
    for (const l of original) l.call(process, w);
  });
}

/** The credentials of the scan: ADC or GOOGLE_OAUTH_ACCESS_TOKEN, optionally impersonating an audit service account. */
export async function createAuth(o: ClientOptions, calls: CallCounter, env: NodeJS.ProcessEnv = process.env): Promise<AuthClient> {
  quietMetadataWarning();
  let source: AuthClient;
  const token = env.GOOGLE_OAUTH_ACCESS_TOKEN?.trim();
  if (token) {
    // ADC reads GOOGLE_CLOUD_QUOTA_PROJECT itself; a bare token needs it passed (sent as x-goog-user-project)
    const quota = env.GOOGLE_CLOUD_QUOTA_PROJECT?.trim();
    const c = new OAuth2Client(quota ? { quotaProjectId: quota } : {});
    c.setCredentials({ access_token: token });
    source = c;
  } else {
    try {
      source = await new GoogleAuth({ scopes: SCOPES }).getClient();
    } catch (err) {
      throw new NhiError('CREDENTIALS', `no Google Cloud credentials: ${describeError(err)}`, {
        suggestion: 'run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS, or put a token from `gcloud auth print-access-token` in GOOGLE_OAUTH_ACCESS_TOKEN',
      });
    }
  }
  instrument(source, calls, o);
  if (!o.impersonate) return source;
  const imp = new Impersonated({ sourceClient: source, targetPrincipal: o.impersonate, targetScopes: SCOPES, lifetime: 3600, delegates: [], ...(o.endpoint ? { endpoint: o.endpoint.replace(/\/$/, '') } : {}) });
  instrument(imp, calls, o);
  return imp;
}

export function createClients(auth: AuthClient, o: ClientOptions): GcpClients {
  const endpoint = o.endpoint ? new URL(o.endpoint) : undefined;
  // gax clients in REST ("fallback") mode: the same JSON wire format as the REST clients, no gRPC channel
  const gax = {
    fallback: true,
    authClient: auth,
    ...(endpoint ? { protocol: endpoint.protocol.replace(':', ''), apiEndpoint: endpoint.hostname, port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)) } : {}),
  } as ConstructorParameters<typeof ProjectsClient>[0];
  const projects = new ProjectsClient(gax);
  const folders = new FoldersClient(gax);
  const organizations = new OrganizationsClient(gax);
  const recommender = new RecommenderClient(gax);
  const pools = new v1beta.WorkloadIdentityPoolsClient(gax);
  const deny = new v2.PoliciesClient(gax);
  return {
    auth,
    iam: iam({ version: 'v1', auth: auth as OAuth2Client, ...(endpoint ? { rootUrl: `${endpoint.origin}/` } : {}) }),
    projects,
    folders,
    organizations,
    recommender,
    pools,
    deny,
    policyAnalyzer: endpoint ? endpoint.origin : 'https://policyanalyzer.googleapis.com',
    async close() {
      await Promise.allSettled([projects.close(), folders.close(), organizations.close(), recommender.close(), pools.close(), deny.close()]);
    },
  };
}

export interface GcpErrorInfo {
  reason: CoverageReason;
  status?: number;
  /** google.rpc.ErrorInfo reason (SERVICE_DISABLED, IAM_PERMISSION_DENIED …) or the status name */
  code: string;
  /** the service named by the error, if any */
  service?: string;
  /** the project the call was billed to (`projects/764086051850`), for SERVICE_DISABLED */
  consumer?: string;
  text: string;
}

const GRPC_TO_HTTP: Record<number, number> = { 3: 400, 5: 404, 7: 403, 8: 429, 13: 500, 14: 503, 16: 401 };

/** Classify an error of any of the clients (GaxiosError from REST, GoogleError from gax). */
export function classifyGcpError(err: unknown): GcpErrorInfo {
  const e = err as {
    status?: number;
    code?: number | string;
    message?: string;
    reason?: string;
    errorInfoMetadata?: Record<string, string>;
    response?: { status?: number; data?: unknown };
  };
  let body: { error?: { code?: number; message?: string; status?: string; details?: Array<{ '@type'?: string; reason?: string; metadata?: Record<string, string> }> } } | undefined;
  const data = e?.response?.data;
  if (typeof data === 'string') {
    try {
      body = JSON.parse(data);
    } catch {
      body = undefined;
    }
  } else if (data && typeof data === 'object') body = data as typeof body;
  // the gax clients' fetch path leaves response.data unread and puts the JSON error body in the message
  if (!body && typeof e?.message === 'string' && e.message.trimStart().startsWith('{')) {
    try {
      body = JSON.parse(e.message);
    } catch {
      body = undefined;
    }
  }
  const status = e?.response?.status ?? body?.error?.code ?? (typeof e?.status === 'number' ? e.status : undefined) ?? (typeof e?.code === 'number' ? GRPC_TO_HTTP[e.code] : undefined);
  const info = body?.error?.details?.find((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'));
  const errReason = info?.reason ?? e?.reason;
  const service = info?.metadata?.service ?? e?.errorInfoMetadata?.service;
  const consumer = info?.metadata?.consumer ?? e?.errorInfoMetadata?.consumer;
  const attempts = (e as { config?: { retryConfig?: { currentRetryAttempt?: number } } })?.config?.retryConfig?.currentRetryAttempt;
  const tries = attempts ? ` (${attempts + 1} attempts)` : '';
  const causeName = (e as { cause?: { name?: string } })?.cause?.name;
  const timedOut = e?.code === 'TimeoutError' || causeName === 'TimeoutError';
  // URLs in error text (the request's, an error body's) lose their user info and query: tokens travel there
  const text = describeError(body?.error?.message ?? e?.message ?? String(err))
    .trim()
    .replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u));
  if (timedOut) return { reason: 'timeout', code: 'TimeoutError', text: `${text}${tries}` };
  if (causeName === 'MalformedResponse') return { reason: 'error', code: 'MalformedResponse', text: `${text}${tries}` };
  let reason: CoverageReason;
  if (errReason === 'SERVICE_DISABLED' || errReason === 'ACCESS_NOT_CONFIGURED' || /has not been used in project|is disabled/i.test(text)) reason = 'api-disabled';
  else if (status === 403 || status === 401) reason = 'permission-denied';
  else if (status === 429) reason = 'throttled';
  else if (status === 404) reason = 'not-found';
  else reason = 'error';
  return { reason, status, code: errReason ?? body?.error?.status ?? (status ? String(status) : (e?.code !== undefined ? String(e.code) : 'error')), service, consumer, text };
}
