// The Task as partners see it: the stored resource with its id, version and status, and a change applied to it.
import type { Task } from '@medplum/fhirtypes';
import type { PayloadVault } from '../../crypto/index.js';
import { openTask } from '../referral-repository.js';
import { REFERRAL_STATUS_SYSTEM, type ReferralStatus } from '../task-workflow.js';
import type { ReferralRecord } from '../types.js';
import type { TaskChange } from './task-change.js';

export const taskEtag = (version: number): string => `W/"${version}"`;

/** What a Task read needs of its referral row: a search selects no more than this. */
export type TaskRow = Pick<
  ReferralRecord,
  'id' | 'sealedTask' | 'taskVersion' | 'status' | 'updatedAt'
>;

/**
 * The stored Task (opened with openTask) with the row's id, version, last update and status, which
 * are authoritative.
 */
export function toTaskResource(record: TaskRow, stored: Task): Task {
  return {
    ...stored,
    id: record.id,
    meta: {
      ...stored.meta,
      versionId: String(record.taskVersion),
      lastUpdated: record.updatedAt,
    },
    status: record.status,
    businessStatus: businessStatusOf(record.status),
  };
}

/** The Task as partners see it, opened from its sealed form. */
export async function readTaskResource(vault: PayloadVault, record: TaskRow): Promise<Task> {
  return toTaskResource(record, await openTask(vault, record));
}

/** The Task after `change`, as version `version` at `at`. */
export function applyChangeToTask(task: Task, change: TaskChange, version: number, at: Date): Task {
  const notes = [...(task.note ?? []), ...change.notes];
  const outputs = [...(task.output ?? []), ...change.outputs];
  return {
    ...task,
    meta: { ...task.meta, versionId: String(version), lastUpdated: at.toISOString() },
    status: change.status,
    businessStatus: businessStatusOf(change.status),
    lastModified: at.toISOString(),
    ...(change.statusReason === undefined ? {} : { statusReason: change.statusReason }),
    ...(notes.length === 0 ? {} : { note: notes }),
    ...(outputs.length === 0 ? {} : { output: outputs }),
  };
}

/** Every referral status is also a FHIR Task.status code, so both say the same thing. */
const businessStatusOf = (status: ReferralStatus): NonNullable<Task['businessStatus']> => ({
  coding: [{ system: REFERRAL_STATUS_SYSTEM, code: status }],
});
