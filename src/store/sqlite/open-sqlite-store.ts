// The SQLite adapter: an embedded database file behind the shared store implementation.
import { Kysely } from 'kysely';
import type { Store } from '../ports.js';
import type { Database } from '../schema.js';
import { createStore } from '../shared/create-store.js';
import { writableCheck } from '../shared/readiness.js';
import { beginImmediate } from './begin-immediate.js';
import { groupCommits } from './group-commit.js';
import { openSqliteDatabase } from './open-sqlite-database.js';
import { EnlaceSqliteDialect } from './sqlite-dialect.js';
import { cachingStatements } from './statement-cache.js';
import { sqliteReadinessChecks } from './sqlite-readiness.js';

export function openSqliteStore(path: string): Store {
  const database = openSqliteDatabase(path);
  const db = new Kysely<Database>({
    dialect: new EnlaceSqliteDialect({
      database: cachingStatements(database),
      beginImmediate: beginImmediate(database),
    }),
  });
  return groupCommits(
    createStore({
      dialect: 'sqlite',
      db,
      readinessChecks: [writableCheck, ...sqliteReadinessChecks],
    }),
    db,
  );
}
