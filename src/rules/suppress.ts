import type { Suppression } from '../config/config.js';
import type { IdentityGraph } from '../graph/graph.js';
import type { Finding } from '../model/types.js';
import { compileGlob } from '../util/glob.js';

/**
 * Drop findings matched by `ignore:` entries of the config. An entry matches when every field it sets matches:
 * rule id, identity glob (against node id, external id / ARN, or name), fingerprint. Expired entries (`until` in the
 * past) no longer apply.
 */
export function applySuppressions(
  findings: Finding[],
  graph: IdentityGraph,
  suppressions: Suppression[],
  now: Date,
): { kept: Finding[]; suppressed: Array<Finding & { suppression: { reason: string; until?: string } }> } {
  const active = suppressions
    // an entry applies through the whole of its `until` day (UTC)
    .filter((s) => !s.until || Date.parse(`${s.until.slice(0, 10)}T23:59:59.999Z`) >= now.getTime())
    .map((s) => ({ ...s, re: s.identity ? compileGlob(s.identity) : undefined }));
  if (active.length === 0) return { kept: findings, suppressed: [] };
  const kept: Finding[] = [];
  const suppressed: Array<Finding & { suppression: { reason: string; until?: string } }> = [];
  for (const f of findings) {
    const node = graph.node(f.nodeId);
    const names = [f.nodeId, node?.externalId, node?.name].filter((x): x is string => !!x);
    const hit = active.find(
      (s) =>
        (!s.rule || s.rule === f.ruleId) &&
        (!s.fingerprint || s.fingerprint === f.fingerprint) &&
        (!s.re || names.some((n) => s.re!.test(n))),
    );
    // a suppressed finding carries the reason (and expiry) of the entry that matched it, for every report format
    if (hit) suppressed.push({ ...f, suppression: { reason: hit.reason, ...(hit.until ? { until: hit.until } : {}) } });
    else kept.push(f);
  }
  return { kept, suppressed };
}
