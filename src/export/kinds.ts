/**
 * What BloodHound needs besides the OpenGraph upload, from the kinds of a snapshot (docs/commands/export.md):
 *
 * - `--format opengraph-extension`: an OpenGraph *extension definition schema*, the body of BloodHound's
 *   `PUT /api/v2/extensions` (or the file installed on its OpenGraph Management page): the `NHI` namespace, every node
 *   kind with a Font Awesome icon and a colour, every edge kind with `is_traversable` (the "can become" kinds: yes; the
 *   facts read from the platforms: no). An upload whose kinds an installed extension declares is a *structured* graph,
 *   the kind BloodHound's path finding works on. The shape and the rules are those of BloodHound's own source
 *   (GraphExtensionPayload and GraphExtensionInput.Validate; test/fixtures/bloodhound-extension/).
 * - `--format opengraph-kinds`: icons only, the body of the older custom node API (`POST /api/v2/custom-nodes`,
 *   `{"custom_types": {KIND: {"icon": {"type": "font-awesome", "name", "color"}}}}`), for a BloodHound without
 *   extension management; with the edge kinds for reference (BloodHound's decoder ignores fields it does not know).
 */
import { safeJson } from '../cli/query.js';
import { allMethodIds } from '../paths/index.js';
import { VERSION } from '../version.js';
import { BASE_KIND, becomeKinds, factEdgeKind, isBecomeKind, META_KIND, MODEL_KIND, NAMESPACE, NODE_KIND, type ExportModel, type ExportNode } from './model.js';

const ICON_BY_KIND: Record<string, { name: string; color: string }> = {
  [MODEL_KIND.principal]: { name: 'robot', color: '#4F86C6' },
  [MODEL_KIND.credential]: { name: 'key', color: '#E0A526' },
  [MODEL_KIND.entitlement]: { name: 'scroll', color: '#7DAA5A' },
  [MODEL_KIND.resource]: { name: 'cube', color: '#9A8C98' },
  [MODEL_KIND.workload]: { name: 'gears', color: '#B565A7' },
  [NODE_KIND]: { name: 'cube', color: '#9A8C98' },
  [META_KIND.adminSink]: { name: 'crown', color: '#D7263D' },
  [META_KIND.hub]: { name: 'circle-nodes', color: '#B0B0B0' },
  [META_KIND.anyone]: { name: 'users', color: '#D7263D' },
  [META_KIND.workflowJob]: { name: 'play', color: '#B565A7' },
  [META_KIND.externalRef]: { name: 'link', color: '#B0B0B0' },
};
const PEOPLE = /(^|-)(user|root)$/;

/** Graph edge types the connectors emit (src/model/types.ts EdgeType, and RUNS_AS). */
const FACT_EDGE_TYPES = ['HAS_CREDENTIAL', 'GRANTED', 'MEMBER_OF', 'CAN_ASSUME', 'OWNED_BY', 'USES_SECRET', 'FEDERATES_TO', 'IN_SCOPE', 'CAN_ACCESS', 'RUNS_AS'];

const MODEL_WORDS: Record<string, string> = {
  [MODEL_KIND.principal]: 'an identity that can act (a user, role, service account, app)',
  [MODEL_KIND.credential]: 'a credential of an identity (a key, token or secret; never its value)',
  [MODEL_KIND.entitlement]: 'a grant: a policy, role or permission set',
  [MODEL_KIND.resource]: 'a resource a grant applies to',
  [MODEL_KIND.workload]: 'a workload that runs as an identity (a CI job, a pod, a function)',
  [NODE_KIND]: 'a node of the graph',
  [META_KIND.adminSink]: 'full administrative control of an account, project or tenant',
  [META_KIND.hub]: 'every target of one kind (a wildcard grant)',
  [META_KIND.anyone]: 'anyone: a trust or grant open to every principal',
  [META_KIND.workflowJob]: 'a GitHub Actions job of a workflow',
  [META_KIND.externalRef]: 'an identity outside the scanned estate',
};

/** The icon of a node: its model kind's, a person for a human user or root. */
function iconOf(n: ExportNode): { name: string; color: string } {
  const base = ICON_BY_KIND[n.kinds.find((k) => ICON_BY_KIND[k]) ?? ''] ?? ICON_BY_KIND[MODEL_KIND.resource];
  return { name: n.properties.nodekind === 'principal' && PEOPLE.test(String(n.properties.type)) ? 'user' : base.name, color: base.color };
}

