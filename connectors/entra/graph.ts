/**
 * The HTTP side of a live Entra ID scan: Microsoft Graph through `fetch` (Node's global) with a bearer token, and the
 * tokens themselves (`DefaultAzureCredential` from @azure/identity, cached per scope).
 *
 * One choke point for every Graph request (`GraphClient.send`): the bearer token, the per-attempt timeout, the scan's
 * signal, a call count per attempt (retries included), and bounded retries of 429 / 503 / 5xx / dropped connections
 * with exponential backoff that honours Retry-After. Lists follow `@odata.nextLink` verbatim. `batch` sends up to 20
 * requests in one `POST /$batch` and retries the items that came back 429 / 503 inside the batch response.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { CallCounter } from '../../src/engine/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';
import { parseRetryAfter } from '../../src/util/retry-after.js';
import { sleep } from '../../src/util/sleep.js';
import { redactUrl } from '../../src/util/url.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const ARM_SCOPE = 'https://management.azure.com/.default';
/** Microsoft Graph's limit of requests in one JSON batch. */
export const BATCH_SIZE = 20;

export interface HttpOptions {
  /** retries after the first attempt for 429 / 503 / 5xx / dropped connections */
  retries?: number;
  /** first backoff in ms (doubles each retry); Retry-After wins when longer */
  retryDelayMs?: number;
  /** one attempt of one request gives up after this long; default 60 s */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

/** A pipeline policy that counts every HTTP attempt it sees (placed per retry). */
export function countingPolicy(calls: CallCounter, operation: (url: string, method: string) => string): PipelinePolicy {
  return {
    name: 'nhiCallCount',
    sendRequest(request, next) {
      calls.count(operation(request.url, request.method));
      return next(request);
    },
  };
}

/** The scan's tokens, cached per scope until five minutes before they expire. */
export class TokenSource {
  private cache = new Map<string, { token: string; expiresOn: number }>();
  private pending = new Map<string, Promise<string>>();
  readonly credential: TokenCredential;

  constructor(tenantId?: string, credential?: TokenCredential) {
    // Token requests are not in the call count: MSAL makes them (and serves most from its own process-wide cache)
    // outside any pipeline this scan can instrument.
    this.credential = credential ?? new DefaultAzureCredential(tenantId ? { tenantId } : {});
  }

  async token(scope: string): Promise<string> {
    const hit = this.cache.get(scope);
    if (hit && hit.expiresOn - 300_000 > Date.now()) return hit.token;
    const inflight = this.pending.get(scope);
    if (inflight) return inflight;
    const p = (async () => {
      try {
        const t = await this.credential.getToken(scope);
        if (!t?.token) throw new Error('the credential returned no token');
        this.cache.set(scope, { token: t.token, expiresOn: t.expiresOnTimestamp });
        return t.token;
      } catch (err) {
        throw new NhiError('CREDENTIALS', `no Azure credentials for ${scope.replace('/.default', '')}: ${whyNoToken(err)}`, {
          suggestion: 'run `az login` (a user or `az login --service-principal`), set AZURE_TENANT_ID / AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or AZURE_FEDERATED_TOKEN_FILE, or run where a managed identity is available',
          cause: err,
        });
      } finally {
        this.pending.delete(scope);
      }
    })();
    this.pending.set(scope, p);
    return p;
  }
}

/** One line for a failed token request; for DefaultAzureCredential, what each credential of the chain said. */
export function whyNoToken(err: unknown): string {
  const parts = Array.isArray((err as { errors?: unknown }).errors) ? ((err as { errors: unknown[] }).errors as unknown[]) : [err];
  const text = parts
    .map((e) => describeError(e).split(/(?<=\.)\s/)[0].replace(/\.$/, ''))
    .filter((x, i, a) => x && a.indexOf(x) === i)
    .join('; ')
    .replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u));
  return text.length > 600 ? `${text.slice(0, 597)}...` : text;
}

