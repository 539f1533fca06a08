/**
 * `--format opengraph-kinds`: the node kinds of a snapshot with an icon and a colour, in the shape BloodHound CE's
 * custom node API takes (`POST /api/v2/custom-nodes` with `{"custom_types": {KIND: {"icon": {"type": "font-awesome",
 * "name", "color"}}}}`), and the edge kinds an export can use, those that path finding may traverse listed apart.
 * UNVERIFIED against a running BloodHound: see docs/commands/export.md.
 */
import { safeJson } from '../cli/query.js';
import { allMethodIds } from '../paths/index.js';
import { BASE_KIND, becomeKinds, factEdgeKind, type ExportModel } from './model.js';

const ICON_BY_MODEL: Record<string, { name: string; color: string }> = {
  NHIPrincipal: { name: 'robot', color: '#4F86C6' },
  NHICredential: { name: 'key', color: '#E0A526' },
  NHIEntitlement: { name: 'scroll', color: '#7DAA5A' },
  NHIResource: { name: 'cube', color: '#9A8C98' },
  NHIWorkload: { name: 'gears', color: '#B565A7' },
  NHIAdminSink: { name: 'crown', color: '#D7263D' },
  NHIHub: { name: 'circle-nodes', color: '#B0B0B0' },
  NHIAnyone: { name: 'users', color: '#D7263D' },
  NHIGitHubWorkflowJob: { name: 'play', color: '#B565A7' },
  NHIExternalRef: { name: 'link', color: '#B0B0B0' },
};
const PEOPLE = /(^|-)(user|root)$/;

/** Graph edge types the connectors emit (src/model/types.ts EdgeType, and RUNS_AS). */
const FACT_EDGE_TYPES = ['HAS_CREDENTIAL', 'GRANTED', 'MEMBER_OF', 'CAN_ASSUME', 'OWNED_BY', 'USES_SECRET', 'FEDERATES_TO', 'IN_SCOPE', 'CAN_ACCESS', 'RUNS_AS'];

export function* renderOpenGraphKinds(model: ExportModel): Iterable<string> {
  const custom: Record<string, { icon: { type: 'font-awesome'; name: string; color: string } }> = {};
  const seenEdges = new Set<string>();
  for (const n of model.nodes()) {
    const primary = n.kinds[0];
    if (custom[primary]) continue;
    const base = ICON_BY_MODEL[n.kinds.find((k) => ICON_BY_MODEL[k]) ?? ''] ?? ICON_BY_MODEL.NHIResource;
    const name = n.properties.nodekind === 'principal' && PEOPLE.test(String(n.properties.type)) ? 'user' : base.name;
    custom[primary] = { icon: { type: 'font-awesome', name, color: base.color } };
  }
  for (const e of model.edges()) seenEdges.add(e.kind);
  // the catalogues' methods, and any method an edge of this export carries that no catalogue lists
  const traversable = [...new Set([...becomeKinds(allMethodIds()), ...[...seenEdges].filter((k) => k.startsWith('NHIBecome'))])].sort();
  const facts = FACT_EDGE_TYPES.map(factEdgeKind);
  yield `${safeJson(
    {
      $comment: 'nhi export --format opengraph-kinds: icons for POST /api/v2/custom-nodes (custom_types); edge kinds for reference. Unverified against a running BloodHound.',
      source_kind: BASE_KIND,
      custom_types: custom,
      edge_kinds: {
        traversable,
        facts: [...new Set([...facts, ...[...seenEdges].filter((k) => !k.startsWith('NHIBecome'))])].sort(),
      },
    },
    2,
  )}\n`;
}
