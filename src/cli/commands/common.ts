import { existsSync } from 'node:fs';
import { NhiError } from '../../util/errors.js';
import { DEFAULT_STORE } from '../io.js';

/** Resolve --store (or the config's `store`) for the read-only commands; a missing store is a clear error. */
export async function openExistingStore(flagStore: string | undefined, configPath: string | undefined) {
  let storePath = flagStore;
  if (!storePath) {
    const { RULES } = await import('../../rules/index.js');
    const { loadConfig } = await import('../../config/config.js');
    storePath = loadConfig(configPath, RULES).store ?? DEFAULT_STORE;
  }
  if (!existsSync(storePath)) {
    throw new NhiError('NOT_FOUND', `no snapshot store at ${storePath}`, {
      suggestion: 'run nhi scan first (try nhi scan --demo), or point --store at an existing store',
    });
  }
  const { openStore } = await import('../../store/index.js');
  return { store: openStore(storePath, { readonly: true }), storePath };
}

export function parseSnapshotId(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new NhiError('USAGE', `--snapshot: expected a snapshot id (a positive whole number), got '${value}'`);
  return n;
}
