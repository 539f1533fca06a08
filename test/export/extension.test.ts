/**
 * `--format opengraph-extension`: the extension definition schema BloodHound's `PUT /api/v2/extensions` takes,
 * checked against the payload's JSON Schema (test/fixtures/bloodhound-extension/, written from BloodHound's Go
 * structs) and against the rules of BloodHound's GraphExtensionInput.Validate that a schema cannot state; and the
 * OpenGraph upload of the same snapshot uses only kinds the extension declares, so BloodHound reads it as a
 * structured graph (the kind path finding works on).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { renderExport, wholeModel } from '../../src/export/index.js';
import { BASE_KIND } from '../../src/export/model.js';
import { graphAnalysis } from '../../src/paths/index.js';
import { NOW } from '../cli/query-graph.js';
import { trickyGraph } from './support.js';

interface Extension {
  schema: { name: string; display_name?: string; version: string; namespace: string };
  node_kinds: Array<{ name: string; display_name?: string; description?: string; is_display_kind?: boolean; icon?: string; color?: string }>;
  relationship_kinds: Array<{ name: string; description?: string; is_traversable?: boolean }>;
  environments?: Array<{ environment_kind: string; source_kind: string; principal_kinds: string[] }>;
  relationship_findings?: Array<{ name: string; relationship_kind: string }>;
}

const payloadSchema = JSON.parse(readFileSync(new URL('../fixtures/bloodhound-extension/extension-payload.schema.json', import.meta.url), 'utf8')) as object;
const validatePayload = new Ajv({ allErrors: true, strict: false }).compile(payloadSchema);

/** The checks of BloodHound's GraphExtensionInput.Validate beyond the JSON shape; the first failure, as it returns. */
function bloodhoundValidate(x: Extension): string | undefined {
  const prefix = `${x.schema.namespace}_`;
  const named = (what: string, name: string) => (!name.startsWith(prefix) ? `${what} ${name} is missing extension namespace prefix` : name.slice(prefix.length).trim() === '' ? `${what} cannot be empty after the namespace prefix` : undefined);
  const nodes = new Set<string>();
  for (const k of x.node_kinds) {
    const bad = named('graph schema node kind', k.name);
    if (bad) return bad;
    if (nodes.has(k.name)) return `duplicate graph kinds: ${k.name}`;
    nodes.add(k.name);
  }
  const edges = new Set<string>();
  for (const k of x.relationship_kinds) {
    const bad = named('graph schema edge kind', k.name);
    if (bad) return bad;
    if (edges.has(k.name) || nodes.has(k.name)) return `duplicate graph kinds: ${k.name}`;
    edges.add(k.name);
  }
  for (const env of x.environments ?? []) {
    const bad = named('graph schema environment kind', env.environment_kind);
    if (bad) return bad;
    if (!nodes.has(env.environment_kind)) return `environment ${env.environment_kind} not declared as a node kind`;
    if (!env.source_kind.trim() || nodes.has(env.source_kind) || edges.has(env.source_kind)) return `bad environment source kind ${env.source_kind}`;
    for (const p of env.principal_kinds) if (named('principal kind', p) || !nodes.has(p)) return `bad principal kind ${p}`;
  }
  for (const f of x.relationship_findings ?? []) {
    if (named('finding', f.name) || !edges.has(f.relationship_kind)) return `bad finding ${f.name}`;
  }
  return undefined;
}

const graph = trickyGraph();
const analysis = graphAnalysis(graph, NOW);
const render = (format: Parameters<typeof renderExport>[0]) => [...renderExport(format, wholeModel(graph, analysis))].join('');
const ext = JSON.parse(render('opengraph-extension')) as Extension;
const upload = JSON.parse(render('opengraph')) as { metadata: { source_kind: string }; graph: { nodes: Array<{ kinds: string[] }>; edges: Array<{ kind: string }> } };

describe('opengraph-extension', () => {
  it('has the shape of BloodHound\u2019s extension payload, and passes the checks BloodHound runs on it', () => {
    expect(validatePayload(ext), JSON.stringify(validatePayload.errors?.slice(0, 3))).toBe(true);
    expect(bloodhoundValidate(ext)).toBeUndefined();
    expect(ext.schema).toMatchObject({ name: 'nhi-drift', namespace: 'NHI' });
  });

  it('the checks catch what BloodHound refuses: a kind without the namespace, a duplicate, a bad colour, no node kinds', () => {
    expect(bloodhoundValidate({ ...ext, node_kinds: [...ext.node_kinds, { name: 'NHIAwsIamUser' }] })).toMatch(/missing extension namespace prefix/);
    expect(bloodhoundValidate({ ...ext, relationship_kinds: [...ext.relationship_kinds, { name: ext.node_kinds[0].name }] })).toMatch(/duplicate graph kinds/);
    expect(bloodhoundValidate({ ...ext, node_kinds: [...ext.node_kinds, { name: 'NHI_' }] })).toMatch(/cannot be empty after the namespace prefix/);
    expect(validatePayload({ ...ext, node_kinds: [{ ...ext.node_kinds[0], color: 'red' }] })).toBe(false);
    expect(validatePayload({ ...ext, node_kinds: [] })).toBe(false);
    expect(validatePayload({ ...ext, schema: { ...ext.schema, namespace: 'TAG' } })).toBe(false);
    expect(validatePayload({ ...ext, schema: { ...ext.schema, version: 'one' } })).toBe(false);
    expect(validatePayload({ ...ext, extension: ext.schema })).toBe(false);
  });

  it('declares every kind the upload of the same snapshot uses (all but the source kind): a structured graph', () => {
    const nodeKinds = new Set(ext.node_kinds.map((k) => k.name));
    const edgeKinds = new Set(ext.relationship_kinds.map((k) => k.name));
    expect(upload.metadata.source_kind).toBe(BASE_KIND);
    expect(nodeKinds.has(BASE_KIND)).toBe(false);
    for (const n of upload.graph.nodes) for (const k of n.kinds.filter((k) => k !== BASE_KIND)) expect(nodeKinds.has(k), k).toBe(true);
    for (const e of upload.graph.edges) expect(edgeKinds.has(e.kind), e.kind).toBe(true);
    expect(upload.graph.edges.length).toBeGreaterThan(0);
  });

  it('marks the "can become" kinds traversable and the facts read from the platforms not; the platform kinds are displayed, with an icon and a colour', () => {
    for (const k of ext.relationship_kinds) expect(k.is_traversable, k.name).toBe(k.name.startsWith('NHI_Become'));
    expect(ext.relationship_kinds.some((k) => k.is_traversable)).toBe(true);
    expect(ext.relationship_kinds.find((k) => k.name === 'NHI_HasCredential')?.is_traversable).toBe(false);
    const primary = new Set(upload.graph.nodes.map((n) => n.kinds[0]));
    for (const k of ext.node_kinds) {
      expect(k.icon, k.name).toMatch(/^[a-z0-9-]+$/);
      expect(k.color, k.name).toMatch(/^#[0-9A-F]{6}$/);
      if (primary.has(k.name)) expect(k.is_display_kind, k.name).toBe(true);
    }
    expect(ext.node_kinds.find((k) => k.name === 'NHI_Principal')?.is_display_kind).toBe(false);
  });
});
