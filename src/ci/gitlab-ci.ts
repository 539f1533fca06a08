/**
 * Pure analysis of a `.gitlab-ci.yml`: the pipeline as a workload node with the CI/CD variable names it references
 * (`$VAR`, `${VAR}`, `%VAR%`), with positions and the job each reference sits in. Predefined variables (`CI_*`,
 * `GITLAB_*`, ...) are left out; `$$VAR` is GitLab's escape for a literal `$` and is not a reference.
 * `include:` (top level, and `trigger: include:` of child pipelines) is listed, never followed: a pipeline with
 * includes was only partly seen. Never throws: unparsable YAML becomes `attributes.parseError`.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import type { GraphRecord, Provenance, WorkloadNode } from '../model/types.js';
import type { SecretRef } from './workflow.js';
import { parserMessage, TOO_DEEP, tooDeep, tooLarge } from './limits.js';

/** `$$` (escape), `$NAME`, `${NAME}`, `%NAME%` (Windows shells). */
const VAR = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%/g;
/** GitLab's predefined variables and runner feature flags, plus the shell's own environment. */
const PREDEFINED_PREFIX = /^(CI|GITLAB|FF)_/;
const PREDEFINED_EXACT = new Set(['CI', 'GITLAB_CI', 'CHAT_CHANNEL', 'CHAT_INPUT', 'CHAT_USER_ID', 'TRIGGER_PAYLOAD', 'KUBECONFIG', 'HOME', 'PATH', 'PWD', 'SHELL', 'USER', 'HOSTNAME']);
/** Top-level keys that are not jobs. */
const GLOBAL_KEYS = new Set(['variables', 'stages', 'include', 'default', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'spec']);

export function isPredefinedVariable(name: string): boolean {
  return PREDEFINED_PREFIX.test(name) || PREDEFINED_EXACT.has(name);
}

export interface PipelineSecretRef extends SecretRef {
  /** the file itself gives the name a value (a `variables:` block); a project or group variable of that name still wins */
  definedInFile?: boolean;
}

export interface PipelineJob {
  id: string;
  line: number;
  stage?: string;
  environment?: string;
  /** runner tags */
  runsOn?: string[];
  /** the job declares `id_tokens:` (it can present an OIDC token to a cloud) */
  usesIdToken: boolean;
  extends?: string[];
}

export interface PipelineInclude {
  /** `local` | `project` | `remote` | `template` | `component` | `unknown` */
  kind: string;
  /** the file, URL, template or component named */
  target: string;
  line: number;
  /** the job whose `trigger: include:` names it (child pipeline) */
  job?: string;
}

export interface PipelineAnalysis {
  secretRefs: PipelineSecretRef[];
  jobs: PipelineJob[];
  includes: PipelineInclude[];
  parseError?: string;
}

const keyOf = (n: unknown): string | undefined => {
  const v = (n as { value?: unknown } | null)?.value;
  return typeof v === 'string' ? v : undefined;
};

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

/**
 * Analyse a pipeline definition. Bounded (limits.ts): a file over 1 MiB or nesting deeper than 100 levels (GitLab's
 * own limits) is a parse error, and no input makes this throw.
 */
export function analyzePipeline(text: string): PipelineAnalysis {
  const large = tooLarge(text);
  if (large) return { secretRefs: [], jobs: [], includes: [], parseError: large };
  try {
    return analyze(text);
  } catch (err) {
    return { secretRefs: [], jobs: [], includes: [], parseError: err instanceof RangeError ? TOO_DEEP : 'cannot be analysed: unexpected structure' };
  }
}

