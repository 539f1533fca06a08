/**
 * The Kubernetes connector: live through the API server (live.ts: the kubeconfig's current context, or
 * `--kube-context` / `--kubeconfig`), or offline from the `List` that
 * `kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings,pods -A -o json` prints
 * (see docs/connectors/kubernetes.md). Both feed the same items to map.ts.
 *
 * The cluster name is `--kube-cluster NAME`; else, live, the context's cluster name (characters ids do not allow become
 * `-`), offline, the file's base name without its extension (`prod-eu.json` → `prod-eu`).
 */
import path from 'node:path';
import { z } from 'zod';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { GraphRecord } from '../../src/model/types.js';
import { MiB, readBounded } from '../../src/util/bounded-read.js';
import { NhiError } from '../../src/util/errors.js';
import { checkConnection, CLUSTER_NAME, loadKubeTarget, readLiveCluster, readIssuer } from './live.js';
import { clusterScanTarget, CONNECTOR_ID, listItems, mapCluster, sanitizeItem } from './map.js';

export const k8sOptionsSchema = z
  .object({
    /** the kubectl List JSON */
    fromFile: z.string().min(1).optional(),
    /** the cluster name used in node ids (default: the context's cluster name; offline: the file's base name) */
    cluster: z.string().regex(CLUSTER_NAME, 'a cluster name: letters, digits, . _ : @ -').optional(),
    /** live: the kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster) */
    kubeconfig: z.string().min(1).optional(),
    /** live: the kubeconfig context (default: the current context) */
    context: z.string().min(1).optional(),
    /** live: items per list page (default 500) */
    pageSize: z.number().int().min(1).max(10_000).optional(),
    /** the cluster's service-account token issuer (default, live: read from /.well-known/openid-configuration) */
    issuer: z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'an issuer URL (https://oidc.eks.REGION.amazonaws.com/id/ID)').optional(),
  })
  .strict();
export type K8sOptions = z.infer<typeof k8sOptionsSchema>;

/** The API groups, resources and verbs a read-only scan needs. */
export const K8S_RESOURCES = [
  { apiGroup: '', resources: ['serviceaccounts', 'secrets', 'pods'] },
  { apiGroup: 'rbac.authorization.k8s.io', resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'] },
] as const;

export const REQUIRED_PERMISSIONS = K8S_RESOURCES.flatMap((g) => g.resources.map((r) => `${g.apiGroup ? `${g.apiGroup}/` : ''}${r}: get, list`));

/** The read-only ClusterRole (and its binding) for `nhi permissions kubernetes`. */
export const PERMISSIONS_DOCUMENT = `# Read-only access for nhi (the live scan, and kubectl get ... -A -o json for an offline one).
# Secrets: nhi reads only their metadata and type and drops data/stringData at the connector boundary,
# but the Kubernetes API has no metadata-only verb: get/list on secrets returns the values. The live scan lists only
# Secrets of type kubernetes.io/service-account-token (a field selector), so other Secrets' values are never sent.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: nhi-drift-reader
rules:
  - apiGroups: [""]
    resources: ["serviceaccounts", "secrets", "pods"]
    verbs: ["get", "list"]
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]
    verbs: ["get", "list"]
  # the service-account token issuer, to tie cloud trusts (IRSA, AKS workload identity) to this cluster
  - nonResourceURLs: ["/.well-known/openid-configuration"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: nhi-drift-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: nhi-drift-reader
subjects:
  - kind: ServiceAccount
    name: nhi-drift
    namespace: nhi-drift
`;

/** Size cap of the List file (a large cluster's List with pods is tens of megabytes). Internal: tests pass smaller. */
export const K8S_INPUT_LIMITS = { fileBytes: 512 * MiB };

const HINT = 'write it with: kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings,pods -A -o json > cluster.json';

/** The cluster name: the option, or the file's base name without its extension. */
export function clusterName(o: K8sOptions): string {
  if (o.cluster) return o.cluster;
  const base = path.basename(o.fromFile ?? 'cluster').replace(/\.[^.]*$/, '');
  return CLUSTER_NAME.test(base) ? base : 'cluster';
}

/** Read, parse and sanitise the List: secret values are dropped before anything else sees the items. */
export function readClusterFile(file: string, maxBytes = K8S_INPUT_LIMITS.fileBytes): unknown[] {
  const r = readBounded(file, { maxBytes });
  if (!r.ok) {
    const why = r.problem === 'missing' ? 'file not found' : r.problem === 'directory' ? 'is a folder, not a file' : r.reason;
    throw new NhiError('INPUT', `${file}: cannot read (${why})`, { suggestion: HINT });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(r.text);
  } catch (err) {
    throw new NhiError('INPUT', `${file}: not valid JSON (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`, { suggestion: HINT });
  }
  let items: unknown[];
  try {
    items = listItems(doc);
  } catch (err) {
    throw new NhiError('INPUT', `${file}: ${(err as Error).message}`, { suggestion: HINT });
  }
  for (const item of items) sanitizeItem(item);
  return items;
}

function options(ctx: ScanContext): K8sOptions {
  const o = k8sOptionsSchema.parse(ctx.options);
  if (o.fromFile && (o.kubeconfig || o.context)) {
    throw new NhiError('USAGE', `offline scan: ${o.context ? '--kube-context' : '--kubeconfig'} does not apply`, { suggestion: 'drop --from-file to scan the cluster live, or drop the kubeconfig options' });
  }
  return o;
}

export const kubernetesConnector: Connector = {
  id: CONNECTOR_ID,
  describe() {
    return {
      title: 'Kubernetes (API server, or offline: kubectl get ... -A -o json)',
      requiredPermissions: REQUIRED_PERMISSIONS,
      permissionsDocument: PERMISSIONS_DOCUMENT,
      options: k8sOptionsSchema,
    };
  },
  async validate(ctx) {
    const o = options(ctx);
    if (o.fromFile) {
      readClusterFile(o.fromFile);
      return;
    }
    await checkConnection(loadKubeTarget(o), ctx);
  },
  async *scan(ctx): AsyncIterable<GraphRecord> {
    const o = options(ctx);
    if (o.fromFile) {
      const cluster = clusterName(o);
      const items = readClusterFile(o.fromFile);
      ctx.progress(`cluster ${cluster}: ${items.length} objects`);
      yield { type: 'target', target: clusterScanTarget(cluster) };
      for (const r of mapCluster(items, { cluster, source: `file:${path.basename(o.fromFile)}`, now: ctx.now, issuer: o.issuer })) yield r;
      return;
    }
    const t = loadKubeTarget(o);
    const cluster = o.cluster ?? t.clusterName;
    ctx.progress(`cluster ${cluster}: context ${t.context} (${t.server})`);
    yield { type: 'target', target: clusterScanTarget(cluster) };
    const { items, notes } = await readLiveCluster(t, ctx, { cluster, pageSize: o.pageSize });
    ctx.progress(`cluster ${cluster}: ${items.length} objects`);
    const issuer = o.issuer ? { issuer: o.issuer } : await readIssuer(t, ctx, cluster);
    if (issuer.note) notes.push(issuer.note);
    for (const r of mapCluster(items, { cluster, source: `api:${t.server}`, now: ctx.now, input: 'cluster', issuer: issuer.issuer })) yield r;
    for (const coverage of notes) yield { type: 'coverage', coverage };
  },
};
