/**
 * `nhi export` end to end on the demo estate (run `npm run build` first): the OpenGraph upload validates and carries
 * the demo's escalation (jenkins-builder can become cross-env-admin), --focus draws a neighbourhood, the diagram
 * formats need --focus, an unknown identity is one clear usage error, and -o writes a private file.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nhi, STACK_LINE } from '../e2e/run.js';
import { validateOpenGraph, xmlWellFormed } from './support.js';

let dir: string;
let store: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-e2e-export-'));
  store = path.join(dir, 'demo.db');
  const scan = await nhi(['scan', '--demo', '--store', store, '-q', '-f', 'json']);
  expect(scan.stderr).not.toMatch(STACK_LINE);
  expect(scan.code === 0 || scan.code === 1).toBe(true);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Upload {
  graph: {
    nodes: Array<{ id: string; kinds: string[]; properties: Record<string, unknown> }>;
    edges: Array<{ start: { value: string }; end: { value: string }; kind: string; properties: Record<string, unknown> }>;
  };
}

const idByName = (doc: Upload, name: string, type: string) => doc.graph.nodes.find((n) => n.properties.name === name && n.properties.type === type)?.id;

describe('nhi export on the demo estate', () => {
  it('--format opengraph validates against the BloodHound schemas and holds the path edges', async () => {
    const r = await nhi(['export', '--format', 'opengraph', '--store', store]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as Upload;
    expect(validateOpenGraph(doc), JSON.stringify(validateOpenGraph.errors?.slice(0, 3))).toBe(true);
    const jenkins = idByName(doc, 'jenkins-builder', 'iam-user')!;
    const admin = idByName(doc, 'cross-env-admin', 'iam-role')!;
    expect(jenkins && admin).toBeTruthy();
    const hop = doc.graph.edges.find((e) => e.start.value === jenkins && e.end.value === admin && e.kind === 'NHI_BecomeAwsAssumeRole');
    expect(hop?.properties).toMatchObject({ method: 'aws-assume-role', canbecome: true });
    expect(doc.graph.nodes.find((n) => n.id === admin)?.properties.admin).toBe(true);
    // every edge end is a node (admin sinks, hubs and workflow jobs included)
    const ids = new Set(doc.graph.nodes.map((n) => n.id));
    for (const e of doc.graph.edges) expect(ids.has(e.start.value) && ids.has(e.end.value)).toBe(true);
  });

  it('--format opengraph-extension declares every kind of the upload, in the NHI namespace, the "can become" kinds traversable', async () => {
    const [ext, upload] = await Promise.all([nhi(['export', '-f', 'opengraph-extension', '--store', store]), nhi(['export', '-f', 'opengraph', '--store', store])]);
    expect(ext.code).toBe(0);
    expect(ext.stderr).toBe('');
    const x = JSON.parse(ext.stdout) as { schema: { namespace: string }; node_kinds: Array<{ name: string }>; relationship_kinds: Array<{ name: string; is_traversable: boolean }> };
    const doc = JSON.parse(upload.stdout) as Upload;
    expect(x.schema.namespace).toBe('NHI');
    const nodeKinds = new Set(x.node_kinds.map((k) => k.name));
    for (const n of doc.graph.nodes) for (const k of n.kinds.slice(0, -1)) expect(nodeKinds.has(k), k).toBe(true);
    const traversable = new Map(x.relationship_kinds.map((k) => [k.name, k.is_traversable]));
    expect(traversable.get('NHI_BecomeAwsAssumeRole')).toBe(true);
    for (const e of doc.graph.edges) expect(traversable.has(e.kind), e.kind).toBe(true);
  });

  it('--format opengraph-kinds lists every node kind of the export with an icon, and the traversable edge kinds', async () => {
    const [kinds, upload] = await Promise.all([nhi(['export', '-f', 'opengraph-kinds', '--store', store]), nhi(['export', '-f', 'opengraph', '--store', store])]);
    expect(kinds.code).toBe(0);
    const k = JSON.parse(kinds.stdout) as { custom_types: Record<string, { icon: { type: string; name: string; color: string } }>; edge_kinds: { traversable: string[]; facts: string[] } };
    const doc = JSON.parse(upload.stdout) as Upload;
    for (const n of doc.graph.nodes) expect(k.custom_types[n.kinds[0]]?.icon.type).toBe('font-awesome');
    for (const e of doc.graph.edges) expect([...k.edge_kinds.traversable, ...k.edge_kinds.facts]).toContain(e.kind);
    // a kind is a node kind or an edge kind, never both
    const nodeKinds = new Set(doc.graph.nodes.flatMap((n) => n.kinds));
    for (const e of doc.graph.edges) expect(nodeKinds.has(e.kind)).toBe(false);
  });

  it('--focus selects the neighbourhood; mermaid and dot draw it', async () => {
    const r = await nhi(['export', '-f', 'opengraph', '--focus', 'jenkins-builder', '--store', store]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Upload;
    const whole = JSON.parse((await nhi(['export', '-f', 'opengraph', '--store', store])).stdout) as Upload;
    expect(doc.graph.nodes.length).toBeLessThan(whole.graph.nodes.length / 4);
    expect(doc.graph.nodes[0].properties.name).toBe('jenkins-builder');
    expect(doc.graph.nodes.some((n) => n.properties.name === 'cross-env-admin')).toBe(true);
    const mermaid = await nhi(['export', '-f', 'mermaid', '--focus', 'jenkins-builder', '--store', store]);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toMatch(/^flowchart LR\n {2}n0\["jenkins-builder/);
    expect(mermaid.stdout).toMatch(/n0 ==>\|"aws-assume-role"\| n\d+/);
    const dot = await nhi(['export', '-f', 'dot', '--focus', 'jenkins-builder', '--store', store]);
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph nhi \{/);
    expect(dot.stdout.trim().endsWith('}')).toBe(true);
  });

  it('--format graphml is well-formed XML; --format cypher has the constraint and UNWIND batches', async () => {
    const g = await nhi(['export', '-f', 'graphml', '--store', store]);
    expect(g.code).toBe(0);
    expect(xmlWellFormed(g.stdout)).toBeUndefined();
    const c = await nhi(['export', '-f', 'cypher', '--store', store]);
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('CREATE CONSTRAINT nhi_base_id IF NOT EXISTS FOR (n:NHIBase) REQUIRE n.id IS UNIQUE;');
    expect(c.stdout).toContain('MERGE (a)-[r:`NHI_BecomeAwsAssumeRole`]->(b)');
  });

  it('mermaid and dot without --focus are a usage error (exit 2) that says what to give', async () => {
    const r = await nhi(['export', '-f', 'mermaid', '--store', store]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(/^nhi: --format mermaid .*--focus IDENTITY$/);
  });

  it('an unknown identity is exit 2 with one clear line (and a hint)', async () => {
    const r = await nhi(['export', '-f', 'opengraph', '--focus', 'no-such-identity', '--store', store]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe("nhi: no identity 'no-such-identity' in the snapshot");
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('-o writes a 0600 file and nothing to stdout', async () => {
    const out = path.join(dir, 'sub', 'graph.json');
    const r = await nhi(['export', '-f', 'opengraph', '-o', out, '--store', store]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(validateOpenGraph(JSON.parse(readFileSync(out, 'utf8')))).toBe(true);
  });

  it('--format is required and checked', async () => {
    expect((await nhi(['export', '--store', store])).code).toBe(2);
    expect((await nhi(['export', '-f', 'xml', '--store', store])).code).toBe(2);
  });
});
