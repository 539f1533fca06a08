export {
  openStore,
  storeFailure,
  BUSY_TIMEOUT_MS,
  SnapshotStore,
  type SnapshotSummary,
  type StoredSnapshot,
  type OpenStoreOptions,
  type PruneResult,
} from './store.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate } from './migrations.js';
export { redactSecrets, looksLikeSecret, isSecretKey, REDACTED } from './redact.js';
