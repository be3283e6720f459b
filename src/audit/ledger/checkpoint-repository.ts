// Signed checkpoints and their cosignatures as stored: append-only rows, newest first on demand.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';

export interface StoredCheckpoint {
  readonly size: number;
  readonly root: Uint8Array;
  /** The signed note as the gateway signed it (no cosignatures). */
  readonly note: string;
  readonly createdAt: string;
}

export interface StoredCosignature {
  readonly size: number;
  readonly witness: string;
  readonly line: string;
  readonly cosignedAt: number;
}

const toCheckpoint = (row: {
  size: number;
  root: Uint8Array;
  note: string;
  created_at: string;
}): StoredCheckpoint => ({
  size: row.size,
  root: new Uint8Array(row.root),
  note: row.note,
  createdAt: row.created_at,
});

/** Stores a checkpoint unless one of that size exists (another instance signed it first). */
export async function insertCheckpoint(
  db: Kysely<Database>,
  checkpoint: StoredCheckpoint,
): Promise<void> {
  await db
    .insertInto('audit_checkpoint')
    .values({
      size: checkpoint.size,
      root: checkpoint.root,
      note: checkpoint.note,
      created_at: checkpoint.createdAt,
    })
    .onConflict((conflict) => conflict.column('size').doNothing())
    .execute();
}

export async function latestCheckpoint(
  db: Kysely<Database>,
): Promise<StoredCheckpoint | undefined> {
  const row = await db
    .selectFrom('audit_checkpoint')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : toCheckpoint(row);
}

export async function findCheckpoint(
  db: Kysely<Database>,
  size: number,
): Promise<StoredCheckpoint | undefined> {
  const row = await db
    .selectFrom('audit_checkpoint')
    .selectAll()
    .where('size', '=', size)
    .executeTakeFirst();
  return row === undefined ? undefined : toCheckpoint(row);
}

/** Checkpoints smaller than `beforeSize` (all when undefined), newest first. */
export async function listCheckpoints(
  db: Kysely<Database>,
  options: { readonly beforeSize?: number; readonly limit: number },
): Promise<StoredCheckpoint[]> {
  let query = db.selectFrom('audit_checkpoint').selectAll();
  if (options.beforeSize !== undefined) query = query.where('size', '<', options.beforeSize);
  const rows = await query.orderBy('size', 'desc').limit(options.limit).execute();
  return rows.map(toCheckpoint);
}

export async function listCosignatures(
  db: Kysely<Database>,
  size: number,
): Promise<StoredCosignature[]> {
  const rows = await db
    .selectFrom('audit_cosignature')
    .selectAll()
    .where('size', '=', size)
    .orderBy('witness')
    .execute();
  return rows.map((row) => ({
    size: row.size,
    witness: row.witness,
    line: row.line,
    cosignedAt: row.cosigned_at,
  }));
}

/** The checkpoint note with every stored cosignature line appended, as C2SP witnesses expect. */
export function withCosignatures(
  checkpoint: StoredCheckpoint,
  cosignatures: readonly StoredCosignature[],
): string {
  return `${checkpoint.note}${cosignatures.map((cosignature) => cosignature.line).join('')}`;
}
