/**
 * What every export format renders: the snapshot's graph as typed nodes and edges with flat properties, plus the
 * paths engine's "can become" edges, named with one kind scheme (docs/commands/export.md):
 *
 * - every kind is in the `NHI` namespace, `NHI_<Name>` (BloodHound's extension schemas require the namespace and an
 *   underscore on every node and edge kind they declare: see opengraph-extension.ts);
 * - node kinds: `NHI_<Platform><Type>` (`NHI_AwsIamRole`, `NHI_GcpServiceAccount`), then the model kind
 *   (`NHI_Principal`, `NHI_Credential`, `NHI_Entitlement`, `NHI_Resource`, `NHI_Workload`), then `NHIBase` (every
 *   node; the OpenGraph source kind, outside the namespace as BloodHound's own `GHBase` / `AZBase` are);
 *   ids the engine uses that are not graph nodes: `NHI_AdminSink` (full admin of an account), `NHI_Hub` (every target
 *   of a kind), `NHI_Anyone`, `NHI_GitHubWorkflowJob`, `NHI_ExternalRef`;
 * - edges of the graph (facts read from the platforms): `NHI_<EdgeType>` (`NHI_HasCredential`, `NHI_Granted`,
 *   `NHI_MemberOf`, `NHI_CanAssume` (a trust policy admits), `NHI_FederatesTo`, ...);
 * - "can become" edges of the paths engine: `NHI_Become<Method>` (`NHI_BecomeAwsAssumeRole`,
 *   `NHI_BecomeGcpSaKeyCreate`), with the method id in the `method` property.
 *
 * Properties are primitives or homogeneous arrays of primitives (what BloodHound OpenGraph, Neo4j and GraphML
 * accept): nested attribute values are written as JSON text, attributes named like a secret value are never written.
 * Nodes and edges are produced lazily, one at a time: a renderer writes each as it comes.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityEdge, IdentityNode } from '../model/types.js';
import { isHub } from '../paths/analyze.js';
import type { GraphAnalysis } from '../paths/index.js';
import { methodById } from '../paths/index.js';
import type { BecomeEdge } from '../paths/types.js';
import { foldHubs } from '../rules/privilege-escalation.js';
import { isSecretKey, looksLikeSecret } from '../store/redact.js';
import { nodeJson, statementJson, statementLine } from '../cli/query.js';

export type Primitive = string | number | boolean;
export type PropValue = Primitive | string[] | number[] | boolean[];
export type Props = Record<string, PropValue>;

export interface ExportNode {
  id: string;
  /** the first is the primary kind (BloodHound's icon); `NHIBase` is always last */
  kinds: string[];
  properties: Props;
}

export interface ExportEdge {
  from: string;
  to: string;
  kind: string;
  properties: Props;
}

export interface ExportModel {
  nodes(): Iterable<ExportNode>;
  edges(): Iterable<ExportEdge>;
  /** the identity the export is centred on (`--focus`) */
  focus?: string;
}

export const BASE_KIND = 'NHIBase';
/** The namespace of every node and edge kind: `NHI_<Name>`. */
export const NAMESPACE = 'NHI';
const ns = (name: string) => `${NAMESPACE}_${name}`;
/** Prefix of the "can become" edge kinds. */
export const BECOME_PREFIX = ns('Become');

const PLATFORM_WORD: Record<string, string> = { aws: 'Aws', gcp: 'Gcp', github: 'GitHub', gitlab: 'GitLab', k8s: 'K8s', entra: 'Entra', azure: 'Azure', workflows: 'Workflows', meta: '' };

/** `iam-user` → `IamUser`; anything outside [A-Za-z0-9] separates words (kinds must match ^[A-Za-z0-9_]+$). */
export function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

export function nodeKind(platform: string, type: string): string {
  return ns(`${PLATFORM_WORD[platform] ?? pascal(platform)}${pascal(type)}`);
}

/** `HAS_CREDENTIAL` → `NHI_HasCredential`. */
export function factEdgeKind(type: string): string {
  return ns(pascal(type.toLowerCase()));
}

/** `aws-assume-role` → `NHI_BecomeAwsAssumeRole`. */
export function becomeEdgeKind(method: string): string {
  return `${BECOME_PREFIX}${pascal(method)}`;
}

