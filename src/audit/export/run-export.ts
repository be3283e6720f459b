// The export pipeline: pin a checkpoint → select entries → write them with proofs → consistency → manifest.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { canonicalJson, type JsonValue } from '../../crypto/canonical-json.js';
import type { Store } from '../../store/index.js';
import { createExportWriter, type ExportWriter } from '../export-format/index.js';
import {
  latestCheckpoint,
  listCheckpoints,
  listCosignatures,
  nodeReader,
  withCosignatures,
  type Ledger,
  type StoredCheckpoint,
} from '../ledger/index.js';
import { consistencyProof, inclusionProof } from '../merkle/index.js';
import { exportDirectory, publishExportFiles } from './export-files.js';
import { findExportJob, updateExportJob, type ExportJob } from './export-job.js';
import { countEntries, isFiltered, selectEntries } from './select-entries.js';

/** Earlier checkpoints whose consistency the export proves; an auditor keeps one of the recent ones. */
const MAX_CONSISTENCY_LINES = 1000;

export interface ExportDeps {
  readonly store: Pick<Store, 'db' | 'dialect'>;
  readonly ledger: Ledger;
  readonly dataDir: string;
  readonly clock: () => Date;
  readonly logger: Logger;
}

class Cancelled extends Error {}

/**
 * Runs one job to its end: completed with a manifest, failed with a reason, or stopped when an
 * auditor cancelled it (its files removed). Never throws; the job row tells the outcome.
 */
export async function runExport(deps: ExportDeps, id: string): Promise<void> {
  const { db } = deps.store;
  let writer: ExportWriter | undefined;
  try {
    const job = await findExportJob(db, id);
    if (
      job === undefined ||
      !(await updateExportJob(db, id, { status: 'in-progress' }, deps.clock()))
    )
      return;
    const checkpoint = await pinCheckpoint(deps);
    const total = await countEntries(db, job.filter, checkpoint.size);
    await updateExportJob(db, id, { treeSize: checkpoint.size, total }, deps.clock());
    await mkdir(join(deps.dataDir, 'exports'), { recursive: true, mode: 0o700 });
    writer = await createExportWriter(exportDirectory(deps.dataDir, id), {
      complete: !isFiltered(job.filter),
    });
    await writeEntries(deps, job, checkpoint.size, writer);
    await writeConsistency(deps, checkpoint, writer);
    const note = withCosignatures(checkpoint, await listCosignatures(db, checkpoint.size));
    const manifest = await writer.finish({
      checkpointNote: note,
      transactionTime: checkpoint.createdAt,
      request: job.request,
      filter: job.filter as unknown as { readonly [key: string]: JsonValue },
    });
    writer = undefined;
    await publishExportFiles({ db, dialect: deps.store.dialect, dataDir: deps.dataDir }, id);
    await updateExportJob(
      db,
      id,
      { status: 'completed', manifest: JSON.stringify(manifest) },
      deps.clock(),
    );
  } catch (err) {
    await writer?.abort().catch(() => undefined);
    if (err instanceof Cancelled) {
      await rm(exportDirectory(deps.dataDir, id), { recursive: true, force: true });
      return;
    }
    deps.logger.error({ err, exportId: id }, 'audit export failed');
    await updateExportJob(
      db,
      id,
      {
        status: 'failed',
        error: 'the export could not be completed; the gateway log has the detail',
      },
      deps.clock(),
    ).catch(() => undefined);
  }
}

/** A checkpoint covering every entry up to now (the kick-off's own record included). */
async function pinCheckpoint(deps: ExportDeps): Promise<StoredCheckpoint> {
  await deps.ledger.checkpoint();
  const latest = await latestCheckpoint(deps.store.db);
  if (latest === undefined) throw new Error('the log has no checkpoint to prove an export against');
  return latest;
}

async function writeEntries(
  deps: ExportDeps,
  job: ExportJob,
  treeSize: number,
  writer: ExportWriter,
): Promise<void> {
  const { db } = deps.store;
  const read = nodeReader(db);
  const filtered = isFiltered(job.filter);
  let done = 0;
  for await (const batch of selectEntries(db, job.filter, treeSize)) {
    for (const entry of batch) {
      // Why canonicalise again: rows recorded before the ledger existed hold JSON.stringify text.
      const canonical = canonicalJson(JSON.parse(entry.resource) as JsonValue);
      const proof = filtered ? await inclusionProof(entry.index, treeSize, read) : undefined;
      await writer.writeEntry(canonical, entry.index, proof);
    }
    done += batch.length;
    // A cancel sets the job's status; the next progress update then fails and the runner stops.
    if (!(await updateExportJob(db, job.id, { done }, deps.clock()))) throw new Cancelled();
  }
}

async function writeConsistency(
  deps: ExportDeps,
  checkpoint: StoredCheckpoint,
  writer: ExportWriter,
): Promise<void> {
  const earlier = await listCheckpoints(deps.store.db, {
    beforeSize: checkpoint.size,
    limit: MAX_CONSISTENCY_LINES,
  });
  const read = nodeReader(deps.store.db);
  for (const older of earlier.reverse()) {
    if (older.size === 0) continue;
    const proof = await consistencyProof(older.size, checkpoint.size, read);
    await writer.writeConsistency({ size: older.size, root: older.root, proof });
  }
}
