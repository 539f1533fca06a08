/**
 * The Kubernetes connector, offline: the `List` that
 * `kubectl get serviceaccounts,secrets,roles,rolebindings,clusterroles,clusterrolebindings,pods -A -o json` prints
 * (see docs/connectors/kubernetes.md). A live scan through the API server comes later.
 *
 * The cluster name is `--kube-cluster NAME`, or the file's base name without its extension (`prod-eu.json` → `prod-eu`).
 */
import path from 'node:path';
import { z } from 'zod';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { GraphRecord } from '../../src/model/types.js';
import { MiB, readBounded } from '../../src/util/bounded-read.js';
import { NhiError } from '../../src/util/errors.js';
import { clusterScanTarget, CONNECTOR_ID, listItems, mapCluster, sanitizeItem } from './map.js';

const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,252}$/;

export const k8sOptionsSchema = z
  .object({
    /** the kubectl List JSON */
    fromFile: z.string().min(1).optional(),
    /** the cluster name used in node ids (default: the file's base name without extension) */
    cluster: z.string().regex(CLUSTER_NAME, 'a cluster name: letters, digits, . _ : @ -').optional(),
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
export const PERMISSIONS_DOCUMENT = `# Read-only access for nhi (kubectl get ... -A -o json, and the live scan to come).
# Secrets: nhi reads only their metadata and type and drops data/stringData at the connector boundary,
# but the Kubernetes API has no metadata-only verb for kubectl: get/list on secrets returns the values.
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

function options(ctx: ScanContext): K8sOptions & { fromFile: string } {
  const o = k8sOptionsSchema.parse(ctx.options);
  if (!o.fromFile) {
    throw new NhiError('USAGE', 'the kubernetes connector scans offline only for now: live scans through the API server come later', { suggestion: `pass --from-file cluster.json; ${HINT}` });
  }
  return { ...o, fromFile: o.fromFile };
}

export const kubernetesConnector: Connector = {
  id: CONNECTOR_ID,
  describe() {
    return {
      title: 'Kubernetes (offline: kubectl get ... -A -o json)',
      requiredPermissions: REQUIRED_PERMISSIONS,
      permissionsDocument: PERMISSIONS_DOCUMENT,
      options: k8sOptionsSchema,
    };
  },
  async validate(ctx) {
    const o = options(ctx);
    readClusterFile(o.fromFile);
  },
  async *scan(ctx): AsyncIterable<GraphRecord> {
    const o = options(ctx);
    const cluster = clusterName(o);
    const items = readClusterFile(o.fromFile);
    ctx.progress(`cluster ${cluster}: ${items.length} objects`);
    yield { type: 'target', target: clusterScanTarget(cluster) };
    for (const r of mapCluster(items, { cluster, source: `file:${path.basename(o.fromFile)}`, now: ctx.now })) yield r;
  },
};