function analyze(text: string): PipelineAnalysis {
  const lc = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lc, merge: true, prettyErrors: false, uniqueKeys: false }) as Document.Parsed[];
    if (!Array.isArray(docs)) docs = []; // an empty stream
  } catch (err) {
    return { secretRefs: [], jobs: [], includes: [], parseError: `cannot be parsed: ${parserMessage(firstLine(String((err as Error).message)))}` };
  }
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const at = lc.linePos(doc.errors[0].pos[0]);
      return { secretRefs: [], jobs: [], includes: [], parseError: `invalid YAML at line ${at.line}: ${parserMessage(doc.errors[0].message)}` };
    }
    if (tooDeep(doc)) return { secretRefs: [], jobs: [], includes: [], parseError: TOO_DEEP };
  }
  const lineOf = (offset: number) => lc.linePos(offset);
  const nodeLine = (n: unknown) => {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    return r ? lineOf(r[0]).line : 0;
  };

  // names the file gives a value: top-level and job-level `variables:` maps (anywhere, to be safe)
  const defined = new Set<string>();
  const collectDefined = (n: unknown): void => {
    if (isMap(n)) {
      for (const p of n.items) {
        if (keyOf(p.key) === 'variables' && isMap(p.value)) {
          for (const v of p.value.items) {
            const k = keyOf(v.key);
            if (k) defined.add(k);
          }
        }
        collectDefined(p.value);
      }
    } else if (isSeq(n)) for (const i of n.items) collectDefined(i);
  };

  const secretRefs: PipelineSecretRef[] = [];
  const refsIn = (n: unknown, job: string | undefined): void => {
    if (isScalar(n)) {
      if (typeof n.value !== 'string' || !n.range || !/[$%]/.test(n.value)) return;
      const start = n.range[0];
      const raw = text.slice(start, n.range[1]);
      for (const m of raw.matchAll(VAR)) {
        const name = m[1] ?? m[2] ?? m[3];
        if (!name || isPredefinedVariable(name)) continue;
        const pos = lineOf(start + (m.index ?? 0));
        secretRefs.push({ name, line: pos.line, column: pos.col, ...(job ? { job } : {}), ...(defined.has(name) ? { definedInFile: true } : {}) });
      }
    } else if (isMap(n)) {
      for (const p of n.items) if (isPair(p)) refsIn(p.value, job); // keys name things, values use them
    } else if (isSeq(n)) for (const i of n.items) refsIn(i, job);
    // aliases: counted where the anchor was written
  };

  const includes: PipelineInclude[] = [];
  const includeEntries = (n: unknown, job?: string): void => {
    const add = (kind: string, target: string, at: unknown) => includes.push({ kind, target, line: nodeLine(at), ...(job ? { job } : {}) });
    if (isSeq(n)) {
      for (const i of n.items) includeEntries(i, job);
    } else if (isScalar(n) && typeof n.value === 'string') {
      add(/^https?:\/\//i.test(n.value) ? 'remote' : 'local', n.value, n);
    } else if (isMap(n)) {
      const kinds = ['local', 'project', 'remote', 'template', 'component', 'artifact'];
      const pair = n.items.find((p) => kinds.includes(keyOf(p.key) ?? ''));
      if (!pair) return void add('unknown', '', n);
      const kind = keyOf(pair.key)!;
      let target = isScalar(pair.value) ? String(pair.value.value) : '';
      if (kind === 'project') {
        const file = n.items.find((p) => keyOf(p.key) === 'file')?.value;
        const files = isSeq(file) ? file.items.map((f) => String((f as { value?: unknown }).value)) : isScalar(file) ? [String(file.value)] : [];
        target = `${target}:${files.join(',')}`;
      }
      add(kind, target, n);
    }
  };

  const jobs: PipelineJob[] = [];
  for (const doc of docs) {
    collectDefined(doc.contents);
  }
  for (const doc of docs) {
    if (!isMap(doc.contents)) continue;
    for (const p of doc.contents.items) {
      const id = keyOf(p.key);
      if (id === undefined) continue;
      if (id === 'include') {
        includeEntries(p.value);
        continue;
      }
      if (GLOBAL_KEYS.has(id)) {
        refsIn(p.value, undefined);
        continue;
      }
      refsIn(p.value, id);
      if (!isMap(p.value)) continue;
      const get = (k: string) => (p.value as { items: Array<{ key: unknown; value: unknown }> }).items.find((x) => keyOf(x.key) === k)?.value;
      const trigger = get('trigger');
      if (isMap(trigger)) {
        const inc = trigger.items.find((x) => keyOf(x.key) === 'include')?.value;
        if (inc !== undefined && inc !== null) includeEntries(inc, id);
      }
      if (id.startsWith('.')) continue; // a hidden job: a template
      const job: PipelineJob = { id, line: nodeLine(p.key), usesIdToken: isMap(get('id_tokens')) };
      const stage = get('stage');
      if (isScalar(stage) && typeof stage.value === 'string') job.stage = stage.value;
      const env = get('environment');
      const envName = isScalar(env) ? env.value : isMap(env) ? (env.items.find((x) => keyOf(x.key) === 'name')?.value as { value?: unknown } | undefined)?.value : undefined;
      if (typeof envName === 'string') job.environment = envName;
      const tags = get('tags');
      if (isSeq(tags)) job.runsOn = tags.items.map((t) => String((t as { value?: unknown }).value));
      const ext = get('extends');
      if (isScalar(ext) && typeof ext.value === 'string') job.extends = [ext.value];
      else if (isSeq(ext)) job.extends = ext.items.map((t) => String((t as { value?: unknown }).value));
      jobs.push(job);
    }
  }
  return { secretRefs, jobs, includes };
}

export interface PipelineInput {
  /** `group/subgroup/project` */
  project: string;
  /** repo-relative path of the pipeline definition, normally `.gitlab-ci.yml` */
  path: string;
  text: string;
  connector: string;
  source: string;
  observedAt: string;
  /** `scope` of the node (the scanned group); defaults to the project's top-level group */
  scope?: string;
}

export function pipelineId(project: string, path: string): string {
  return `gitlab:pipeline:${project}/${path}`;
}

export function pipelineRecords(input: PipelineInput): GraphRecord[] {
  const a = analyzePipeline(input.text);
  const prov: Provenance = { connector: input.connector, source: input.source, observedAt: input.observedAt };
  const id = pipelineId(input.project, input.path);
  const attributes: Record<string, unknown> = {
    project: input.project,
    repo: input.project,
    path: input.path,
    name: input.path,
    jobs: a.jobs,
    secretRefs: a.secretRefs,
    includes: a.includes,
  };
  if (a.parseError) attributes.parseError = a.parseError;
  const node: WorkloadNode = { id, kind: 'workload', platform: 'gitlab', type: 'pipeline', name: `${input.project} ${input.path}`, scope: input.scope ?? input.project.split('/')[0], attributes, provenance: [prov] };
  return [
    { type: 'node', node },
    { type: 'edge', edge: { type: 'IN_SCOPE', from: id, to: `gitlab:project:${input.project}`, provenance: [prov] } },
  ];
}