export const MODEL_KIND: Record<string, string> = { principal: ns('Principal'), credential: ns('Credential'), entitlement: ns('Entitlement'), resource: ns('Resource'), workload: ns('Workload') };
/** The kind of a graph node whose model kind is none of the above. */
export const NODE_KIND = ns('Node');
/** Kinds of ids the paths engine uses that are not graph nodes. */
export const META_KIND = { hub: ns('Hub'), adminSink: ns('AdminSink'), anyone: ns('Anyone'), workflowJob: ns('GitHubWorkflowJob'), externalRef: ns('ExternalRef') } as const;

/** A "can become" edge kind (the paths engine's), not a fact read from a platform. */
export function isBecomeKind(kind: string): boolean {
  return kind.startsWith(BECOME_PREFIX);
}

/** Kinds of an id the engine uses that is not a node of the graph (an admin sink, a hub, "anyone", a job). */
function syntheticKinds(graph: IdentityGraph, id: string): { kinds: string[]; properties: Props } {
  const j = nodeJson(graph, id);
  const kind = isHub(id)
    ? META_KIND.hub
    : j.type === 'admin-sink'
      ? META_KIND.adminSink
      : j.type === 'anyone'
        ? META_KIND.anyone
        : j.type === 'workflow-job'
          ? META_KIND.workflowJob
          : META_KIND.externalRef;
  const properties: Props = { name: j.name, platform: j.platform, type: isHub(id) ? 'hub' : j.type, nodekind: 'meta' };
  if (j.scope) properties.scope = j.scope;
  return { kinds: [kind, BASE_KIND], properties };
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

/** A value as a property: primitives as they are, homogeneous arrays of primitives too, anything else as JSON. */
function propValue(v: unknown): PropValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return looksLikeSecret(v) ? undefined : v;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (Array.isArray(v)) {
    // an empty list has no element type (Neo4j and BloodHound type arrays by their elements): left out
    if (v.length === 0) return undefined;
    const types = new Set(v.map((x) => typeof x));
    if (v.every((x) => x !== null && (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) && types.size <= 1) {
      if (v.some((x) => typeof x === 'string' && looksLikeSecret(x))) return undefined;
      if (v.some((x) => typeof x === 'number' && !Number.isFinite(x))) return JSON.stringify(v);
      return v as string[] | number[] | boolean[];
    }
  }
  const text = JSON.stringify(withoutSecrets(v));
  return text === undefined || looksLikeSecret(text) ? undefined : text;
}

/** A copy without keys that name a secret value, at any depth. */
function withoutSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutSecrets);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (!isSecretKey(k)) out[k] = withoutSecrets(x);
    return out;
  }
  return v;
}

/** Adds `key` (lower case) unless taken; a taken key is written with `prefix`. */
function put(props: Props, key: string, value: unknown, prefix = ''): void {
  const v = propValue(value);
  if (v === undefined) return;
  let k = key.toLowerCase();
  if (k in props || k === 'objectid') k = `${prefix || 'attr_'}${k}`;
  if (k in props) return;
  props[k] = v;
}

const NODE_FIELDS = ['accountType', 'disabled', 'credentialType', 'createdAt', 'lastRotatedAt', 'lastUsedAt', 'expiresAt', 'active', 'entitlementType', 'managedBy'] as const;

export function nodeProperties(node: IdentityNode, admin?: { why: string }): Props {
  const props: Props = { name: node.name, platform: node.platform, type: node.type, nodekind: node.kind };
  if (node.scope) props.scope = node.scope;
  if (node.externalId) props.externalid = node.externalId;
  const rec = node as unknown as Record<string, unknown>;
  for (const f of NODE_FIELDS) put(props, f, rec[f]);
  // the paths engine's verdict: BloodHound and Neo4j queries can start from `admin: true`
  props.admin = admin !== undefined;
  if (admin) props.adminwhy = admin.why;
  for (const [k, v] of Object.entries(node.tags ?? {})) if (!isSecretKey(k)) put(props, `tag_${k}`, v);
  for (const [k, v] of Object.entries(node.attributes ?? {})) if (!isSecretKey(k)) put(props, k, v);
  const sources = [...new Set(node.provenance.map((p) => `${p.connector}:${p.source}`))];
  if (sources.length) props.sources = sources;
  return props;
}

export function factEdgeProperties(edge: IdentityEdge): Props {
  const props: Props = { type: edge.type };
  for (const [k, v] of Object.entries(edge.attributes ?? {})) if (!isSecretKey(k)) put(props, k, v);
  const sources = [...new Set(edge.provenance.map((p) => `${p.connector}:${p.source}`))];
  if (sources.length) props.sources = sources;
  return props;
}

