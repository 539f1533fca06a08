/**
 * Which snapshots may be compared: only scans of the same targets, read by the same connectors. A scan's target set
 * is every (connector, target id) pair its connector runs reported (ConnectorRun.targets, the ids the platforms
 * gave: `aws:account:123456789012`, `gcp:project:acme-prod`, ...), never a label such as a file name or a profile.
 * A run that reported no target makes the whole scan unidentified: its snapshot is stored but never compared.
 */
import type { ConnectorRun } from '../model/result.js';
import type { ScanTarget } from '../model/types.js';
import { safeLabel } from '../util/text.js';

/** A target as a snapshot records it: which connector reported it. */
export interface SnapshotTarget extends ScanTarget {
  connector: string;
}

/** Every target of a scan with its connector, sorted by target id then connector, duplicates removed. */
export function scanTargets(runs: ReadonlyArray<Pick<ConnectorRun, 'id' | 'targets'>>): SnapshotTarget[] {
  const seen = new Map<string, SnapshotTarget>();
  for (const r of runs) {
    for (const t of r.targets ?? []) {
      if (!t || typeof t.id !== 'string' || t.id === '') continue;
      seen.set(JSON.stringify([r.id, t.id]), {
        connector: r.id,
        id: t.id,
        platform: String(t.platform ?? ''),
        kind: String(t.kind ?? ''),
        name: String(t.name ?? ''),
      });
    }
  }
  return [...seen.values()].sort((a, b) => cmp(a.id, b.id) || cmp(a.connector, b.connector));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The key two snapshots must share to be compared: the sorted (connector, target id) pairs as JSON. Undefined when
 * the scan ran no connector or any run reported no target (the scan could not identify what it scanned).
 */
export function targetKey(runs: ReadonlyArray<Pick<ConnectorRun, 'id' | 'targets'>>): string | undefined {
  if (runs.length === 0) return undefined;
  if (runs.some((r) => !r.targets || r.targets.filter((t) => t && typeof t.id === 'string' && t.id !== '').length === 0)) return undefined;
  return keyOf(scanTargets(runs));
}

/** The key of a target list as stored (see targetKey). */
export function keyOf(targets: ReadonlyArray<Pick<SnapshotTarget, 'connector' | 'id'>>): string {
  const pairs = [...new Set(targets.map((t) => JSON.stringify([t.connector, t.id])))].sort(cmp);
  return `[${pairs.join(',')}]`;
}

/** Connector runs that reported no target (what made a scan unidentified). */
export function unidentifiedRuns(runs: ReadonlyArray<Pick<ConnectorRun, 'id' | 'targets'>>): string[] {
  return runs.filter((r) => !r.targets || r.targets.length === 0).map((r) => r.id);
}

/**
 * Target ids for one line of text: sanitised, deduplicated, at most `max` of them then "and N more".
 * `aws:account:111111111111, github:org:github.com/acme`
 */
export function describeTargets(targets: ReadonlyArray<Pick<ScanTarget, 'id'>>, max = 3): string {
  const ids = [...new Set(targets.map((t) => safeLabel(t.id, 120)))];
  if (ids.length === 0) return 'unidentified targets';
  const shown = ids.slice(0, max).join(', ');
  return ids.length > max ? `${shown} and ${ids.length - max} more` : shown;
}
