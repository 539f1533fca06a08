/**
 * Live Kubernetes scan through the API server with `@kubernetes/client-node` (1.x).
 *
 * The kubeconfig is `--kubeconfig PATH` or the default chain (KUBECONFIG, ~/.kube/config, in-cluster); `--kube-context`
 * picks the context. The seven kinds the offline List holds are listed cluster-wide (service accounts, token Secrets,
 * pods, Roles, RoleBindings, ClusterRoles, ClusterRoleBindings) with `limit` / `continue` paging, every page under one
 * concurrency bound. The typed objects the client returns are serialised back into the JSON kubectl prints (through
 * the client's own ObjectSerializer, with `apiVersion` and `kind` on every item), so map.ts makes the same graph from a
 * live cluster and from `kubectl get ... -A -o json`. (Fields newer than the client's models are dropped by its
 * deserializer; the mapping reads none of them.)
 *
 * One transport (a `wrapHttpLibrary` around the client's fetch library) carries every request: it counts each HTTP
 * attempt, retries 429 and 5xx a bounded number of times honouring Retry-After, bounds each attempt's time, and drops
 * a Secret list's `data` / `stringData` (sanitizeItem) before the client deserialises the page: secret values never
 * reach a typed object, a record, the store or a report. Secrets are listed with the field selector
 * `type=kubernetes.io/service-account-token` (only those are identities), so other Secrets' values are never sent.
 *
 * Faults: a 403 (or 404) on one kind becomes a coverage note naming the missing permission and what is lost, and the
 * other kinds are still read; a continue token that expired (410) restarts that list once from the beginning, then
 * becomes a note; 401 and an unreachable server are NhiErrors naming the context and server.
 */
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiException,
  CoreV1Api,
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  RbacAuthorizationV1Api,
  ResponseContext,
  ServerConfiguration,
  VersionApi,
  WellKnownApi,
  wrapHttpLibrary,
  type PromiseHttpLibrary,
  type RequestContext,
} from '@kubernetes/client-node';
// the client's own model serializer (not re-exported from the package root): typed object → the API's JSON
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import pLimit from 'p-limit';
import type { ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, CoverageReason } from '../../src/model/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';
import { parseRetryAfter } from '../../src/util/retry-after.js';
import { sleep } from '../../src/util/sleep.js';
import { redactUrl, urlParts } from '../../src/util/url.js';
import { CONNECTOR_ID, LEGACY_TOKEN_TYPE, sanitizeItem } from './map.js';

/** Request behaviour of a live scan. Internal: tests and the benchmark pass smaller values. */
export const K8S_LIVE_LIMITS = {
  /** items per list page (`limit`) */
  pageSize: 500,
  /** retries after the first attempt for 429 / 5xx */
  retries: 4,
  /** first backoff when the server sends no Retry-After (doubles each retry) */
  retryDelayMs: 500,
  /** the longest wait a Retry-After may ask for */
  maxRetryWaitMs: 30_000,
  /** one attempt of one request gives up after this long */
  requestTimeoutMs: 60_000,
};

/** Allowed in a cluster name (node ids). */
export const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,252}$/;

/** A kubeconfig context's cluster name as a cluster name for ids: other characters become `-`. */
export function sanitizeClusterName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._:@-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 253);
  return CLUSTER_NAME.test(s) ? s : 'cluster';
}

export interface LiveOptions {
  kubeconfig?: string;
  context?: string;
  pageSize?: number;
}

/** The kubeconfig, the context in use and its cluster. */
export interface KubeTarget {
  kc: KubeConfig;
  context: string;
  clusterName: string;
  server: string;
}

const CONTEXT_HINT = 'kubectl config get-contexts lists them; pass --kube-context NAME';

function contextList(kc: KubeConfig): string {
  const names = kc.getContexts().map((c) => c.name);
  return names.length ? names.join(', ') : 'none';
}

