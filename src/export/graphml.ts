/**
 * GraphML (http://graphml.graphdrawing.org/) of the export: keys declared first (a first pass over the nodes and edges
 * collects property names and types), then nodes and edges written as they come. Node ids are generated (`n0`, ...;
 * GraphML ids are NMTOKENs, which graph ids are not); the graph id is the `id` data. Arrays are JSON text. Every text
 * is XML-escaped, and characters XML 1.0 cannot carry become U+FFFD.
 */
import type { ExportModel, PropValue } from './model.js';

/** Text for XML content or a double-quoted attribute. */
export function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

type KeyType = 'string' | 'boolean' | 'double';

function typeOf(v: PropValue): KeyType {
  return typeof v === 'boolean' ? 'boolean' : typeof v === 'number' ? 'double' : 'string';
}

function valueText(v: PropValue): string {
  return Array.isArray(v) ? JSON.stringify(v) : String(v);
}

export function* renderGraphml(model: ExportModel): Iterable<string> {
  // pass 1: every property name with one type (mixed types: string)
  const keys = { node: new Map<string, KeyType>([['id', 'string'], ['kinds', 'string']]), edge: new Map<string, KeyType>([['kind', 'string']]) };
  const note = (m: Map<string, KeyType>, k: string, v: PropValue) => {
    const t = typeOf(v);
    const had = m.get(k);
    m.set(k, had === undefined || had === t ? t : 'string');
  };
  for (const n of model.nodes()) for (const [k, v] of Object.entries(n.properties)) note(keys.node, k, v);
  for (const e of model.edges()) for (const [k, v] of Object.entries(e.properties)) note(keys.edge, k, v);
  const keyId = { node: new Map<string, string>(), edge: new Map<string, string>() };
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n';
  for (const what of ['node', 'edge'] as const) {
    let i = 0;
    for (const [name, type] of keys[what]) {
      const id = `k${what[0]}${i++}`;
      keyId[what].set(name, id);
      yield `  <key id="${id}" for="${what}" attr.name="${xmlText(name)}" attr.type="${type}"/>\n`;
    }
  }
  yield '  <graph id="nhi" edgedefault="directed">\n';
  const ids = new Map<string, string>();
  const data = (what: 'node' | 'edge', k: string, v: PropValue) => `      <data key="${keyId[what].get(k)}">${xmlText(valueText(v))}</data>\n`;
  for (const n of model.nodes()) {
    const nid = `n${ids.size}`;
    ids.set(n.id, nid);
    let out = `    <node id="${nid}">\n${data('node', 'id', n.id)}${data('node', 'kinds', n.kinds.join(','))}`;
    for (const [k, v] of Object.entries(n.properties)) if (k !== 'id' && k !== 'kinds') out += data('node', k, v);
    yield `${out}    </node>\n`;
  }
  let e = 0;
  for (const edge of model.edges()) {
    const from = ids.get(edge.from);
    const to = ids.get(edge.to);
    if (!from || !to) continue;
    let out = `    <edge id="e${e++}" source="${from}" target="${to}">\n${data('edge', 'kind', edge.kind)}`;
    for (const [k, v] of Object.entries(edge.properties)) if (k !== 'kind') out += data('edge', k, v);
    yield `${out}    </edge>\n`;
  }
  yield '  </graph>\n</graphml>\n';
}
