// A referral's Task versions, opened for one of its two parties: the history (newest first) and one version (vread).
import type { Task } from '@medplum/fhirtypes';
import type { PayloadVault } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';
import type { UnitOfWork } from '../../store/index.js';
import { findTaskVersion, listTaskVersions } from '../referral-repository.js';
import type { ReferralRecord, TaskVersionChange, TaskVersionRecord } from '../types.js';
import { readTaskResource } from './task-resource.js';

export interface TaskVersion {
  readonly version: number;
  /** ISO-8601: when it was written, its meta.lastUpdated. */
  readonly changedAt: string;
  readonly change: TaskVersionChange;
  /** The Task as partners saw it at that version. */
  readonly task: Task;
}

/**
 * The version's Task exactly as a read of it then answered: the kept sealed Task, with the row's
 * id, that version's number, time and status (the same shaping as the current Task's read).
 */
async function openVersion(
  vault: PayloadVault,
  record: ReferralRecord,
  kept: TaskVersionRecord,
): Promise<TaskVersion> {
  const task = await readTaskResource(vault, {
    ...record,
    status: kept.status,
    sealedTask: kept.sealedTask,
    taskVersion: kept.version,
    updatedAt: kept.changedAt,
  });
  return { version: kept.version, changedAt: kept.changedAt, change: kept.change, task };
}

/** Every version of the Task of a referral the caller may see (loadVisibleReferral), newest first. */
export async function readTaskHistory(
  unit: UnitOfWork,
  vault: PayloadVault,
  record: ReferralRecord,
): Promise<TaskVersion[]> {
  const kept = await listTaskVersions(unit.db, record.id);
  return Promise.all(kept.map((version) => openVersion(vault, record, version)));
}

/** One version by its versionId; 404 for a version that does not exist (or was not kept). */
export async function readTaskVersion(
  unit: UnitOfWork,
  vault: PayloadVault,
  record: ReferralRecord,
  versionId: string,
): Promise<TaskVersion> {
  const kept = /^[1-9]\d{0,8}$/.test(versionId)
    ? await findTaskVersion(unit.db, record.id, Number(versionId))
    : undefined;
  if (kept === undefined) {
    throw new GatewayError(
      'ENLACE_RESOURCE_NOT_FOUND',
      `Task ${record.id} has no version ${versionId.slice(0, 16)}.`,
    );
  }
  return openVersion(vault, record, kept);
}