/** Load the kubeconfig and select the context: every problem is an NhiError, never a stack trace. */
export function loadKubeTarget(o: LiveOptions): KubeTarget {
  const kc = new KubeConfig();
  const where = o.kubeconfig ?? 'the default kubeconfig (KUBECONFIG, ~/.kube/config, in-cluster)';
  try {
    if (o.kubeconfig) {
      if (!existsSync(o.kubeconfig)) throw new NhiError('INPUT', `--kubeconfig ${o.kubeconfig}: file not found`);
      if (statSync(o.kubeconfig).isDirectory()) throw new NhiError('INPUT', `--kubeconfig ${o.kubeconfig}: is a folder, not a file`);
      kc.loadFromFile(o.kubeconfig);
    } else {
      kc.loadFromDefault();
    }
  } catch (err) {
    if (err instanceof NhiError) throw err;
    throw new NhiError('CONFIG', `cannot read ${where}: ${describeError(err)}`, { suggestion: 'check the file with: kubectl config view' });
  }
  // with nothing to load, the client falls back to an unauthenticated http://localhost:8080
  const fallback = !o.kubeconfig && kc.getCurrentCluster()?.server === 'http://localhost:8080' && !process.env.KUBECONFIG && !existsSync(path.join(os.homedir(), '.kube', 'config'));
  if (fallback) {
    throw new NhiError('CREDENTIALS', 'no kubeconfig found (KUBECONFIG unset, no ~/.kube/config, not running in a cluster)', { suggestion: 'pass --kubeconfig PATH, or scan offline with --from-file (kubectl get ... -A -o json)' });
  }
  if (o.context !== undefined) {
    if (!kc.getContextObject(o.context)) {
      throw new NhiError('USAGE', `--kube-context ${o.context}: no such context in ${where} (available: ${contextList(kc)})`, { suggestion: CONTEXT_HINT });
    }
    kc.setCurrentContext(o.context);
  }
  const context = kc.getCurrentContext();
  const ctxObj = context ? kc.getContextObject(context) : null;
  if (!ctxObj) throw new NhiError('CONFIG', `${where} has no current context (available: ${contextList(kc)})`, { suggestion: CONTEXT_HINT });
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new NhiError('CONFIG', `context ${context}: cluster ${ctxObj.cluster} is not defined in ${where}`, { suggestion: 'check the file with: kubectl config view' });
  return { kc, context, clusterName: sanitizeClusterName(cluster.name), server: redactUrl(cluster.server) };
}

/** Operation name of an API server request, for call counts: `core.serviceaccounts.list`, `rbac.roles.list`. */
export function operationOf(method: string, url: string): string {
  const p = urlParts(url)?.path;
  if (p === undefined) return 'unknown';
  if (p === '/version' || p === '/version/') return 'version.get';
  if (/^\/\.well-known\/openid-configuration\/?$/.test(p)) return 'wellknown.openid-configuration.get';
  const core = /^\/api\/v1\/([a-z]+)\/?$/.exec(p);
  if (core) return `core.${core[1]}.${method === 'GET' ? 'list' : method.toLowerCase()}`;
  const group = /^\/apis\/([^/]+)\/[^/]+\/([a-z]+)\/?$/.exec(p);
  if (group) return `${group[1].split('.')[0]}.${group[2]}.${method === 'GET' ? 'list' : method.toLowerCase()}`;
  return `${method.toLowerCase()} ${p}`;
}

/** A Secret list page with `data` and `stringData` dropped from each item, before the client parses it. */
function sanitizeSecretPage(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return ''; // not JSON: the client fails to parse it either way, and nothing of it is kept
  }
  const items = doc && typeof doc === 'object' && Array.isArray((doc as { items?: unknown }).items) ? (doc as { items: unknown[] }).items : [];
  for (const item of items) {
    if (item && typeof item === 'object') {
      const o = item as Record<string, unknown>;
      o.kind ??= 'Secret';
      sanitizeItem(o);
    }
  }
  return JSON.stringify(doc);
}

/** Connection failures that may heal on a second attempt (not a refused connection, DNS or TLS: those do not). */
const TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

