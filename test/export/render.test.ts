/**
 * The export renderers on the query fixture account plus a user whose every name is built to break a format: the
 * OpenGraph output validates against BloodHound's schemas, Cypher strings decode to exactly the names, labels of
 * Mermaid and DOT cannot be escaped from, GraphML is well-formed XML, and no secret-named attribute is written.
 */
import { describe, expect, it } from 'vitest';
import { focusModel, renderExport, wholeModel } from '../../src/export/index.js';
import { becomeEdgeKind, factEdgeKind, nodeKind, pascal } from '../../src/export/model.js';
import { cypherName, cypherString } from '../../src/export/cypher.js';
import { mermaidText } from '../../src/export/mermaid.js';
import { dotString } from '../../src/export/dot.js';
import { xmlText } from '../../src/export/graphml.js';
import { graphAnalysis } from '../../src/paths/index.js';
import { safeLine } from '../../src/util/text.js';
import { NOW, userId } from '../cli/query-graph.js';
import { cypherStrings, TRICKY, TRICKY_USER, trickyGraph, validateOpenGraph, xmlWellFormed } from './support.js';

const graph = trickyGraph();
const analysis = graphAnalysis(graph, NOW);
const whole = (format: Parameters<typeof renderExport>[0]) => [...renderExport(format, wholeModel(graph, analysis))].join('');
const focused = (format: Parameters<typeof renderExport>[0], id = TRICKY_USER) => [...renderExport(format, focusModel(graph, analysis, graph.node(id)!, id))].join('');
const SECRETS = /hunter2|nested-secret|tok-should/;

describe('kind names', () => {
  it('are PascalCase words in the NHI_ namespace and match what BloodHound accepts', () => {
    expect(nodeKind('aws', 'iam-role')).toBe('NHI_AwsIamRole');
    expect(nodeKind('github', 'workflow')).toBe('NHI_GitHubWorkflow');
    expect(nodeKind('meta', 'owner')).toBe('NHI_Owner');
    expect(factEdgeKind('HAS_CREDENTIAL')).toBe('NHI_HasCredential');
    expect(becomeEdgeKind('aws-assume-role')).toBe('NHI_BecomeAwsAssumeRole');
    expect(pascal('a b/c-d')).toBe('ABCD');
  });
});

describe('opengraph', () => {
  const text = whole('opengraph');
  const doc = JSON.parse(text) as { metadata: { source_kind: string }; graph: { nodes: Array<{ id: string; kinds: string[]; properties: Record<string, unknown> }>; edges: Array<{ start: { value: string }; end: { value: string }; kind: string; properties: Record<string, unknown> }> } };

  it('validates against the BloodHound OpenGraph schemas', () => {
    expect(validateOpenGraph(doc), JSON.stringify(validateOpenGraph.errors?.slice(0, 3))).toBe(true);
    expect(doc.metadata.source_kind).toBe('NHIBase');
  });

  it('has a node for every edge end, kinds that match ^[A-Za-z0-9_]+$, and no property that is an object', () => {
    const ids = new Set(doc.graph.nodes.map((n) => n.id));
    expect(ids.size).toBe(doc.graph.nodes.length);
    for (const e of doc.graph.edges) {
      expect(ids.has(e.start.value), e.start.value).toBe(true);
      expect(ids.has(e.end.value), e.end.value).toBe(true);
    }
    for (const n of doc.graph.nodes) {
      for (const k of n.kinds) expect(k).toMatch(/^[A-Za-z0-9_]+$/);
      expect(n.kinds.at(-1)).toBe('NHIBase');
      expect(n.properties.objectid).toBeUndefined();
      for (const v of Object.values(n.properties)) expect(v === null || (typeof v === 'object' && !Array.isArray(v))).toBe(false);
    }
  });

  it('keeps names exactly, never writes a secret-named attribute, and stringifies nested and mixed values', () => {
    const tricky = doc.graph.nodes.find((n) => n.id === TRICKY_USER)!;
    expect(tricky.properties.name).toBe(TRICKY.join(' | '));
    expect(tricky.properties.list).toEqual(TRICKY);
    expect(tricky.properties.password).toBeUndefined();
    expect(typeof tricky.properties.nested).toBe('string');
    expect(typeof tricky.properties.mixed).toBe('string');
    expect(tricky.properties['tag_cost center']).toBe(TRICKY[0]);
    expect(text).not.toMatch(SECRETS);
  });

  it('carries the can-become edges of the paths engine as NHI_Become<Method> edges', () => {
    const keyMinter = userId('svc/key-minter');
    const become = doc.graph.edges.filter((e) => e.start.value === keyMinter && e.kind === 'NHI_BecomeAwsIamCreateAccessKey');
    expect(become.length).toBeGreaterThan(0);
    expect(become[0].properties).toMatchObject({ method: 'aws-iam-create-access-key', canbecome: true });
    expect(analysis.paths.edges.length).toBe(doc.graph.edges.filter((e) => e.kind.startsWith('NHI_Become')).length);
  });

  it('writes nothing a terminal acts on', () => {
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });
});

