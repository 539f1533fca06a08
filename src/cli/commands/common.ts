import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ScanResult } from '../../model/result.js';
import type { Finding } from '../../model/types.js';
import type { SnapshotStore } from '../../store/store.js';
import { NhiError } from '../../util/errors.js';
import { safeLine } from '../../util/text.js';
import { defaultStorePath, displayPath, LEGACY_STORE } from '../io.js';

/** The --store help text every command shares. */
export function storeHelp(): string {
  return `snapshot store (default ${displayPath(defaultStorePath())}, unless NHI_STORE or the config's store: says otherwise)`;
}

export interface StoreLocation {
  path: string;
  /** who chose it: --store, NHI_STORE, the config file's `store`, or the default in the data directory */
  source: 'flag' | 'env' | 'config' | 'default';
}

/** --store, else NHI_STORE, else the config's `store`, else the data directory. */
export function resolveStorePath(flagStore: string | undefined, configStore: string | undefined, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (flagStore) return { path: flagStore, source: 'flag' };
  if (env.NHI_STORE) return { path: env.NHI_STORE, source: 'env' };
  if (configStore) return { path: configStore, source: 'config' };
  return { path: defaultStorePath(env), source: 'default' };
}

/** When the default is used while ./.nhi/nhi.db (the default of earlier versions) exists: the path of that file. */
export function legacyStoreLeft(loc: StoreLocation, cwd: string = process.cwd()): string | undefined {
  if (loc.source !== 'default') return undefined;
  const legacy = path.resolve(cwd, LEGACY_STORE);
  return existsSync(legacy) && path.resolve(loc.path) !== legacy ? legacy : undefined;
}

/** One note on stderr: the default moved, and how to keep using the old store. */
export function legacyStoreNote(loc: StoreLocation): string {
  return (
    `nhi: note: snapshots are now stored in ${displayPath(loc.path)}; ${LEGACY_STORE} here (the default of earlier versions) is not used\n` +
    `  hint: keep using it with --store ${LEGACY_STORE} (or NHI_STORE=${LEGACY_STORE}), or move it to ${displayPath(loc.path)}\n`
  );
}

/** Resolve --store (or NHI_STORE, or the config's `store`) for the read-only commands; a missing store is a clear error. */
export async function openExistingStore(flagStore: string | undefined, configPath: string | undefined, opts: { write?: boolean } = {}) {
  let configStore: string | undefined;
  if (!flagStore && !process.env.NHI_STORE) {
    const { RULES } = await import('../../rules/index.js');
    const { loadConfig } = await import('../../config/config.js');
    configStore = loadConfig(configPath, RULES).store;
  }
  const loc = resolveStorePath(flagStore, configStore);
  const storePath = loc.path;
  const legacy = legacyStoreLeft(loc);
  if (!existsSync(storePath)) {
    if (legacy) {
      throw new NhiError('NOT_FOUND', `no snapshot store at ${safeLine(displayPath(storePath))} (the default moved there from ${LEGACY_STORE})`, {
        suggestion: `read the old one with --store ${LEGACY_STORE} (or NHI_STORE=${LEGACY_STORE}), or move it to ${safeLine(displayPath(storePath))}`,
      });
    }
    throw new NhiError('NOT_FOUND', `no snapshot store at ${safeLine(storePath)}`, {
      suggestion: 'run nhi scan first (try nhi scan --demo), or point --store at an existing store',
    });
  }
  if (legacy) process.stderr.write(legacyStoreNote(loc));
  const { openStore } = await import('../../store/index.js');
  return { store: openStore(storePath, { readonly: !opts.write }), storePath };
}

/**
 * `nhi scan`: open (or create) the store before scanning, so a store that cannot be used is refused before any API
 * call (exit 2). Undefined with --no-store.
 */
export async function openScanStore(
  flagStore: string | boolean | undefined,
  configStore: string | undefined,
  opts: { quiet?: boolean } = {},
): Promise<{ store: SnapshotStore; storePath: string } | undefined> {
  if (flagStore === false) return undefined;
  const loc = resolveStorePath(typeof flagStore === 'string' ? flagStore : undefined, configStore);
  if (!opts.quiet && legacyStoreLeft(loc)) process.stderr.write(legacyStoreNote(loc));
  const { openStore } = await import('../../store/index.js');
  return { store: openStore(loc.path), storePath: loc.path };
}

/**
 * After the scan: compare it with the newest earlier snapshot of the same targets (result.drift), or say why there is
 * none (result.driftUnavailable), then store it (result.snapshotId). Never throws: a store that fails here must not
 * cost the user the report. Returns the failure, for one line on stderr after the report and exit 2.
 */
export async function recordSnapshot(store: SnapshotStore, result: ScanResult & { suppressed?: Finding[] }): Promise<NhiError | undefined> {
  const { chooseBaseline } = await import('../../drift/baseline.js');
  const { diffScans } = await import('../../drift/diff.js');
  const { storeFailure } = await import('../../store/index.js');
  try {
    const choice = chooseBaseline(store, result.connectors);
    if ('id' in choice) {
      const base = store.loadSnapshot(choice.id);
      result.drift = diffScans(
        { graph: base.graph, findings: base.findings, snapshotId: choice.id, asOf: base.summary.asOf, targets: [...new Set(base.summary.targets.map((t) => t.id))] },
        result,
      );
    } else {
      result.driftUnavailable = choice.unavailable;
    }
  } catch (err) {
    // a store that cannot be read is not written to either: its damage or its lock would only grow
    const failure = storeFailure(store.file, err, 'read the earlier snapshots');
    result.driftUnavailable = { reason: 'store-error', message: `the snapshot store could not be read (${failure.message})` };
    return failure;
  }
  try {
    result.snapshotId = store.saveSnapshot(result);
    return undefined;
  } catch (err) {
    return storeFailure(store.file, err, 'store the snapshot');
  }
}

/** The stderr lines for a snapshot that was not stored (printed after the report). */
export function snapshotNotStored(err: NhiError): string {
  return `nhi: the snapshot was not stored: ${err.message}\n${err.suggestion ? `  hint: ${err.suggestion}\n` : ''}`;
}

export function parseSnapshotId(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new NhiError('USAGE', `--snapshot: expected a snapshot id (a positive whole number), got '${value}'`);
  return n;
}
