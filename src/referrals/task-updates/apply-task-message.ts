// Handles `referral-update` and `referral-cancel` messages: a Bundle whose focus is the Task carrying the new status.
import type { Bundle, Task } from '@medplum/fhirtypes';
import type { AuditActor } from '../../audit/index.js';
import type { PayloadVault } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';
import type { UnitOfWork } from '../../store/index.js';
import { openTask } from '../referral-repository.js';
import type { MessageEventCode } from '../types.js';
import { applyTaskChangeTo, type TaskChangeResult } from './apply-task-change.js';
import { loadVisibleReferral } from './load-referral.js';
import { readTaskPatch } from './read-task-patch.js';
import type { TaskChange } from './task-change.js';

export interface TaskMessageRequest {
  /** The verified message Bundle (signature, sender and routing already checked). */
  readonly message: Bundle;
  readonly event: Extract<MessageEventCode, 'referral-update' | 'referral-cancel'>;
  readonly partnerId: string;
  readonly actor: AuditActor;
  readonly at: Date;
  readonly requestId?: string;
}

const invalid = (text: string, expression: string): GatewayError =>
  new GatewayError('ENLACE_TASK_MESSAGE_INVALID', text, { expression: [expression] });

/** The Task the MessageHeader's focus names, found by fullUrl or by `Task/<id>`. */
function focusTask(message: Bundle): Task {
  const entries = message.entry ?? [];
  const header = entries[0]?.resource;
  if (header?.resourceType !== 'MessageHeader') {
    throw invalid('The first entry must be the MessageHeader.', 'Bundle.entry[0]');
  }
  const focus = header.focus ?? [];
  const reference = focus.length === 1 ? focus[0]?.reference : undefined;
  if (reference === undefined) {
    throw invalid('MessageHeader.focus must name exactly one Task.', 'MessageHeader.focus');
  }
  const entry = entries.find(
    ({ fullUrl, resource }) =>
      resource?.resourceType === 'Task' &&
      (fullUrl === reference || `Task/${resource.id ?? ''}` === reference),
  );
  if (entry?.resource?.resourceType !== 'Task') {
    throw invalid(
      'MessageHeader.focus must reference a Task in the Bundle.',
      'MessageHeader.focus',
    );
  }
  return entry.resource;
}

/** The message's Task as the same change a PATCH would make; notes and outputs already on the Task are not added twice. */
function toChange(task: Task, stored: Task): TaskChange {
  const patch: unknown[] = [{ op: 'replace', path: '/status', value: task.status }];
  if (task.businessStatus !== undefined) {
    patch.push({ op: 'replace', path: '/businessStatus', value: task.businessStatus });
  }
  if (task.statusReason !== undefined) {
    patch.push({ op: 'replace', path: '/statusReason', value: task.statusReason });
  }
  const knownNotes = new Set((stored.note ?? []).map((note) => note.text));
  const notes = (task.note ?? []).filter((note) => !knownNotes.has(note.text));
  if (notes.length > 0) patch.push({ op: 'add', path: '/note', value: notes });
  const knownOutputs = new Set((stored.output ?? []).map((output) => JSON.stringify(output)));
  const outputs = (task.output ?? []).filter((o) => !knownOutputs.has(JSON.stringify(o)));
  if (outputs.length > 0) patch.push({ op: 'add', path: '/output', value: outputs });
  try {
    return readTaskPatch(patch);
  } catch (cause) {
    throw invalid(
      `The Task in the message is not a valid change: ${cause instanceof Error ? cause.message : 'unreadable'}`,
      'Task',
    );
  }
}

/**
 * Delegated to by `$process-message`, inside its transaction: the same checks, audit and
 * notification as PATCH /fhir/Task/{id}, so both doors lead through one room.
 */
export async function applyTaskMessage(
  unit: UnitOfWork,
  vault: PayloadVault,
  request: TaskMessageRequest,
): Promise<TaskChangeResult> {
  const task = focusTask(request.message);
  if (task.id === undefined) throw invalid('The Task must carry the referral id.', 'Task.id');
  if (request.event === 'referral-cancel' && task.status !== 'cancelled') {
    throw invalid(
      'A referral-cancel message must set the Task status to cancelled.',
      'Task.status',
    );
  }
  const record = await loadVisibleReferral(unit.db, task.id, request.partnerId);
  const version = task.meta?.versionId;
  if (version !== undefined && !/^[1-9]\d{0,8}$/.test(version)) {
    throw invalid(
      'Task.meta.versionId must be the version the sender last saw.',
      'Task.meta.versionId',
    );
  }
  return applyTaskChangeTo(unit, vault, record, {
    referralId: record.id,
    partnerId: request.partnerId,
    actor: request.actor,
    change: toChange(task, await openTask(vault, record)),
    via: 'message',
    ...(version === undefined ? {} : { expectedVersion: Number(version) }),
    at: request.at,
    ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
  });
}
