// The shape of one schema migration: forward-only, written once, branching on dialect where needed.
import type { Kysely } from 'kysely';
import type { Dialect } from '../ports.js';

export interface StoreMigration {
  /** Sortable, unique and never renamed once released, e.g. "0001-foundation". */
  readonly name: string;
  /** Runs inside the migration transaction; throwing rolls back every pending migration. */
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}