/** The `tid` claim of a JWT access token (the tenant it was issued in), if it has one. */
export function tenantOfToken(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' && claims.tid !== '' ? claims.tid.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** A Graph or ARM error answer: status, the service's error code (`Authorization_RequestDenied`) and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly url: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The `{"error": {"code", "message"}}` of a Graph / ARM error body. */
export function errorOf(status: number, body: unknown, url: string): ApiError {
  const e = body && typeof body === 'object' ? (body as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  const code = typeof e?.code === 'string' ? e.code : `HTTP ${status}`;
  const message = typeof e?.message === 'string' && e.message.trim() !== '' ? e.message.split('\n')[0].trim() : `HTTP ${status}`;
  return new ApiError(status, code, message.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u)), redactUrl(url));
}

const RETRY_STATUS = (s: number) => s === 429 || s === 503 || s === 502 || s === 504 || s === 500;

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Operation name of a Graph request, for call counts: `graph.applications.list`. */
export function graphOperation(url: string, method = 'GET'): string {
  let p: string;
  try {
    p = new URL(url).pathname;
  } catch {
    p = url;
  }
  p = p.replace(/^\/(v1\.0|beta)/, '');
  const rules: Array<[RegExp, string]> = [
    [/^\/\$batch$/, 'graph.batch'],
    [/^\/applications$/, 'graph.applications.list'],
    [/^\/applications\/[^/]+\/owners$/, 'graph.applications.owners.list'],
    [/^\/applications\/[^/]+\/federatedIdentityCredentials$/, 'graph.applications.federatedIdentityCredentials.list'],
    [/^\/servicePrincipals$/, 'graph.servicePrincipals.list'],
    [/^\/servicePrincipals\/[^/]+\/appRoleAssignments$/, 'graph.servicePrincipals.appRoleAssignments.list'],
    [/^\/roleManagement\/directory\/roleAssignments$/, 'graph.directoryRoleAssignments.list'],
    [/^\/reports\/servicePrincipalSignInActivities$/, 'graph.servicePrincipalSignInActivities.list'],
  ];
  for (const [re, op] of rules) if (re.test(p)) return op;
  return `graph.${method.toLowerCase()}`;
}

export interface BatchItem {
  id: string;
  /** relative to the version root: `/applications/{id}/owners?$select=…` */
  url: string;
}

/** Microsoft Graph over fetch. `base` is the service root without version (`https://graph.microsoft.com`). */
export class GraphClient {
  constructor(
    readonly base: string,
    private readonly tokens: TokenSource,
    private readonly calls: CallCounter,
    private readonly o: HttpOptions = {},
  ) {}

  url(version: 'v1.0' | 'beta', pathAndQuery: string): string {
    return `${this.base.replace(/\/$/, '')}/${version}${pathAndQuery}`;
  }

  private async backoff(attempt: number, retryAfter: number | undefined): Promise<void> {
    const delay = (this.o.retryDelayMs ?? 500) * 2 ** attempt;
    await sleep(Math.min(Math.max(retryAfter ?? 0, delay), 60_000), this.o.signal);
  }

