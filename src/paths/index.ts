/**
 * The escalation analysis of a graph, computed once per graph and as-of time and shared by the rules, `nhi paths`,
 * `nhi can` and `nhi who-can`: the authorization engine, the platforms' edge producers, and the paths over them.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { Evaluator } from '../policy/decision.js';
import { createEvaluator } from '../policy/evaluate.js';
import { analyzePaths, type PathAnalysis } from './analyze.js';
import { createAwsProducer } from './aws.js';
import { CODE_HOST_METHODS, codeHostProducer } from './codehost.js';
import { ENTRA_METHODS, entraProducer } from './entra.js';
import { GCP_HUB_METHOD, gcpProducer } from './gcp.js';
import { K8S_METHODS, k8sProducer } from './k8s.js';
import { ALL_METHODS, AWS_METHODS } from './methods/index.js';
import type { EdgeProducer, MethodInfo } from './types.js';

export const PRODUCERS: readonly EdgeProducer[] = [createAwsProducer(AWS_METHODS), gcpProducer, codeHostProducer, k8sProducer, entraProducer];

/** What reports and commands show of a method (every catalogue: AWS, Google Cloud, code hosts). */
export type { MethodInfo } from './types.js';

const METHODS: ReadonlyMap<string, MethodInfo> = new Map<string, MethodInfo>([...ALL_METHODS, ...CODE_HOST_METHODS, ...K8S_METHODS, ...ENTRA_METHODS].map((m) => [m.id, m]));

export function methodById(id: string): MethodInfo | undefined {
  return METHODS.get(id);
}

/** Every method id a "can become" edge can carry: the catalogues' and the engine's own hops (a GCP hub's way out). */
export function allMethodIds(): string[] {
  return [...METHODS.keys(), GCP_HUB_METHOD].sort();
}

export interface GraphAnalysis {
  evaluator: Evaluator;
  paths: PathAnalysis;
}

const memo = new WeakMap<IdentityGraph, Map<number, GraphAnalysis>>();

/** The analysis of `graph` as of `now`, computed on first use and kept with the graph. */
export function graphAnalysis(graph: IdentityGraph, now: Date): GraphAnalysis {
  let byTime = memo.get(graph);
  if (!byTime) {
    byTime = new Map();
    memo.set(graph, byTime);
  }
  const hit = byTime.get(now.getTime());
  if (hit) return hit;
  const evaluator = createEvaluator(graph, { now });
  const paths = analyzePaths({ graph, now, evaluator }, PRODUCERS);
  const out = { evaluator, paths };
  byTime.set(now.getTime(), out);
  return out;
}
