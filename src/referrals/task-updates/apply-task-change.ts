// One step of the closed loop, in the caller's transaction: check, write the new Task version, audit, notify the other party.
import type { Task } from '@medplum/fhirtypes';
import type { AuditActor } from '../../audit/index.js';
import type { PayloadVault } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';
import type { UnitOfWork } from '../../store/index.js';
import { enqueueDelivery } from '../outbox.js';
import { insertTaskVersion, sealTask } from '../referral-repository.js';
import { checkTransition, type Party } from '../task-workflow.js';
import type { ReferralRecord, TaskVersionChange } from '../types.js';
import { loadVisibleReferral } from './load-referral.js';
import { buildTaskAuditEvent } from './task-audit.js';
import type { TaskChange } from './task-change.js';
import { applyChangeToTask, readTaskResource, taskEtag } from './task-resource.js';

export interface TaskChangeRequest {
  readonly referralId: string;
  /** The partner making the change; its side (sender or recipient) comes from the referral. */
  readonly partnerId: string;
  readonly actor: AuditActor;
  readonly change: TaskChange;
  /** Which door the change came through; the Task's history says so for each version. */
  readonly via: Exclude<TaskVersionChange, 'create' | 'migrated'>;
  /** The version the caller last saw; a different current version answers 412. */
  readonly expectedVersion?: number;
  readonly at: Date;
  readonly requestId?: string;
}

export interface TaskChangeResult {
  readonly task: Task;
  readonly version: number;
  readonly record: ReferralRecord;
}

/**
 * Why everything in one transaction: the new status, its AuditEvent and the other party's
 * notification commit together, so the loop can never move silently or notify a change that
 * rolled back. Callers run it inside `store.transaction`.
 */
export async function applyTaskChange(
  unit: UnitOfWork,
  vault: PayloadVault,
  request: TaskChangeRequest,
): Promise<TaskChangeResult> {
  const record = await loadVisibleReferral(unit.db, request.referralId, request.partnerId);
  return applyTaskChangeTo(unit, vault, record, request);
}

/** applyTaskChange for a referral already loaded in this transaction. */
export async function applyTaskChangeTo(
  unit: UnitOfWork,
  vault: PayloadVault,
  record: ReferralRecord,
  request: TaskChangeRequest,
): Promise<TaskChangeResult> {
  if (request.expectedVersion !== undefined && request.expectedVersion !== record.taskVersion) {
    throw versionMismatch(record.taskVersion);
  }
  // Why the party comes from the stored referral, not from the request: only the institution the
  // sender addressed may accept, and only the sender may cancel.
  const by: Party = record.recipient === request.partnerId ? 'recipient' : 'sender';
  const { change, at } = request;
  checkTransition({
    from: record.status,
    to: change.status,
    by,
    hasStatusReason: change.statusReason !== undefined,
    hasOutput: change.outputs.length > 0,
  });
  const version = record.taskVersion + 1;
  const author = { reference: `Organization/${request.partnerId}` };
  const task = applyChangeToTask(
    await readTaskResource(vault, record),
    {
      ...change,
      notes: change.notes.map((note) => ({
        ...note,
        authorReference: author,
        time: at.toISOString(),
      })),
    },
    version,
    at,
  );
  const sealedTask = await sealTask(vault, record.id, version, task);
  // Why guarded by the version: a concurrent change that committed first makes this one a no-op
  // that is refused, never a lost update (both engines, no row lock needed).
  const updated = await unit.db
    .updateTable('referral')
    .set({
      status: change.status,
      task: sealedTask,
      task_version: version,
      updated_at: at.toISOString(),
    })
    .where('id', '=', record.id)
    .where('task_version', '=', record.taskVersion)
    .executeTakeFirst();
  if (updated.numUpdatedRows !== 1n) throw versionMismatch(record.taskVersion);
  await insertTaskVersion(unit.db, {
    referralId: record.id,
    version,
    status: change.status,
    sealedTask,
    changedAt: at.toISOString(),
    change: request.via,
  });
  const other = by === 'recipient' ? record.sender : record.recipient;
  await enqueueDelivery(
    unit.db,
    {
      recipient: other,
      kind: 'task-update',
      referralId: record.id,
      payload: task,
      idempotencyKey: `${record.id}:task:${version}`,
    },
    at,
    vault,
  );
  // The audit is appended last: on PostgreSQL it holds the trail's sequence row until commit.
  await unit.audit.append(
    buildTaskAuditEvent({
      interaction: 'patch',
      actor: request.actor,
      recorded: at,
      entity: `Task/${record.id}`,
      pseudonym: record.pseudonym,
      description: `${record.status} → ${change.status} by the ${by}`,
      ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
    }),
  );
  return {
    task,
    version,
    record: {
      ...record,
      status: change.status,
      sealedTask,
      taskVersion: version,
      updatedAt: at.toISOString(),
    },
  };
}

const versionMismatch = (current: number): GatewayError =>
  new GatewayError(
    'ENLACE_TASK_VERSION_MISMATCH',
    `The Task has changed: its current version is ${taskEtag(current)}; read it again.`,
    { expression: ['If-Match'] },
  );
