/**
 * The one HTTP choke point of the GitHub connector: an @octokit/rest client whose every request goes through
 * - a fetch of ours: each attempt counted, a per-attempt timeout, the scan's abort signal, and the body read in full
 *   before Octokit sees it (a body cut mid-way is a failed request, not an empty string);
 * - a `hook.wrap('request')` that checks a 2xx body has the shape the endpoint documents (a list where a list belongs)
 *   and retries what can clear: 5xx, dropped connections, timeouts, malformed bodies (exponential backoff), primary
 *   and secondary rate limits (Retry-After / x-ratelimit-reset, up to `maxRetryAfterSeconds`). Every wait ends at once
 *   when the scan is cancelled or its deadline passes.
 */
import { readFileSync } from 'node:fs';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { CallCounter, ScanContext } from '../../src/engine/types.js';
import { describeError } from '../../src/util/errors.js';
import { parseRetryAfter } from '../../src/util/retry-after.js';
import { sleep } from '../../src/util/sleep.js';
import { VERSION } from '../../src/version.js';

export interface ClientOptions {
  org: string;
  url: string;
  appId?: string;
  privateKeyFile?: string;
  installationId?: number;
  maxAttempts: number;
  maxRetryAfterSeconds: number;
  requestTimeoutMs: number;
  retryDelayMs: number;
}

/** A 2xx response that is not what the endpoint sends: cut short, empty, not JSON, `{}` where a list belongs. */
export class MalformedResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponse';
  }
}

/**
 * A GraphQL answer (HTTP 200) whose `errors` say the rate limit is used up (`type: RATE_LIMITED`): retried like a
 * REST rate limit, after `x-ratelimit-reset` (or Retry-After).
 */
export class GraphqlRateLimited extends Error {
  constructor(
    message: string,
    readonly headers: Record<string, string | undefined>,
  ) {
    super(`GraphQL rate limit: ${message}`);
    this.name = 'GraphqlRateLimited';
  }
}

/** No complete response within the per-request timeout. */
export class RequestTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no complete response within ${ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`}`);
    this.name = 'RequestTimeout';
  }
}

/** `GET /repos/{owner}/{repo}/keys` style labels for call counting, from a concrete URL. */
export function routeLabel(method: string, url: string, org: string): string {
  // GitHub Enterprise Server answers GraphQL at /api/graphql, github.com at /graphql
  let p = new URL(url).pathname.replace(/^\/api\/v3/, '').replace(/^\/api\/graphql$/, '/graphql');
  p = p
    .replace(/^\/repos\/[^/]+\/[^/]+/, '/repos/{owner}/{repo}')
    .replace(/\/environments\/[^/]+\/secrets/, '/environments/{environment_name}/secrets')
    .replace(/\/contents\/.+$/, '/contents/{path}')
    .replace(/\/(actions|dependabot|codespaces)\/secrets\/[^/]+\/repositories$/, '/$1/secrets/{secret_name}/repositories')
    .replace(/\/app\/installations\/\d+/, '/app/installations/{id}')
    .replace(new RegExp(`^/orgs/${org.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=/|$)`, 'i'), '/orgs/{org}');
  return `github:${method.toUpperCase()} ${p}`;
}

/**
 * What a 2xx body of each endpoint is (GitHub's REST reference): a JSON array, an object with the list under a key
 * (`{ total_count, secrets: [...] }`), or an object with a field that is always there. Anything else is malformed.
 */
