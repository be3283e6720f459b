// The record of one asynchronous export: who asked for what, how far it got, and its manifest once done.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';

export type ExportStatus = 'accepted' | 'in-progress' | 'completed' | 'failed' | 'cancelled';

/** What an auditor may filter an export by; pseudonyms only, never her identifier. */
export interface ExportFilter {
  /** recorded ≥ since (ISO instant). */
  readonly since?: string;
  /** recorded < until (ISO instant). */
  readonly until?: string;
  /** Her pseudonyms under every key; the export holds events that name any of them. */
  readonly pseudonyms?: readonly string[];
}

export interface ExportJob {
  readonly id: string;
  readonly status: ExportStatus;
  readonly requestedBy: string;
  readonly request: string;
  readonly filter: ExportFilter;
  readonly treeSize: number | undefined;
  readonly done: number;
  readonly total: number | undefined;
  readonly error: string | undefined;
  readonly manifest: string | undefined;
  readonly createdAt: string;
  /** Moved by every batch the runner writes; a running job that stops moving was abandoned. */
  readonly updatedAt: string;
  readonly expiresAt: string;
}

type Row = Database['audit_export'];

const toJob = (row: Row): ExportJob => ({
  id: row.id,
  status: row.status as ExportStatus,
  requestedBy: row.requested_by,
  request: row.request,
  filter: JSON.parse(row.filter) as ExportFilter,
  treeSize: row.tree_size ?? undefined,
  done: row.done,
  total: row.total ?? undefined,
  error: row.error ?? undefined,
  manifest: row.manifest ?? undefined,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  expiresAt: row.expires_at,
});

export async function insertExportJob(
  db: Kysely<Database>,
  job: Pick<ExportJob, 'id' | 'requestedBy' | 'request' | 'filter' | 'createdAt' | 'expiresAt'>,
): Promise<void> {
  await db
    .insertInto('audit_export')
    .values({
      id: job.id,
      status: 'accepted',
      requested_by: job.requestedBy,
      request: job.request,
      filter: JSON.stringify(job.filter),
      tree_size: null,
      done: 0,
      total: null,
      error: null,
      manifest: null,
      created_at: job.createdAt,
      updated_at: job.createdAt,
      expires_at: job.expiresAt,
    })
    .execute();
}

export async function findExportJob(
  db: Kysely<Database>,
  id: string,
): Promise<ExportJob | undefined> {
  const row = await db
    .selectFrom('audit_export')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : toJob(row);
}

export interface ExportChange {
  readonly status?: ExportStatus;
  readonly treeSize?: number;
  readonly done?: number;
  readonly total?: number;
  readonly error?: string;
  readonly manifest?: string;
}

/**
 * Moves a job on; a job already ended (cancelled, failed, completed) is never moved again, so a
 * cancel that lands while the runner writes wins. Returns whether the job was still running.
 */
export async function updateExportJob(
  db: Kysely<Database>,
  id: string,
  change: ExportChange,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('audit_export')
    .set({
      ...(change.status === undefined ? {} : { status: change.status }),
      ...(change.treeSize === undefined ? {} : { tree_size: change.treeSize }),
      ...(change.done === undefined ? {} : { done: change.done }),
      ...(change.total === undefined ? {} : { total: change.total }),
      ...(change.error === undefined ? {} : { error: change.error }),
      ...(change.manifest === undefined ? {} : { manifest: change.manifest }),
      updated_at: at.toISOString(),
    })
    .where('id', '=', id)
    .where('status', 'in', ['accepted', 'in-progress'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Jobs whose files are due for deletion, and jobs a stopped process left running. */
export async function listExpiredExports(db: Kysely<Database>, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_export')
    .select('id')
    .where('expires_at', '<=', now.toISOString())
    .execute();
  return rows.map((row) => row.id);
}

export async function deleteExportJob(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('audit_export').where('id', '=', id).execute();
}
