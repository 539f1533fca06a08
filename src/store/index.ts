export { openStore, SnapshotStore, type SnapshotSummary, type StoredSnapshot, type OpenStoreOptions } from './store.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate } from './migrations.js';
export { redactSecrets, looksLikeSecret, REDACTED } from './redact.js';