type Shape = 'array' | 'json' | 'graphql' | { list: string } | { has: string };
const SHAPES: Record<string, Shape> = {
  // a GraphQL answer carries `data`, `errors` or both
  'POST /graphql': 'graphql',
  'GET /orgs/{org}': { has: 'login' },
  'GET /orgs/{org}/installation': { has: 'id' },
  'POST /app/installations/{id}/access_tokens': { has: 'token' },
  'GET /orgs/{org}/actions/permissions/workflow': { has: 'default_workflow_permissions' },
  'GET /orgs/{org}/actions/oidc/customization/sub': { has: 'include_claim_keys' },
  'GET /orgs/{org}/actions/secrets': { list: 'secrets' },
  'GET /orgs/{org}/dependabot/secrets': { list: 'secrets' },
  'GET /orgs/{org}/codespaces/secrets': { list: 'secrets' },
  'GET /orgs/{org}/actions/secrets/{secret_name}/repositories': { list: 'repositories' },
  'GET /orgs/{org}/dependabot/secrets/{secret_name}/repositories': { list: 'repositories' },
  'GET /orgs/{org}/codespaces/secrets/{secret_name}/repositories': { list: 'repositories' },
  'GET /orgs/{org}/hooks': 'array',
  'GET /orgs/{org}/actions/runners': { list: 'runners' },
  'GET /orgs/{org}/actions/runner-groups': { list: 'runner_groups' },
  'GET /orgs/{org}/installations': { list: 'installations' },
  'GET /orgs/{org}/personal-access-tokens': 'array',
  'GET /orgs/{org}/credential-authorizations': 'array',
  'GET /orgs/{org}/repos': 'array',
  'GET /repos/{owner}/{repo}/keys': 'array',
  'GET /repos/{owner}/{repo}/actions/secrets': { list: 'secrets' },
  'GET /repos/{owner}/{repo}/dependabot/secrets': { list: 'secrets' },
  'GET /repos/{owner}/{repo}/environments': { list: 'environments' },
  'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets': { list: 'secrets' },
  'GET /repos/{owner}/{repo}/hooks': 'array',
  'GET /repos/{owner}/{repo}/actions/runners': { list: 'runners' },
  'GET /repos/{owner}/{repo}/actions/permissions/workflow': { has: 'default_workflow_permissions' },
  'GET /repos/{owner}/{repo}/actions/oidc/customization/sub': { has: 'use_default' },
  // a folder listing (array) or a file (object)
  'GET /repos/{owner}/{repo}/contents/{path}': 'json',
};

/** Why a 2xx body is not acceptable for `route`, or undefined when it is. */
export function shapeProblem(route: string, data: unknown): string | undefined {
  const shape = SHAPES[route] ?? 'json';
  const isObject = data !== null && typeof data === 'object' && !Array.isArray(data);
  if (typeof data === 'string') return data.trim() === '' ? 'the response body was empty' : 'the response body was not valid JSON (cut short?)';
  if (data === null || typeof data !== 'object' || data instanceof ArrayBuffer) return 'the response body was not JSON';
  if (shape === 'json') return undefined;
  if (shape === 'array') return Array.isArray(data) ? undefined : 'expected a list, got an object';
  if (shape === 'graphql') return isObject && ('data' in data || 'errors' in data) ? undefined : 'expected a GraphQL answer (data or errors)';
  if (!isObject) return 'expected an object, got a list';
  if ('list' in shape) return Array.isArray((data as Record<string, unknown>)[shape.list]) ? undefined : `expected a list under "${shape.list}"`;
  return (data as Record<string, unknown>)[shape.has] !== undefined ? undefined : `"${shape.has}" is missing`;
}

/** An @octokit/request error: `status`, and `response` when the server answered (none when the connection failed). */
interface HttpError extends Error {
  status: number;
  response?: { headers: Record<string, string | undefined> };
  cause?: unknown;
}
export function isHttpError(err: unknown): err is HttpError {
  return err instanceof Error && err.name === 'HttpError' && typeof (err as { status?: unknown }).status === 'number';
}

/** The error of a failed attempt as the connector should see it: our own timeout / malformed-body errors unwrapped. */
function unwrap(err: unknown): unknown {
  if (isHttpError(err) && !err.response && (err.cause instanceof RequestTimeout || err.cause instanceof MalformedResponse)) return err.cause;
  return err;
}

const tokenFromEnv = () => process.env.GITHUB_TOKEN || process.env.GH_TOKEN || undefined;

interface RetryPlan {
  waitMs: number;
  why: string;
}

/** Whether and after how long a failed attempt is tried again (undefined: give up). */
function retryPlan(err: unknown, attempt: number, o: ClientOptions): RetryPlan | undefined {
  if (attempt >= o.maxAttempts) return undefined;
  const backoff = o.retryDelayMs * 2 ** (attempt - 1);
  if (err instanceof MalformedResponse) return { waitMs: backoff, why: err.message };
  if (err instanceof GraphqlRateLimited) {
    const h = err.headers;
    const after = parseRetryAfter(h['retry-after']);
    const reset = Number(h['x-ratelimit-reset']);
    const waitMs = after ?? (Number.isFinite(reset) && reset > 0 ? Math.max(Math.ceil((reset * 1000 - Date.now()) / 1000) + 1, 0) * 1000 : 60_000);
    if (!Number.isFinite(waitMs) || waitMs > o.maxRetryAfterSeconds * 1000) return undefined;
    return { waitMs, why: 'GraphQL rate limit' };
  }
  if (!isHttpError(err)) return undefined;
  const response = err.response;
  // no response: the connection failed or the attempt timed out
  if (!response) return { waitMs: backoff, why: describeError(err) };
  const h = response.headers;
  if (err.status === 403 || err.status === 429) {
    const after = parseRetryAfter(h['retry-after']);
    const secondary = after !== undefined || /secondary rate limit/i.test(err.message);
    const primary = h['x-ratelimit-remaining'] === '0';
    if (!secondary && !primary) return undefined;
    const waitMs = secondary ? (after ?? 60_000) : Math.max(Math.ceil((Number(h['x-ratelimit-reset']) * 1000 - Date.now()) / 1000) + 1, 0) * 1000;
    if (!Number.isFinite(waitMs) || waitMs > o.maxRetryAfterSeconds * 1000) return undefined;
    return { waitMs, why: secondary ? 'secondary rate limit' : 'rate limit' };
  }
  if (err.status >= 500) return { waitMs: backoff, why: `HTTP ${err.status}` };
  return undefined;
}

