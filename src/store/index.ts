// The storage folder's public face: the ports, openStore and migration entry points.
export type {
  AuditQuery,
  AuditRecord,
  AuditTrail,
  Dialect,
  ExpiringStore,
  PoolStats,
  ReadinessReport,
  Store,
  UnitOfWork,
} from './ports.js';
export type { Database } from './schema.js';
export type { StoreMigration } from './migrations/index.js';
export type { MigrationReport } from './migrations/run-migrations.js';
export type { MigrateStoreOptions, OpenStoreOptions } from './open-store.js';
export type { StoreLogger } from './store-logger.js';
export type { StoreErrorCode } from './store-error.js';
export { StoreError } from './store-error.js';
export { enlaceMigrations } from './migrations/index.js';
export { migrateDatabase, migrateStore, openStore } from './open-store.js';
export { toDatabaseLocation } from './database-location.js';
export type { DatabaseLocation } from './database-location.js';
export { isDatabaseUnavailable } from './unavailable.js';
export {
  applyDatabaseSetup,
  databaseSetupScript,
  databaseSetupStatements,
} from './postgres/database-roles.js';
export type { DatabaseRoles } from './postgres/database-roles.js';
export type { PostgresPoolSettings } from './postgres/open-postgres-store.js';