function transient(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return false; // the scan was stopped: no retry
  const e = err as { name?: string; code?: unknown; errno?: unknown; message?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') return true; // this attempt's own time limit
  const code = typeof e?.code === 'string' ? e.code : typeof e?.errno === 'string' ? e.errno : '';
  return TRANSIENT.has(code) || /premature close|socket hang up/i.test(e?.message ?? '');
}

/**
 * The one choke point of every request: count the attempt, bound its time, read the whole body, retry 429 / 5xx
 * (Retry-After honoured, bounded), dropped connections, bodies cut short and attempts that timed out; strip secret
 * values from Secret pages.
 */
export class K8sTransport implements PromiseHttpLibrary {
  private readonly inner = new IsomorphicFetchHttpLibrary();

  constructor(private readonly ctx: Pick<ScanContext, 'calls' | 'log' | 'signal'>) {}

  async send(req: RequestContext): Promise<ResponseContext> {
    const op = operationOf(req.getHttpMethod().toString(), req.getUrl());
    const retry = async (attempt: number, why: string, asked?: number) => {
      const wait = Math.min(asked ?? K8S_LIVE_LIMITS.retryDelayMs * 2 ** attempt, K8S_LIVE_LIMITS.maxRetryWaitMs);
      this.ctx.log.debug(`kubernetes: ${op} ${why}; retry ${attempt + 1} of ${K8S_LIVE_LIMITS.retries} in ${wait} ms${asked !== undefined ? ' (Retry-After)' : ''}`);
      await sleep(wait, this.ctx.signal);
    };
    for (let attempt = 0; ; attempt++) {
      this.ctx.calls.count(op);
      const signals = [AbortSignal.timeout(K8S_LIVE_LIMITS.requestTimeoutMs), ...(this.ctx.signal ? [this.ctx.signal] : [])];
      req.setSignal(AbortSignal.any(signals));
      let res: ResponseContext;
      let body: Buffer;
      try {
        res = await this.inner.send(req).toPromise();
        body = await res.body.binary();
      } catch (err) {
        if (attempt < K8S_LIVE_LIMITS.retries && transient(err, this.ctx.signal)) {
          await retry(attempt, `failed (${describeError(err)})`);
          continue;
        }
        throw err;
      }
      const status = res.httpStatusCode;
      if ((status === 429 || status >= 500) && attempt < K8S_LIVE_LIMITS.retries) {
        await retry(attempt, `answered ${status}`, parseRetryAfter(res.headers['retry-after']));
        continue;
      }
      const text = op === 'core.secrets.list' && status >= 200 && status < 300 ? sanitizeSecretPage(body.toString('utf8')) : undefined;
      const bytes = text === undefined ? body : Buffer.from(text);
      return new ResponseContext(status, res.headers, { text: async () => bytes.toString('utf8'), binary: async () => bytes });
    }
  }
}

export interface K8sClients {
  core: CoreV1Api;
  rbac: RbacAuthorizationV1Api;
  version: VersionApi;
  wellKnown: WellKnownApi;
}

export function makeClients(t: KubeTarget, ctx: Pick<ScanContext, 'calls' | 'log' | 'signal'>): K8sClients {
  const server = t.kc.getCurrentCluster()!.server;
  const config = createConfiguration({ baseServer: new ServerConfiguration(server, {}), authMethods: { default: t.kc }, httpApi: wrapHttpLibrary(new K8sTransport(ctx)) });
  return { core: new CoreV1Api(config), rbac: new RbacAuthorizationV1Api(config), version: new VersionApi(config), wellKnown: new WellKnownApi(config) };
}

/** HTTP status of a failed call (ApiException), if it had one. */
function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The Status message a failed call carried (one line, bounded), or the error's own. */
function messageOf(err: unknown): string {
  if (err instanceof ApiException) {
    let msg: string | undefined;
    const body: unknown = err.body;
    try {
      const s = typeof body === 'string' ? (JSON.parse(body) as { message?: unknown }) : (body as { message?: unknown } | undefined);
      if (s && typeof s.message === 'string') msg = s.message;
    } catch {
      // not a Status object
    }
    const text = `${err.code}${msg ? `: ${msg}` : ''}`;
    return text.split('\n')[0].slice(0, 300);
  }
  const cause = (err as { code?: unknown; cause?: { code?: unknown } })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code;
  return `${describeError(err)}${typeof cause === 'string' && !describeError(err).includes(cause) ? ` (${cause})` : ''}`.slice(0, 300);
}

/** 401 on any call: the credentials of the context are refused; nothing else can be read. */
function unauthorized(t: KubeTarget, err: unknown): NhiError {
  return new NhiError('CREDENTIALS', `the API server of context ${t.context} (${t.server}) refused the credentials: ${messageOf(err)}`, {
    cause: err,
    suggestion: 'the token or client certificate in the kubeconfig is missing, expired or revoked: refresh it (e.g. the cloud CLI that writes it), then check with kubectl auth whoami',
  });
}

/** validate(): the API server answers `/version` with these credentials. */
export async function checkConnection(t: KubeTarget, ctx: Pick<ScanContext, 'calls' | 'log' | 'signal'>): Promise<void> {
  try {
    await makeClients(t, ctx).version.getCode();
  } catch (err) {
    const status = statusOf(err);
    if (status === 401) throw unauthorized(t, err);
    if (status === 403) return; // authenticated; /version is only not allowed: the lists say what they can read
    throw new NhiError('CONFIG', `cannot reach the API server of context ${t.context} (${t.server}): ${messageOf(err)}`, {
      cause: err,
      suggestion: 'check the network path to the cluster and the server address in the kubeconfig (kubectl cluster-info)',
    });
  }
}

/**
 * The cluster's service-account token issuer (`/.well-known/openid-configuration`), which cloud trusts name (an EKS
 * cluster's is `https://oidc.eks.<region>.amazonaws.com/id/<id>`). Kubernetes lets only service accounts read it by
 * default (ClusterRoleBinding system:service-account-issuer-discovery): a refusal is an informational note.
 */
export async function readIssuer(t: KubeTarget, ctx: Pick<ScanContext, 'calls' | 'log' | 'signal'>, cluster: string): Promise<{ issuer?: string; note?: CoverageNote }> {
  try {
    // typed as a string, but the client hands back the parsed JSON object
    const raw: unknown = await makeClients(t, ctx).wellKnown.getServiceAccountIssuerOpenIDConfiguration();
    const doc = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? {})) as { issuer?: unknown };
    if (typeof doc.issuer === 'string' && /^https?:\/\/\S+$/.test(doc.issuer)) return { issuer: doc.issuer };
    throw new Error('no issuer in the OpenID configuration');
  } catch (err) {
    const status = statusOf(err);
    return {
      note: {
        connector: CONNECTOR_ID,
        source: 'wellknown.openid-configuration.get',
        scope: cluster,
        reason: status === 403 ? 'permission-denied' : status === 404 ? 'not-found' : 'error',
        message: `the cluster's service-account issuer could not be read (${messageOf(err)}); pass --kube-issuer URL (kubectl get --raw /.well-known/openid-configuration)`,
        impact: "cloud trusts (IRSA, AKS workload identity) are joined to this cluster's accounts by subject alone, with medium confidence",
        incomplete: false,
      },
    };
  }
}