describe('cypher', () => {
  it('escapes strings and names so they decode to exactly what they were', () => {
    for (const t of TRICKY) expect(cypherStrings(cypherString(t))).toEqual([t]);
    expect(cypherString("a'b\\c\nd")).toBe("'a\\'b\\\\c\\nd'");
    expect(cypherName('a`b')).toBe('`a``b`');
  });

  it('loads the tricky names as they are, in UNWIND ... MERGE batches ending in ;', () => {
    const script = whole('cypher');
    const strings = cypherStrings(script);
    for (const t of TRICKY) expect(strings).toContain(t);
    expect(strings).toContain(TRICKY.join(' | '));
    expect(script).not.toMatch(SECRETS);
    // a string literal never holds a raw newline, so `;` at a line's end always ends a statement
    const statements = script.split(/;\n/).map((s) => s.replace(/^\/\/.*\n/gm, '')).filter((s) => s.trim());
    expect(statements[0]).toMatch(/^CREATE CONSTRAINT nhi_base_id IF NOT EXISTS/);
    for (const s of statements.slice(1)) expect(s).toMatch(/^UNWIND \[\n[\s\S]*\n\] AS row\n(MERGE|MATCH)/);
    expect(script).toContain('MERGE (a)-[r:`NHI_BecomeAwsIamCreateAccessKey`]->(b)');
  });

  it('splits a kind into batches of the given size', async () => {
    const { renderCypher } = await import('../../src/export/cypher.js');
    const script = [...renderCypher(wholeModel(graph, analysis), 2)].join('');
    const rows = script.split('\n').filter((l) => l.startsWith('  {'));
    const batches = script.split('UNWIND [').length - 1;
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(rows.length / 2));
  });
});

describe('mermaid and dot', () => {
  it('mermaid labels keep only safe characters; everything else is an entity code', () => {
    expect(mermaidText('a"b]#|<')).toBe('a#34;b#93;#35;#124;#60;');
    const text = focused('mermaid');
    expect(text.startsWith('flowchart LR\n')).toBe(true);
    for (const line of text.trim().split('\n').slice(1)) {
      expect(line).toMatch(/^ {2}(n\d+\["[^"\n]*"\]|n\d+ (-->|==>)\|"[^"|\n]*"\| n\d+|classDef .*|class [n\d,]+ \w+)$/);
    }
    expect(text).not.toMatch(/<script|pwned"/);
  });

  it('dot labels are quoted strings with \\ and " escaped and no line breaks', () => {
    expect(dotString('a"b\\')).toBe('"a\\"b\\\\"');
    const text = focused('dot');
    for (const line of text.trim().split('\n').slice(4, -1)) {
      expect(line).toMatch(/^ {2}n\d+( -> n\d+)? \[label="(?:[^"\\\n]|\\["\\])*"[^\n]*\];$/);
    }
    expect(text.trim().endsWith('}')).toBe(true);
    // the names are there (made one line), not lost
    expect(text).toContain(dotString(safeLine(TRICKY[0])).slice(1, -1));
  });

  it('--focus selects the neighbourhood: the identity, its facts, what it can become', () => {
    const keyMinter = userId('svc/key-minter');
    const model = focusModel(graph, analysis, graph.node(keyMinter)!, keyMinter);
    const ids = [...model.nodes()].map((n) => n.id);
    expect(ids[0]).toBe(keyMinter);
    expect(ids).toContain(userId('ci/build-bot'));
    expect(ids).not.toContain(TRICKY_USER.replace('tricky', 'nobody'));
    expect(ids.length).toBeLessThan(graph.nodes.size);
    const kinds = new Set([...model.edges()].map((e) => e.kind));
    expect(kinds.has('NHI_BecomeAwsIamCreateAccessKey')).toBe(true);
  });
});

describe('graphml', () => {
  it('is well-formed XML with every key declared before use', () => {
    const text = whole('graphml');
    expect(xmlWellFormed(text)).toBeUndefined();
    const declared = new Set([...text.matchAll(/<key id="([^"]+)"/g)].map((m) => m[1]));
    for (const m of text.matchAll(/<data key="([^"]+)"/g)) expect(declared.has(m[1])).toBe(true);
    expect(text).not.toMatch(SECRETS);
    expect(text).toContain(xmlText(TRICKY[5]));
  });

  it('the check itself refuses broken XML', () => {
    expect(xmlWellFormed('<a><b></a>')).toBeDefined();
    expect(xmlWellFormed('<a>x & y</a>')).toBeDefined();
    expect(xmlWellFormed('<a b="1" b="2"/>')).toBeDefined();
    expect(xmlWellFormed('<a>\u0001</a>')).toBeDefined();
    expect(xmlWellFormed('<a/><b/>')).toBeDefined();
    expect(xmlWellFormed(`<a t="${xmlText(TRICKY.join(''))}">${xmlText('<&>\u0000')}</a>`)).toBeUndefined();
  });
});
