/** Builds a graph holding one analysed workflow, as the workflows connector would (local file: findings get locations). */
import { workflowRecords } from '../../src/ci/workflow.js';
import type { GraphRecord } from '../../src/model/types.js';
import { PROV } from './builders.js';

export const WF_PATH = '.github/workflows/w.yml';
export const WF_ID = `github:workflow:acme/app/${WF_PATH}`;

export function workflow(text: string, opts: { repo?: string; local?: boolean } = {}): GraphRecord[] {
  return workflowRecords({ repo: opts.repo ?? 'acme/app', path: WF_PATH, text, connector: 'workflows', source: `file:${WF_PATH}`, observedAt: PROV.observedAt, local: opts.local ?? true });
}
