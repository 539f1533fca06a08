/**
 * Find an identity in a snapshot by what a user types: its node id, its ARN / email / external id, or its name.
 * A name that several identities share is a usage error listing them, so a command never answers about the wrong
 * one.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { IdentityNode } from '../model/types.js';
import { NhiError } from '../util/errors.js';
import { safeLabel } from '../util/text.js';

/** Node kinds a query can start from: principals, and credentials and workloads (a deploy key, a workflow). */
const QUERYABLE = new Set(['principal', 'credential', 'workload', 'resource']);

function label(n: IdentityNode): string {
  return `${safeLabel(n.name, 80)} (${n.platform} ${n.type}${n.scope ? `, ${safeLabel(n.scope, 60)}` : ''}): ${safeLabel(n.externalId ?? n.id, 200)}`;
}

export function resolveIdentity(graph: IdentityGraph, query: string, what = 'identity'): IdentityNode {
  const q = query.trim();
  if (!q) throw new NhiError('USAGE', `${what}: empty`, { suggestion: 'give a name, an ARN or email, or a node id (nhi inventory lists them)' });
  const direct = graph.node(q);
  if (direct && QUERYABLE.has(direct.kind)) return direct;
  const byExternal: IdentityNode[] = [];
  const byName: IdentityNode[] = [];
  const byNameCaseless: IdentityNode[] = [];
  const lower = q.toLowerCase();
  for (const n of graph.nodes.values()) {
    if (!QUERYABLE.has(n.kind)) continue;
    if (n.externalId === q || (n.attributes?.arn === q) || (n.attributes?.email === q)) byExternal.push(n);
    else if (n.name === q) byName.push(n);
    else if (n.name.toLowerCase() === lower || (typeof n.externalId === 'string' && n.externalId.toLowerCase() === lower)) byNameCaseless.push(n);
  }
  for (const found of [byExternal, byName, byNameCaseless]) {
    // principals first: a user and its access key can share a name fragment, the user is what people mean
    const principals = found.filter((n) => n.kind === 'principal');
    const pick = principals.length > 0 ? principals : found;
    if (pick.length === 1) return pick[0];
    if (pick.length > 1) {
      const shown = pick.slice(0, 10).map((n) => `    ${label(n)}`);
      throw new NhiError('USAGE', `${what} '${safeLabel(q, 200)}' is ambiguous: ${pick.length} identities match`, {
        suggestion: `give the ARN, email or node id of one of them:\n${shown.join('\n')}${pick.length > 10 ? `\n    … and ${pick.length - 10} more` : ''}`,
      });
    }
  }
  throw new NhiError('NOT_FOUND', `no ${what} '${safeLabel(q, 200)}' in the snapshot`, { suggestion: 'nhi inventory lists the identities and credentials of a snapshot' });
}