export function becomeEdgeProperties(graph: IdentityGraph, e: BecomeEdge): Props {
  const props: Props = { method: e.method, methodtitle: methodById(e.method)?.title ?? e.method, decision: e.decision, confidence: e.confidence, canbecome: true };
  if (e.unknownKeys.length) props.unknownkeys = [...e.unknownKeys];
  if (e.dependsOn) props.dependson = e.dependsOn;
  if (e.via) props.via = e.via;
  if (e.target && e.target !== e.to) props.target = e.target;
  if (e.statements.length) props.statements = e.statements.map((s) => statementLine(statementJson(graph, s)));
  return props;
}

// ---------------------------------------------------------------------------------------------------------------
// Models

function exportNode(graph: IdentityGraph, analysis: GraphAnalysis, id: string): ExportNode {
  const n = graph.node(id);
  if (!n) return { id, ...syntheticKinds(graph, id) };
  const kinds = [nodeKind(n.platform, n.type), MODEL_KIND[n.kind] ?? NODE_KIND, BASE_KIND];
  return { id, kinds, properties: nodeProperties(n, analysis.paths.admins.get(id)) };
}

function factEdge(e: IdentityEdge): ExportEdge {
  return { from: e.from, to: e.to, kind: factEdgeKind(e.type), properties: factEdgeProperties(e) };
}

function becomeEdge(graph: IdentityGraph, e: BecomeEdge): ExportEdge {
  return { from: e.from, to: e.to, kind: becomeEdgeKind(e.method), properties: becomeEdgeProperties(graph, e) };
}

/** The whole snapshot: every node, every edge of the graph, every "can become" edge (hubs kept as nodes). */
export function wholeModel(graph: IdentityGraph, analysis: GraphAnalysis): ExportModel {
  return {
    *nodes() {
      for (const id of graph.nodes.keys()) yield exportNode(graph, analysis, id);
      // ids an edge names that are no node of the graph: written as nodes so that no edge dangles
      const extra = new Set<string>();
      for (const e of graph.edges) for (const id of [e.from, e.to]) if (!graph.nodes.has(id)) extra.add(id);
      for (const e of analysis.paths.edges) for (const id of [e.from, e.to]) if (!graph.nodes.has(id)) extra.add(id);
      for (const id of [...extra].sort()) yield exportNode(graph, analysis, id);
    },
    *edges() {
      for (const e of graph.edges) yield factEdge(e);
      for (const e of analysis.paths.edges) yield becomeEdge(graph, e);
    },
  };
}

/** At most this many nodes in a focused export (the focus, its neighbours, what it can become). */
export const FOCUS_MAX_NODES = 300;

/**
 * One identity's neighbourhood: the identity, the nodes one graph edge away (its credentials, groups, policies,
 * owner, who may assume it) and everything it can become with one shortest path each (hubs folded into the hop that
 * enters them), plus the identities that can become it in one hop. `truncated` when the cap cut it.
 */
export function focusModel(graph: IdentityGraph, analysis: GraphAnalysis, focus: IdentityNode, start: string): ExportModel & { truncated: boolean } {
  const ids = new Set<string>([focus.id, start]);
  const edges = new Map<string, ExportEdge>();
  let truncated = false;
  const room = () => ids.size < FOCUS_MAX_NODES || ((truncated = true), false);
  const addEdge = (e: ExportEdge) => {
    if (!ids.has(e.from) && !room()) return;
    if (!ids.has(e.to) && !room()) return;
    ids.add(e.from);
    ids.add(e.to);
    edges.set(`${e.kind}|${e.from}|${e.to}`, e);
  };
  // what it can become first (the point of a focused view), then its facts, then who can become it
  for (const r of analysis.paths.reachable(start)) {
    for (const h of foldHubs({ start, end: r.id, hops: r.hops })) addEdge(becomeEdge(graph, { ...h.edge, from: h.from, to: h.to }));
  }
  for (const id of new Set([focus.id, start])) {
    for (const e of graph.out(id)) addEdge(factEdge(e));
    for (const e of graph.in(id)) addEdge(factEdge(e));
    for (const e of analysis.paths.edges) if (e.to === id && !isHub(e.from)) addEdge(becomeEdge(graph, e));
  }
  return {
    focus: focus.id,
    truncated,
    *nodes() {
      for (const id of ids) yield exportNode(graph, analysis, id);
    },
    *edges() {
      yield* edges.values();
    },
  };
}

/** Kinds an export can use for "can become" edges: every method of the catalogue, and the engine's own hops. */
export function becomeKinds(methods: Iterable<string>): string[] {
  return [...new Set([...methods].map(becomeEdgeKind))].sort();
}
