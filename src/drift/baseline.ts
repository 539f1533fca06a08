/**
 * Which earlier snapshot a scan is compared with: the newest one of the same targets (src/drift/targets.ts), or a
 * one-line reason why there is none, for the report to show.
 */
import type { ConnectorRun } from '../model/result.js';
import type { SnapshotStore } from '../store/store.js';
import type { DriftUnavailable } from './diff.js';
import { describeTargets, scanTargets, targetKey, unidentifiedRuns } from './targets.js';
import { safeLabel } from '../util/text.js';

export type BaselineChoice = { id: number } | { unavailable: DriftUnavailable };

/** The drift baseline for a scan about to be stored (every snapshot in the store is earlier). */
export function chooseBaseline(store: SnapshotStore, runs: ReadonlyArray<Pick<ConnectorRun, 'id' | 'targets'>>): BaselineChoice {
  const key = targetKey(runs);
  if (key === undefined) {
    const silent = unidentifiedRuns(runs).map((id) => safeLabel(id, 40));
    return {
      unavailable: {
        reason: 'unidentified',
        message:
          silent.length > 0
            ? `this scan could not identify what it scanned (${silent.join(', ')} reported no account, project or organisation), so it is not compared with earlier snapshots`
            : 'this scan could not identify what it scanned, so it is not compared with earlier snapshots',
      },
    };
  }
  const id = store.latestWithKey(key);
  if (id !== undefined) return { id };
  const latest = store.latestSnapshotId();
  const mine = scanTargets(runs);
  if (latest === undefined) {
    return { unavailable: { reason: 'first-snapshot', message: `first snapshot in this store: the next scan of ${describeTargets(mine)} will show what changed` } };
  }
  const theirs = store.targetsOf(latest).targets;
  const sameIds = theirs.length > 0 && sameSet(mine.map((t) => t.id), theirs.map((t) => t.id));
  const what =
    theirs.length === 0
      ? 'does not record what it scanned'
      : sameIds
        ? `scanned the same targets with other connectors (${[...new Set(theirs.map((t) => safeLabel(t.connector, 40)))].join(', ')})`
        : `scanned ${describeTargets(theirs)}`;
  return { unavailable: { reason: 'no-earlier-snapshot', message: `no earlier snapshot of ${describeTargets(mine)} (the latest, #${latest}, ${what})` } };
}

function sameSet(a: string[], b: string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}