/** The message of a RATE_LIMITED error in a GraphQL answer, if it has one. */
function rateLimitedError(data: unknown): string | undefined {
  const errors = (data as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return undefined;
  const e = errors.find((x) => (x as { type?: unknown })?.type === 'RATE_LIMITED') as { message?: unknown } | undefined;
  return e ? (typeof e.message === 'string' ? e.message : 'RATE_LIMITED') : undefined;
}

export function createClient(o: ClientOptions, calls: CallCounter, log: ScanContext['log'], signal?: AbortSignal): Octokit {
  const countingFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const method = (init?.method ?? 'GET').toUpperCase();
    calls.count(routeLabel(method, url, o.org));
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(o.requestTimeoutMs);
    const signals = [init?.signal, signal, timeout].filter((s): s is AbortSignal => Boolean(s));
    try {
      const res = await fetch(input, { ...init, signal: AbortSignal.any(signals) });
      // read the whole body here: a body that ends early (or never ends) fails this attempt, and is retried
      let body: ArrayBuffer | null = null;
      if (method !== 'HEAD' && ![101, 204, 205, 304].includes(res.status)) {
        try {
          body = await res.arrayBuffer();
        } catch (err) {
          if (timeout.aborted || signal?.aborted) throw err;
          throw new MalformedResponse(`the response body was cut short (${describeError((err as { cause?: unknown }).cause ?? err)})`);
        }
      }
      const copy = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      Object.defineProperty(copy, 'url', { value: res.url });
      return copy;
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      if (timeout.aborted) throw new RequestTimeout(o.requestTimeoutMs);
      throw err;
    }
  };
  const auth =
    o.appId && o.privateKeyFile
      ? { authStrategy: createAppAuth, auth: { appId: o.appId, privateKey: readFileSync(o.privateKeyFile, 'utf8'), ...(o.installationId ? { installationId: o.installationId } : {}) } }
      : { auth: tokenFromEnv() };
  const gh = new Octokit({
    ...auth,
    baseUrl: o.url.replace(/\/$/, ''),
    userAgent: `nhi-drift/${VERSION}`,
    request: { fetch: countingFetch },
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log.debug(`github: ${m}`), error: (m: string) => log.debug(`github: ${m}`) },
  });
  gh.hook.wrap('request', async (request, options) => {
    const { method, url } = gh.request.endpoint.parse(options as never);
    const route = routeLabel(method, url, o.org).slice('github:'.length);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await request(options);
        if (res.status >= 200 && res.status < 300 && res.status !== 204 && res.status !== 205) {
          const problem = shapeProblem(route, res.data);
          if (problem) throw new MalformedResponse(problem);
          const limited = route === 'POST /graphql' ? rateLimitedError(res.data) : undefined;
          if (limited !== undefined) throw new GraphqlRateLimited(limited, res.headers as Record<string, string | undefined>);
        }
        return res;
      } catch (err) {
        if (signal?.aborted) throw signal.reason ?? err;
        const plan = retryPlan(err, attempt, o);
        if (!plan) {
          const e = unwrap(err);
          if (attempt > 1 && e instanceof Error) Object.assign(e, { attempts: attempt });
          throw e;
        }
        log.debug(`github: ${method} ${route}: ${plan.why}; attempt ${attempt + 1} of ${o.maxAttempts} in ${Math.round(plan.waitMs / 100) / 10} s`);
        await sleep(plan.waitMs, signal);
      }
    }
  });
  return gh;
}

/** Find the installation of the App on the org (App auth without --github-installation-id). */
export async function resolveInstallation<T extends ClientOptions>(o: T, calls: CallCounter, log: ScanContext['log'], signal?: AbortSignal): Promise<T> {
  if (!o.appId || o.installationId) return o;
  const appClient = createClient({ ...o, installationId: undefined }, calls, log, signal);
  const { data } = await appClient.request('GET /orgs/{org}/installation', { org: o.org, request: { auth: { type: 'app' } } } as never);
  return { ...o, installationId: (data as { id: number }).id };
}
