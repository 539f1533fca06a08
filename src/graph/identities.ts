/**
 * What counts as an identity, in one place: the store's snapshot summary, `nhi snapshots`, `nhi inventory` and every
 * report count identities with these, so the numbers agree whichever surface shows them.
 */
import type { IdentityGraph } from './graph.js';
import type { IdentityNode, PrincipalNode } from '../model/types.js';

/**
 * Principal types that are not identities on their own: a group only carries grants; `anyone`, the GCP public and
 * domain members, cloud service principals, identity providers and workload identity pools and providers are trust
 * anchors, not something a person or a workload authenticates as. They stay in the graph and the inventory but are
 * not counted as identities.
 */
export const NON_IDENTITY_TYPES: ReadonlySet<string> = new Set([
  'iam-group',
  'group',
  'anyone',
  'service-principal',
  'oidc-provider',
  'saml-provider',
  'domain',
  'all-users',
  'all-authenticated-users',
  'wif-pool',
  'wif-provider',
]);

export function isIdentity(n: IdentityNode): n is PrincipalNode {
  return n.kind === 'principal' && !NON_IDENTITY_TYPES.has(n.type);
}

export interface IdentityCounts {
  /** principals that are identities (see NON_IDENTITY_TYPES) */
  identities: number;
  /** every principal node, groups and trust anchors included */
  principals: number;
  credentials: number;
}

export function countIdentities(graph: IdentityGraph): IdentityCounts {
  let identities = 0;
  let principals = 0;
  let credentials = 0;
  for (const n of graph.nodes.values()) {
    if (n.kind === 'principal') {
      principals++;
      if (isIdentity(n)) identities++;
    } else if (n.kind === 'credential') credentials++;
  }
  return { identities, principals, credentials };
}
