// Reads ENLACE_DATABASE_URL into an engine and a location, defaulting to SQLite in the data folder.
import { join, resolve } from 'node:path';
import { StoreError } from './store-error.js';

export type DatabaseLocation =
  | { readonly dialect: 'sqlite'; readonly path: string }
  | { readonly dialect: 'postgres'; readonly connectionString: string };

const SQLITE_PREFIX = 'sqlite:';
const DEFAULT_FILE = 'enlace.db';

export function toDatabaseLocation(
  databaseUrl: string | undefined,
  dataDir: string,
): DatabaseLocation {
  if (databaseUrl === undefined || databaseUrl === '') {
    return { dialect: 'sqlite', path: resolve(join(dataDir, DEFAULT_FILE)) };
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return { dialect: 'postgres', connectionString: databaseUrl };
  }
  const path = databaseUrl.startsWith(SQLITE_PREFIX) ? databaseUrl.slice(SQLITE_PREFIX.length) : '';
  if (path === '') {
    // Why: the URL may carry a password, so the message names the accepted forms, not the value.
    throw new StoreError(
      'ENLACE_STORE_UNSUPPORTED_URL',
      'ENLACE_DATABASE_URL must start with postgres://, postgresql:// or sqlite:<path>',
    );
  }
  return { dialect: 'sqlite', path: resolve(path) };
}
