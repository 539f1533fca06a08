/**
 * What the export tests share: the OpenGraph upload schema (the BloodHound node, edge and metadata schemas of
 * test/fixtures/bloodhound-opengraph/ under one document), a fixture graph with names built to break every format,
 * and a strict little XML well-formedness check (no XML parser is a dependency).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { graphAnalysis } from '../../src/paths/index.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import { fixtureGraph, NOW } from '../cli/query-graph.js';

const schema = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/bloodhound-opengraph/${name}.json`, import.meta.url), 'utf8')) as object;

/** An upload as BloodHound reads it: optional metadata, then the graph's nodes and edges. */
export const validateOpenGraph = new Ajv({ allErrors: true, strict: false })
  .addSchema(schema('node'), 'node.json')
  .addSchema(schema('edge'), 'edge.json')
  .addSchema(schema('metadata'), 'metadata.json')
  .compile({
    type: 'object',
    required: ['graph'],
    additionalProperties: false,
    properties: {
      metadata: { $ref: 'metadata.json' },
      graph: {
        type: 'object',
        required: ['nodes'],
        additionalProperties: false,
        properties: { nodes: { type: 'array', items: { $ref: 'node.json' } }, edges: { type: 'array', items: { $ref: 'edge.json' } } },
      },
    },
  });

/** Names that break quoting in one language or another. */
export const TRICKY = [
  `it's "quoted"`,
  'back\\slash\\',
  'new\nline\r\ttab',
  'ünïcødé 名前 🚀',
  '"] --> n0["pwned',
  '<script>alert(1)</script> & </graphml>',
  '`tick` ;; MATCH (n) DETACH DELETE n; //',
  '#35; #quot; |pipe|',
  'esc\u001b[31mred\u202ebidi\u0000nul',
];

export const TRICKY_USER = 'aws:iam-user:tricky';

/** The query fixture account plus a user and a key whose names, tags and attributes are all tricky. */
export function trickyGraph(): IdentityGraph {
  const g = fixtureGraph();
  const provenance = [{ connector: 'aws', source: 'test', observedAt: NOW.toISOString() }];
  g.addNode({
    id: TRICKY_USER,
    kind: 'principal',
    platform: 'aws',
    type: 'iam-user',
    name: TRICKY.join(' | '),
    accountType: 'service',
    tags: { 'cost center': TRICKY[0], 'a`b': TRICKY[2] },
    attributes: {
      arn: 'arn:aws:iam::111122223333:user/tricky',
      password: 'hunter2-should-never-show',
      nested: { clientSecret: 'nested-secret-should-never-show', keep: TRICKY[3] },
      mixed: [1, 'two', true],
      list: [...TRICKY],
    },
    provenance,
  });
  TRICKY.forEach((name, i) => {
    const id = `aws:access-key:tricky-${i}:${name}`;
    g.addNode({ id, kind: 'credential', platform: 'aws', type: 'access-key', credentialType: 'access-key', name, active: true, provenance });
    g.addEdge({ type: 'HAS_CREDENTIAL', from: TRICKY_USER, to: id, attributes: { note: name, token: 'tok-should-never-show' }, provenance });
  });
  graphAnalysis(g, NOW);
  return g;
}

/**
 * XML 1.0 well-formedness for what the GraphML renderer writes: one root, tags balanced and named, attributes
 * quoted and unique, only the five predefined entities or character references, no raw `<` or `&` in text, no
 * character XML cannot carry. Comments, CDATA and DOCTYPE are refused (the renderer writes none).
 */
export function xmlWellFormed(xml: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml)) return 'a character XML 1.0 cannot carry';
  const NAME = '[A-Za-z_][A-Za-z0-9._:-]*';
  const ATTR = new RegExp(`^\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`);
  const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/y;
  const checkText = (t: string): string | undefined => {
    for (let i = t.indexOf('&'); i >= 0; i = t.indexOf('&', i + 1)) {
      ENTITY.lastIndex = i;
      if (!ENTITY.test(t)) return `a bare & at ${t.slice(i, i + 12)}`;
    }
    return t.includes('>') && /]]>/.test(t) ? 'a ]]> in text' : undefined;
  };
  let at = 0;
  if (xml.startsWith('<?xml')) at = xml.indexOf('?>') + 2;
  const stack: string[] = [];
  let roots = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    const text = xml.slice(at, lt < 0 ? xml.length : lt);
    const bad = checkText(text);
    if (bad) return bad;
    if (stack.length === 0 && text.trim()) return 'text outside the root';
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt);
    if (gt < 0) return 'an unclosed tag';
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      if (stack.pop() !== name) return `</${name}> closes nothing open`;
    } else {
      const m = new RegExp(`^(${NAME})`).exec(tag);
      if (!m) return `a bad tag <${tag.slice(0, 20)}`;
      let rest = tag.slice(m[1].length);
      const selfClosing = rest.endsWith('/');
      if (selfClosing) rest = rest.slice(0, -1);
      const seen = new Set<string>();
      while (rest.trim()) {
        const a = ATTR.exec(rest);
        if (!a) return `a bad attribute in <${m[1]}: ${rest.slice(0, 30)}`;
        if (seen.has(a[1])) return `attribute ${a[1]} twice`;
        seen.add(a[1]);
        const bad2 = checkText(a[2]);
        if (bad2) return bad2;
        rest = rest.slice(a[0].length);
      }
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(m[1]);
    }
    at = gt + 1;
  }
  if (stack.length) return `<${stack.at(-1)}> is never closed`;
  return roots === 1 ? undefined : `${roots} root elements`;
}

/** The text of every single-quoted Cypher string literal, decoded; throws on a literal that never ends. */
export function cypherStrings(script: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < script.length; i++) {
    if (script[i] === '/' && script[i + 1] === '/') {
      i = script.indexOf('\n', i);
      if (i < 0) break;
      continue;
    }
    if (script[i] === '`') {
      const end = script.indexOf('`', i + 1);
      i = end;
      while (script[i + 1] === '`') i = script.indexOf('`', i + 2);
      continue;
    }
    if (script[i] !== "'") continue;
    let s = '';
    for (i++; ; i++) {
      if (i >= script.length) throw new Error('a string literal that never ends');
      const c = script[i];
      if (c === "'") break;
      if (c === '\n') throw new Error('a raw newline in a string literal');
      if (c !== '\\') {
        s += c;
        continue;
      }
      const e = script[++i];
      if (e === 'u') {
        s += String.fromCharCode(parseInt(script.slice(i + 1, i + 5), 16));
        i += 4;
      } else s += ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ?? `\\${e}`;
    }
    out.push(s);
  }
  return out;
}