interface KindsSeen {
  /** primary kind → one node of it */
  primary: Map<string, ExportNode>;
  edges: Set<string>;
}

function kindsOf(model: ExportModel): KindsSeen {
  const primary = new Map<string, ExportNode>();
  const edges = new Set<string>();
  for (const n of model.nodes()) if (!primary.has(n.kinds[0])) primary.set(n.kinds[0], n);
  for (const e of model.edges()) edges.add(e.kind);
  return { primary, edges };
}

/** Edge kinds: every "can become" method of the catalogues and of this export, and every fact kind. */
function edgeKinds(seen: KindsSeen): { traversable: string[]; facts: string[] } {
  const traversable = [...new Set([...becomeKinds(allMethodIds()), ...[...seen.edges].filter(isBecomeKind)])].sort();
  const facts = [...new Set([...FACT_EDGE_TYPES.map(factEdgeKind), ...[...seen.edges].filter((k) => !isBecomeKind(k))])].sort();
  return { traversable, facts };
}

export function* renderOpenGraphKinds(model: ExportModel): Iterable<string> {
  const seen = kindsOf(model);
  const custom: Record<string, { icon: { type: 'font-awesome'; name: string; color: string } }> = {};
  for (const [kind, n] of seen.primary) custom[kind] = { icon: { type: 'font-awesome', ...iconOf(n) } };
  yield `${safeJson(
    {
      $comment: 'nhi export --format opengraph-kinds: icons for POST /api/v2/custom-nodes (custom_types); edge kinds for reference. For path finding, install --format opengraph-extension instead.',
      source_kind: BASE_KIND,
      custom_types: custom,
      edge_kinds: edgeKinds(seen),
    },
    2,
  )}\n`;
}

/** BloodHound wants a semantic version; a build suffix our version may carry is kept only if it is one. */
function semver(v: string): string {
  return /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v) ? v : '0.0.0';
}

/** `NHI_AwsIamUser` → `Aws Iam User`: a display name from the kind. */
function words(kind: string): string {
  return kind
    .slice(NAMESPACE.length + 1)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
}

export function* renderOpenGraphExtension(model: ExportModel): Iterable<string> {
  const seen = kindsOf(model);
  // the platform kinds of this snapshot (displayed), then the model and engine kinds every export can use
  const nodeKinds: Array<{ name: string; display_name: string; description: string; is_display_kind: boolean; icon: string; color: string }> = [];
  const declared = new Set<string>();
  const add = (name: string, description: string, display: boolean, icon: { name: string; color: string }) => {
    if (declared.has(name)) return;
    declared.add(name);
    nodeKinds.push({ name, display_name: words(name), description, is_display_kind: display, icon: icon.name, color: icon.color });
  };
  for (const [kind, n] of [...seen.primary].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const model = n.kinds.find((k) => MODEL_WORDS[k]);
    add(kind, MODEL_WORDS[kind] ?? `${String(n.properties.platform ?? '')} ${String(n.properties.type ?? '')}`.trim() + (model ? `: ${MODEL_WORDS[model]}` : ''), true, iconOf(n));
  }
  for (const kind of Object.keys(ICON_BY_KIND)) add(kind, MODEL_WORDS[kind] ?? words(kind), Object.values(META_KIND).includes(kind as never), ICON_BY_KIND[kind]);
  const { traversable, facts } = edgeKinds(seen);
  const relationshipKinds = [
    ...traversable.map((name) => ({ name, description: `can become (nhi paths engine): ${words(name).replace(/^Become /, '')}`, is_traversable: true })),
    ...facts.map((name) => ({ name, description: `read from the platform: ${words(name)}`, is_traversable: false })),
  ];
  yield `${safeJson(
    {
      schema: { name: 'nhi-drift', display_name: 'nhi-drift non-human identities', version: semver(VERSION), namespace: NAMESPACE },
      node_kinds: nodeKinds,
      relationship_kinds: relationshipKinds,
      environments: [],
      relationship_findings: [],
    },
    2,
  )}\n`;
}
