// Reads and writes referral rows through kysely; rows become ReferralRecords here and only here.
import type { Bundle, Task } from '@medplum/fhirtypes';
import type { Kysely, Selectable } from 'kysely';
import type { DataClass, Purpose } from '../consent/index.js';
import type { PayloadVault } from '../crypto/index.js';
import type { Database } from '../store/index.js';
import type { ReferralStatus } from './task-workflow.js';
import type { ReferralRecord, TaskVersionChange, TaskVersionRecord } from './types.js';

type ReferralRow = Selectable<Database['referral']>;

export function toReferralRecord(row: ReferralRow): ReferralRecord {
  return {
    id: row.id,
    messageKey: row.message_key,
    contentHash: row.content_hash,
    sender: row.sender,
    recipient: row.recipient,
    pseudonym: row.pseudonym,
    event: row.event,
    purpose: row.purpose as Purpose,
    dataClasses: JSON.parse(row.data_classes) as DataClass[],
    status: row.status as ReferralStatus,
    sealedTask: row.task,
    taskVersion: row.task_version,
    payloadKeyId: row.payload_key_id,
    payload: row.payload,
    acknowledgement: JSON.parse(row.acknowledgement) as Bundle,
    ...(row.recipient_acknowledgement === null
      ? {}
      : { sealedRecipientAcknowledgement: row.recipient_acknowledgement }),
    ...(row.message_header_id === null ? {} : { messageHeaderId: row.message_header_id }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Inserts a new referral; the unique `message_key` refuses a second row for the same message. */
export async function insertReferral(db: Kysely<Database>, record: ReferralRecord): Promise<void> {
  await db
    .insertInto('referral')
    .values({
      id: record.id,
      message_key: record.messageKey,
      content_hash: record.contentHash,
      sender: record.sender,
      recipient: record.recipient,
      pseudonym: record.pseudonym,
      event: record.event,
      purpose: record.purpose,
      data_classes: JSON.stringify(record.dataClasses),
      status: record.status,
      task: record.sealedTask,
      task_version: record.taskVersion,
      payload_key_id: record.payloadKeyId,
      payload: record.payload,
      acknowledgement: JSON.stringify(record.acknowledgement),
      recipient_acknowledgement: record.sealedRecipientAcknowledgement ?? null,
      message_header_id: record.messageHeaderId ?? null,
      created_at: record.createdAt,
      updated_at: record.updatedAt,
    })
    .execute();
  await insertTaskVersion(db, {
    referralId: record.id,
    version: record.taskVersion,
    status: record.status,
    sealedTask: record.sealedTask,
    changedAt: record.createdAt,
    change: 'create',
  });
}

/** Keeps a Task version; the primary key (referral, version) refuses writing one twice. */
export async function insertTaskVersion(
  db: Kysely<Database>,
  version: TaskVersionRecord,
): Promise<void> {
  await db
    .insertInto('task_version')
    .values({
      referral_id: version.referralId,
      version: version.version,
      status: version.status,
      task: version.sealedTask,
      changed_at: version.changedAt,
      change: version.change,
    })
    .execute();
}

const toTaskVersion = (row: Selectable<Database['task_version']>): TaskVersionRecord => ({
  referralId: row.referral_id,
  version: row.version,
  status: row.status as ReferralStatus,
  sealedTask: row.task,
  changedAt: row.changed_at,
  change: row.change as TaskVersionChange,
});

/** Every kept version of a referral's Task, newest first. */
export async function listTaskVersions(
  db: Kysely<Database>,
  referralId: string,
): Promise<TaskVersionRecord[]> {
  const rows = await db
    .selectFrom('task_version')
    .selectAll()
    .where('referral_id', '=', referralId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map(toTaskVersion);
}

export async function findTaskVersion(
  db: Kysely<Database>,
  referralId: string,
  version: number,
): Promise<TaskVersionRecord | undefined> {
  const row = await db
    .selectFrom('task_version')
    .selectAll()
    .where('referral_id', '=', referralId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row === undefined ? undefined : toTaskVersion(row);
}

/**
 * Why the Task is sealed like the message: partners write free text into it (notes, statusReason,
 * output), which may name her or describe her case. The aad binds each blob to its referral and
 * version, so a Task copied into another row, or an older version put back, does not open.
 */
export const taskContext = (referralId: string, version: number): string =>
  `task:${referralId}:${version}`;

/** The Task as the `task` column stores it: a compact JWE from the payload vault. */
export async function sealTask(
  vault: PayloadVault,
  referralId: string,
  version: number,
  task: Task,
): Promise<string> {
  return (await vault.seal(JSON.stringify(task), taskContext(referralId, version))).blob;
}

/** The stored Task of a referral at its current version; ENLACE_SEALED_RECORD_UNREADABLE if it does not open. */
export async function openTask(
  vault: PayloadVault,
  record: Pick<ReferralRecord, 'id' | 'sealedTask' | 'taskVersion'>,
): Promise<Task> {
  const bytes = await vault.open(record.sealedTask, taskContext(record.id, record.taskVersion));
  return JSON.parse(new TextDecoder().decode(bytes)) as Task;
}

export async function findReferral(
  db: Kysely<Database>,
  id: string,
): Promise<ReferralRecord | undefined> {
  const row = await db.selectFrom('referral').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toReferralRecord(row);
}

/** The referral a submitted message created, by its `Bundle.identifier` (`<system>|<value>`). */
export async function findReferralByMessageKey(
  db: Kysely<Database>,
  messageKey: string,
): Promise<ReferralRecord | undefined> {
  const row = await db
    .selectFrom('referral')
    .selectAll()
    .where('message_key', '=', messageKey)
    .executeTakeFirst();
  return row === undefined ? undefined : toReferralRecord(row);
}

/**
 * Why the recipient's acknowledgement is sealed too: it is a message Bundle of the recipient's
 * making, which the profile lets carry a Patient, a RelatedPerson or an OperationOutcome's text.
 */
export const acknowledgementContext = (referralId: string): string =>
  `recipient-acknowledgement:${referralId}`;

/** The recipient's own signed acknowledgement, opened; undefined when it sent none. */
export async function openRecipientAcknowledgement(
  vault: Pick<PayloadVault, 'open'>,
  record: ReferralRecord,
): Promise<Bundle | undefined> {
  if (record.sealedRecipientAcknowledgement === undefined) return undefined;
  const bytes = await vault.open(
    record.sealedRecipientAcknowledgement,
    acknowledgementContext(record.id),
  );
  return JSON.parse(new TextDecoder().decode(bytes)) as Bundle;
}

/** Stores the recipient's own signed acknowledgement of a referral, sealed. */
export async function setRecipientAcknowledgement(
  db: Kysely<Database>,
  vault: Pick<PayloadVault, 'seal'>,
  id: string,
  acknowledgement: Bundle,
  at: Date,
): Promise<void> {
  const sealed = await vault.seal(JSON.stringify(acknowledgement), acknowledgementContext(id));
  await db
    .updateTable('referral')
    .set({
      recipient_acknowledgement: sealed.blob,
      updated_at: at.toISOString(),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * The referrals sent to `recipient` whose request had this MessageHeader.id (and, when given, this
 * id): what an acknowledgement's `response.identifier` answers. Header ids are the senders' choice,
 * so two senders may have used the same one.
 */
export async function findReferralsByHeaderId(
  db: Kysely<Database>,
  recipient: string,
  headerId: string,
  referralId?: string,
): Promise<ReferralRecord[]> {
  let query = db
    .selectFrom('referral')
    .selectAll()
    .where('recipient', '=', recipient)
    .where('message_header_id', '=', headerId);
  if (referralId !== undefined) query = query.where('id', '=', referralId);
  // Two are enough to tell "exactly one" from "ambiguous".
  const rows = await query.limit(2).execute();
  return rows.map(toReferralRecord);
}