type Obj = Record<string, unknown>;
type ListPage = { metadata?: { _continue?: string }; items: unknown[] };
interface ListParams {
  limit: number;
  _continue?: string;
  fieldSelector?: string;
}

/** One kind the live scan lists: how, and what the report loses without it. */
interface KindSpec {
  kind: string;
  apiVersion: string;
  /** the resource (`secrets`) and its API group ('' = core) */
  resource: string;
  group: string;
  /** the client model of one item, for the serializer */
  model: string;
  fieldSelector?: string;
  list(c: K8sClients, p: ListParams): Promise<ListPage>;
  impact: string;
}

export const LIVE_KINDS: readonly KindSpec[] = [
  { kind: 'ServiceAccount', apiVersion: 'v1', resource: 'serviceaccounts', group: '', model: 'V1ServiceAccount', list: (c, p) => c.core.listServiceAccountForAllNamespaces(p), impact: 'service accounts are missing: no Kubernetes identities, and bindings to them resolve to nothing' },
  {
    kind: 'Secret',
    apiVersion: 'v1',
    resource: 'secrets',
    group: '',
    model: 'V1Secret',
    fieldSelector: `type=${LEGACY_TOKEN_TYPE}`,
    list: (c, p) => c.core.listSecretForAllNamespaces(p),
    impact: 'legacy service-account token Secrets are missing: k8s-legacy-service-account-token makes no claim, and long-lived tokens go unseen',
  },
  { kind: 'Pod', apiVersion: 'v1', resource: 'pods', group: '', model: 'V1Pod', list: (c, p) => c.core.listPodForAllNamespaces(p), impact: 'pods are missing: which account each workload runs as, and whether it mounts a token, are unknown' },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'roles', group: 'rbac.authorization.k8s.io', model: 'V1Role', list: (c, p) => c.rbac.listRoleForAllNamespaces(p), impact: 'Role rules are missing: rights given through RoleBindings to Roles are unknown' },
  { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'rolebindings', group: 'rbac.authorization.k8s.io', model: 'V1RoleBinding', list: (c, p) => c.rbac.listRoleBindingForAllNamespaces(p), impact: 'RoleBindings are missing: namespaced rights of service accounts are unknown' },
  { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', group: 'rbac.authorization.k8s.io', model: 'V1ClusterRole', list: (c, p) => c.rbac.listClusterRole(p), impact: 'ClusterRole rules are missing: rights given through bindings to ClusterRoles (cluster-admin included) are unknown' },
  { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io', model: 'V1ClusterRoleBinding', list: (c, p) => c.rbac.listClusterRoleBinding(p), impact: 'ClusterRoleBindings are missing: cluster-wide rights of service accounts (cluster-admin included) are unknown' },
];

/** Drop undefined members (the serializer writes every model field), recursively. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (v === null || typeof v !== 'object') return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = prune(x);
  return out;
}

/** A typed client object → the JSON kubectl prints for it (apiVersion, kind, dates as ISO strings), sanitised. */
export function toKubectlJson(spec: Pick<KindSpec, 'kind' | 'apiVersion' | 'model'>, item: unknown): Obj {
  const wire = prune(ObjectSerializer.serialize(item, spec.model, '')) as Obj;
  const out: Obj = { apiVersion: wire.apiVersion ?? spec.apiVersion, kind: wire.kind ?? spec.kind, ...wire };
  return sanitizeItem(out) as Obj;
}

function note(spec: KindSpec, cluster: string, reason: CoverageReason, message: string, impact = spec.impact): CoverageNote {
  return { connector: CONNECTOR_ID, source: operationOf('GET', `http://x/${spec.group ? `apis/${spec.group}/v1` : 'api/v1'}/${spec.resource}`), scope: cluster, reason, message, impact, incomplete: true };
}

function failureNote(spec: KindSpec, cluster: string, err: unknown, read: number): CoverageNote {
  const status = statusOf(err);
  const what = `list ${spec.resource}${spec.group ? `.${spec.group}` : ''} in all namespaces`;
  const partial = read > 0 ? ` (${read} read before the failure are kept)` : '';
  if (status === 403) return note(spec, cluster, 'permission-denied', `${what} was denied (${messageOf(err)}); grant get, list on ${spec.resource}${spec.group ? ` in API group ${spec.group}` : ''} (nhi permissions kubernetes prints the ClusterRole)`);
  if (status === 404) return note(spec, cluster, 'not-found', `${what}: the API server does not serve it (${messageOf(err)})`);
  if (status === 429) return note(spec, cluster, 'throttled', `${what} stayed throttled after ${K8S_LIVE_LIMITS.retries} retries (${messageOf(err)})${partial}`);
  if (status === 410) return note(spec, cluster, 'unavailable', `${what}: the continue token expired twice (${messageOf(err)}); the list changed faster than it could be paged${partial}`);
  if (status !== undefined && status >= 500) return note(spec, cluster, 'unavailable', `${what} failed after ${K8S_LIVE_LIMITS.retries} retries (${messageOf(err)})${partial}`);
  const aborted = err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
  return note(spec, cluster, aborted ? 'timeout' : 'error', `${what} failed (${messageOf(err)})${partial}`);
}

export interface LiveRead {
  /** kubectl-shaped, sanitised items of every kind read */
  items: Obj[];
  notes: CoverageNote[];
}

/**
 * List every kind, paging; a failure on one kind is a note and the others are still read. A 410 on a continue token
 * restarts that list once from the beginning. 401 stops the scan (NhiError).
 */
export async function readLiveCluster(t: KubeTarget, ctx: ScanContext, opts: { cluster: string; pageSize?: number }): Promise<LiveRead> {
  const clients = makeClients(t, ctx);
  const limit = pLimit(Math.max(1, ctx.concurrency));
  const pageSize = opts.pageSize ?? K8S_LIVE_LIMITS.pageSize;
  const perKind = await Promise.all(
    LIVE_KINDS.map(async (spec): Promise<{ items: Obj[]; note?: CoverageNote }> => {
      let items: Obj[] = [];
      let cont: string | undefined;
      let restarted = false;
      for (;;) {
        let page: ListPage;
        try {
          page = await limit(() => spec.list(clients, { limit: pageSize, _continue: cont, fieldSelector: spec.fieldSelector }));
        } catch (err) {
          const status = statusOf(err);
          if (status === 401) throw unauthorized(t, err);
          if (status === 410 && cont !== undefined && !restarted) {
            ctx.log.debug(`kubernetes: list ${spec.resource}: continue token expired (410); listing again from the start`);
            restarted = true;
            items = [];
            cont = undefined;
            continue;
          }
          return { items, note: failureNote(spec, opts.cluster, err, items.length) };
        }
        for (const item of page.items) items.push(toKubectlJson(spec, item));
        cont = page.metadata?._continue || undefined;
        if (!cont) break;
      }
      ctx.progress(`${spec.resource}: ${items.length}`);
      return { items };
    }),
  );
  return { items: perKind.flatMap((k) => k.items), notes: perKind.flatMap((k) => (k.note ? [k.note] : [])) };
}
