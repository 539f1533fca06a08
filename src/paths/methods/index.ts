/**
 * The escalation-method registry: every built-in method, looked up by id or listed per platform. The methods are data
 * (src/paths/methods/<platform>.ts); the edge producers of src/paths apply them.
 */
import type { EscalationMethod } from '../types.js';
import { AWS_METHODS } from './aws.js';
import { GCP_METHODS } from './gcp.js';

export { AWS_METHODS } from './aws.js';
export { GCP_METHODS } from './gcp.js';

/** Every built-in method, AWS first, in catalogue order. */
export const ALL_METHODS: readonly EscalationMethod[] = [...AWS_METHODS, ...GCP_METHODS];

const BY_ID: ReadonlyMap<string, EscalationMethod> = new Map(ALL_METHODS.map((m) => [m.id, m]));

/** The method with this id, or undefined. */
export function getMethod(id: string): EscalationMethod | undefined {
  return BY_ID.get(id);
}

/** The methods of one platform, in catalogue order. */
export function methodsFor(platform: EscalationMethod['platform']): readonly EscalationMethod[] {
  return ALL_METHODS.filter((m) => m.platform === platform);
}
