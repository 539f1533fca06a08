/**
 * A Cypher script that loads the export into Neo4j (`cypher-shell -f FILE`): a uniqueness constraint on
 * `NHIBase.id`, then `UNWIND [literal rows] AS row MERGE ...` statements of at most BATCH rows, nodes grouped by
 * their kinds (labels cannot be parameters in plain Cypher) and edges by their kind. Every string is a single-quoted
 * Cypher literal with `\\`, `'`, control and invisible characters escaped; property keys are back-quoted.
 */
import { BASE_KIND, type ExportModel, type PropValue, type Props } from './model.js';

export const CYPHER_BATCH = 1000;

/** A Cypher string literal: ASCII-safe escapes for quotes, backslashes and anything not plainly printable. */
// eslint-disable-next-line no-control-regex
const PLAIN = /^[^\\'\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff]*$/;

export function cypherString(s: string): string {
  if (PLAIN.test(s)) return `'${s}'`;
  let out = "'";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f || c === 0x061c)
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      // a surrogate pair is kept as it is (valid UTF-8); a lone half becomes an escape, never invalid UTF-8
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s.slice(i, i + 2);
        i++;
      } else out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}'`;
}

/** A back-quoted Cypher name (a label, a relationship type or a property key of any text). */
export function cypherName(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

function literal(v: PropValue): string {
  if (Array.isArray(v)) return `[${(v as Array<string | number | boolean>).map((x) => literal(x)).join(', ')}]`;
  if (typeof v === 'string') return cypherString(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v).includes('e') || String(v).includes('.') ? String(v) : `${v}.0`;
  return v ? 'true' : 'false';
}

function mapLiteral(props: Props): string {
  return `{${Object.entries(props)
    .map(([k, v]) => `${cypherName(k)}: ${literal(v)}`)
    .join(', ')}}`;
}

/** Batches of `size` from an iterable, grouped by `key` (each group flushed when full, the rest at the end). */
function* grouped<T>(items: Iterable<T>, key: (t: T) => string, size: number): Iterable<{ key: string; rows: T[] }> {
  const open = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let rows = open.get(k);
    if (!rows) open.set(k, (rows = []));
    rows.push(item);
    if (rows.length >= size) {
      yield { key: k, rows };
      open.set(k, []);
    }
  }
  for (const [k, rows] of open) if (rows.length) yield { key: k, rows };
}

export function* renderCypher(model: ExportModel, batch = CYPHER_BATCH): Iterable<string> {
  yield `// nhi export --format cypher: load with  cypher-shell -f FILE  (Neo4j 5; 4.4 also works)\n`;
  yield `CREATE CONSTRAINT nhi_base_id IF NOT EXISTS FOR (n:${BASE_KIND}) REQUIRE n.id IS UNIQUE;\n`;
  // at most one open batch per kind is held between grouping and writing, never the whole graph
  for (const { key, rows } of grouped(model.nodes(), (n) => n.kinds.join(','), batch)) {
    const labels = key.split(',').map(cypherName).join(':');
    const list = rows.map((n) => `  {id: ${cypherString(n.id)}, props: ${mapLiteral(n.properties)}}`);
    yield `UNWIND [\n${list.join(',\n')}\n] AS row\nMERGE (n:${cypherName(BASE_KIND)} {id: row.id})\nSET n:${labels}, n += row.props;\n`;
  }
  for (const { key, rows } of grouped(model.edges(), (e) => e.kind, batch)) {
    const list = rows.map((e) => `  {from: ${cypherString(e.from)}, to: ${cypherString(e.to)}, props: ${mapLiteral(e.properties)}}`);
    yield `UNWIND [\n${list.join(',\n')}\n] AS row\nMATCH (a:${cypherName(BASE_KIND)} {id: row.from})\nMATCH (b:${cypherName(BASE_KIND)} {id: row.to})\nMERGE (a)-[r:${cypherName(key)}]->(b)\nSET r += row.props;\n`;
  }
}
