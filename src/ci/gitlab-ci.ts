/**
 * Pure analysis of a `.gitlab-ci.yml`: the pipeline as a workload node with the CI/CD variable names it references
 * (`$VAR`, `${VAR}`, `%VAR%`), with positions. Predefined variables and variables the file defines itself are left
 * out. `include:` is noted, not followed. Never throws: unparsable YAML becomes `attributes.parseError`.
 */
import { isMap, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { GraphRecord, Provenance, WorkloadNode } from '../model/types.js';
import type { SecretRef } from './workflow.js';

const VAR = /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?|%([A-Za-z_][A-Za-z0-9_]*)%/g;
const PREDEFINED = /^(CI|GITLAB|RUNNER|FF|CHAT|TRIGGER|DOCKER|KUBECONFIG|HOME|PATH|PWD|SHELL|USER|HOSTNAME)(_|$)/;

export interface PipelineAnalysis {
  secretRefs: SecretRef[];
  includes: number;
  parseError?: string;
}

export function analyzePipeline(text: string): PipelineAnalysis {
  const lc = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lc, merge: true, prettyErrors: false, uniqueKeys: false });
  } catch (err) {
    return { secretRefs: [], includes: 0, parseError: `cannot be parsed: ${String((err as Error).message).split('\n')[0]}` };
  }
  if (doc.errors.length > 0) {
    const at = lc.linePos(doc.errors[0].pos[0]);
    return { secretRefs: [], includes: 0, parseError: `invalid YAML at line ${at.line}: ${doc.errors[0].message.split('\n')[0]}` };
  }
  // names defined by the file itself (top-level and job-level `variables:` maps)
  const defined = new Set<string>();
  visit(doc, {
    Pair(_k, pair) {
      const key = (pair.key as { value?: unknown } | null)?.value;
      if (key === 'variables' && isMap(pair.value)) {
        for (const p of pair.value.items) {
          const k = (p.key as { value?: unknown } | null)?.value;
          if (typeof k === 'string') defined.add(k);
        }
      }
    },
  });
  const root = doc.toJS({ maxAliasCount: 1000 }) as Record<string, unknown> | null;
  const inc = root?.include;
  const includes = inc === undefined ? 0 : Array.isArray(inc) ? inc.length : 1;
  const secretRefs: SecretRef[] = [];
  // the job a line belongs to: top-level keys that are not global keywords
  const jobs: Array<{ id: string; start: number; end: number }> = [];
  if (isMap(doc.contents)) {
    for (const p of doc.contents.items) {
      const id = String((p.key as { value?: unknown } | null)?.value ?? '');
      const kr = (p.key as { range?: [number, number, number] } | null)?.range;
      const vr = (p.value as { range?: [number, number, number] } | null)?.range;
      if (kr && !['variables', 'stages', 'include', 'default', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script'].includes(id)) {
        jobs.push({ id, start: lc.linePos(kr[0]).line, end: lc.linePos((vr ?? kr)[1]).line });
      }
    }
  }
  visit(doc, {
    Scalar(_k, node) {
      if (typeof node.value !== 'string' || !node.range || !/[$%]/.test(node.value)) return;
      const raw = text.slice(node.range[0], node.range[1]);
      for (const m of raw.matchAll(VAR)) {
        const name = m[1] ?? m[2];
        if (PREDEFINED.test(name) || defined.has(name)) continue;
        const pos = lc.linePos(node.range[0] + (m.index ?? 0));
        const job = jobs.find((j) => pos.line >= j.start && pos.line <= j.end)?.id;
        secretRefs.push({ name, line: pos.line, column: pos.col, ...(job ? { job } : {}) });
      }
    },
  });
  return { secretRefs, includes };
}

export interface PipelineInput {
  /** `group/subgroup/project` */
  project: string;
  path: string;
  text: string;
  connector: string;
  source: string;
  observedAt: string;
}

export function pipelineRecords(input: PipelineInput): GraphRecord[] {
  const a = analyzePipeline(input.text);
  const prov: Provenance = { connector: input.connector, source: input.source, observedAt: input.observedAt };
  const id = `gitlab:pipeline:${input.project}/${input.path}`;
  const attributes: Record<string, unknown> = { project: input.project, path: input.path, secretRefs: a.secretRefs, includes: a.includes };
  if (a.parseError) attributes.parseError = a.parseError;
  const node: WorkloadNode = { id, kind: 'workload', platform: 'gitlab', type: 'pipeline', name: `${input.project} ${input.path}`, scope: input.project.split('/')[0], attributes, provenance: [prov] };
  return [
    { type: 'node', node },
    { type: 'edge', edge: { type: 'IN_SCOPE', from: id, to: `gitlab:project:${input.project}`, provenance: [prov] } },
  ];
}