  /** One request with retries; a non-2xx answer that is not retried (or out of retries) throws ApiError. */
  async send(method: 'GET' | 'POST', url: string, body?: unknown): Promise<GraphResponse> {
    const retries = this.o.retries ?? 4;
    const ms = this.o.requestTimeoutMs ?? 60_000;
    const op = graphOperation(url, method);
    for (let attempt = 0; ; attempt++) {
      if (this.o.signal?.aborted) throw new NhiError('INTERNAL', `the scan was stopped (${describeError(this.o.signal.reason ?? 'cancelled')})`);
      const token = await this.tokens.token(GRAPH_SCOPE);
      this.calls.count(op);
      const timeout = AbortSignal.timeout(ms);
      const signal = AbortSignal.any([timeout, this.o.signal].filter((x): x is AbortSignal => x !== undefined));
      let res: Response;
      let parsed: unknown;
      try {
        res = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal,
        });
        const text = await res.text();
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = text;
        }
        if (res.ok && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) throw Object.assign(new Error(text.trim() === '' ? 'the response body was empty' : 'the response body was not a JSON object (cut short?)'), { name: 'MalformedResponse' });
      } catch (err) {
        if (this.o.signal?.aborted) throw new NhiError('INTERNAL', `the scan was stopped (${describeError(this.o.signal.reason ?? 'cancelled')})`);
        const why = timeout.aborted ? `no complete response within ${Math.round(ms / 100) / 10} s` : describeError((err as { cause?: unknown }).cause ?? err);
        if (attempt < retries) {
          await this.backoff(attempt, undefined);
          continue;
        }
        throw new ApiError(0, timeout.aborted ? 'Timeout' : 'NetworkError', `${why} (${attempt + 1} attempts)`, redactUrl(url));
      }
      const headers = Object.fromEntries(res.headers.entries());
      if (res.ok) return { status: res.status, headers, body: parsed };
      if (RETRY_STATUS(res.status) && attempt < retries) {
        await this.backoff(attempt, parseRetryAfter(headers['retry-after']));
        continue;
      }
      throw errorOf(res.status, parsed, url);
    }
  }

  /** Every item of a list, following `@odata.nextLink` verbatim. */
  async list<T>(url: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = url;
    while (next) {
      const page = (await this.send('GET', next)).body as { value?: unknown; '@odata.nextLink'?: unknown };
      if (!Array.isArray(page.value)) throw new ApiError(200, 'MalformedResponse', 'a list response without a value array', redactUrl(next));
      for (const v of page.value) if (v !== null && typeof v === 'object') out.push(v as T);
      next = typeof page['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
    }
    return out;
  }

  /**
   * Lists of many objects (`/applications/{id}/owners`), up to 20 per `POST /$batch`. Resolves to the items of each
   * list by request id, or the ApiError of that request. Items answered 429 / 503 / 5xx are sent again in a later
   * batch (Retry-After honoured, bounded like any request); a list with more than one page is completed by following
   * its `@odata.nextLink` with plain GETs.
   */
  async batchLists<T>(items: BatchItem[], version: 'v1.0' | 'beta' = 'v1.0'): Promise<Map<string, T[] | ApiError>> {
    const out = new Map<string, T[] | ApiError>();
    const retries = this.o.retries ?? 4;
    let todo = items;
    for (let attempt = 0; todo.length > 0; attempt++) {
      const again: BatchItem[] = [];
      let wait: number | undefined;
      const res = await this.send('POST', this.url(version, '/$batch'), { requests: todo.map((i) => ({ id: i.id, method: 'GET', url: i.url })) });
      const responses = (res.body as { responses?: unknown }).responses;
      if (!Array.isArray(responses)) throw new ApiError(200, 'MalformedResponse', 'a $batch response without a responses array', redactUrl(this.url(version, '/$batch')));
      const byId = new Map<string, { status?: number; headers?: Record<string, string>; body?: unknown }>();
      for (const r of responses) if (r && typeof r === 'object' && typeof (r as { id?: unknown }).id === 'string') byId.set((r as { id: string }).id, r);
      for (const item of todo) {
        const r = byId.get(item.id);
        const status = typeof r?.status === 'number' ? r.status : 0;
        if (status >= 200 && status < 300) {
          const body = r?.body as { value?: unknown; '@odata.nextLink'?: unknown } | undefined;
          if (!body || !Array.isArray(body.value)) {
            out.set(item.id, new ApiError(status, 'MalformedResponse', 'a list response without a value array', item.url));
            continue;
          }
          const values = body.value.filter((v) => v !== null && typeof v === 'object') as T[];
          if (typeof body['@odata.nextLink'] === 'string') {
            try {
              values.push(...(await this.list<T>(body['@odata.nextLink'])));
            } catch (err) {
              out.set(item.id, err instanceof ApiError ? err : new ApiError(0, 'error', describeError(err), item.url));
              continue;
            }
          }
          out.set(item.id, values);
        } else if ((status === 0 || RETRY_STATUS(status)) && attempt < retries) {
          again.push(item);
          const h = Object.fromEntries(Object.entries(r?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
          const ra = parseRetryAfter(h['retry-after']);
          if (ra !== undefined) wait = Math.max(wait ?? 0, ra);
        } else {
          out.set(item.id, status === 0 ? new ApiError(0, 'MissingResponse', 'the batch response had no answer for this request', item.url) : errorOf(status, r?.body, item.url));
        }
      }
      todo = again;
      if (todo.length > 0) await this.backoff(attempt, wait);
    }
    return out;
  }
}
