// Reads and writes referral rows through kysely; rows become ReferralRecords here and only here.
import type { Bundle, Task } from '@medplum/fhirtypes';
import type { Kysely, Selectable } from 'kysely';
import type { DataClass, Purpose } from '../consent/index.js';
import type { Database } from '../store/index.js';
import type { ReferralStatus } from './task-workflow.js';
import type { ReferralRecord } from './types.js';

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
    task: JSON.parse(row.task) as Task,
    taskVersion: row.task_version,
    payloadKeyId: row.payload_key_id,
    payload: row.payload,
    acknowledgement: JSON.parse(row.acknowledgement) as Bundle,
    ...(row.recipient_acknowledgement === null
      ? {}
      : { recipientAcknowledgement: JSON.parse(row.recipient_acknowledgement) as Bundle }),
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
      task: JSON.stringify(record.task),
      task_version: record.taskVersion,
      payload_key_id: record.payloadKeyId,
      payload: record.payload,
      acknowledgement: JSON.stringify(record.acknowledgement),
      recipient_acknowledgement:
        record.recipientAcknowledgement === undefined
          ? null
          : JSON.stringify(record.recipientAcknowledgement),
      created_at: record.createdAt,
      updated_at: record.updatedAt,
    })
    .execute();
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

/** Stores the recipient's own signed acknowledgement of a referral. */
export async function setRecipientAcknowledgement(
  db: Kysely<Database>,
  id: string,
  acknowledgement: Bundle,
  at: Date,
): Promise<void> {
  await db
    .updateTable('referral')
    .set({
      recipient_acknowledgement: JSON.stringify(acknowledgement),
      updated_at: at.toISOString(),
    })
    .where('id', '=', id)
    .execute();
}
