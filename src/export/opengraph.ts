/**
 * BloodHound OpenGraph JSON (the generic ingest format: test/fixtures/bloodhound-opengraph/), one node or edge per
 * line, written as it is produced. Edges name their ends by id (`match_by: 'id'`).
 */
import { safeJson } from '../cli/query.js';
import { BASE_KIND, type ExportModel } from './model.js';

export function* renderOpenGraph(model: ExportModel): Iterable<string> {
  yield `{\n  "metadata": ${safeJson({ source_kind: BASE_KIND }, 0)},\n  "graph": {\n    "nodes": [`;
  let first = true;
  for (const n of model.nodes()) {
    yield `${first ? '' : ','}\n      ${safeJson({ id: n.id, kinds: n.kinds, properties: n.properties }, 0)}`;
    first = false;
  }
  yield `${first ? '' : '\n    '}],\n    "edges": [`;
  first = true;
  for (const e of model.edges()) {
    const edge = { start: { value: e.from, match_by: 'id' }, end: { value: e.to, match_by: 'id' }, kind: e.kind, properties: e.properties };
    yield `${first ? '' : ','}\n      ${safeJson(edge, 0)}`;
    first = false;
  }
  yield `${first ? '' : '\n    '}]\n  }\n}\n`;
}
