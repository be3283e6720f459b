// The append-only AuditEvent trail over kysely, shared by both engines; it has no update or delete.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { AuditQuery, AuditRecord, AuditTrail } from '../ports.js';
import type { AuditEventTable, Database } from '../schema.js';
import { appendLeaf, type CompactRange } from '../../audit/merkle/index.js';
import { toLedgerEntry } from '../../audit/ledger-entry.js';
import { StoreError } from '../store-error.js';
import { isDatabaseUnavailable } from '../unavailable.js';
import { decodeFrontier, encodeFrontier } from './frontier.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function toRow(seq: number, event: AuditEvent, resource: string): AuditEventTable {
  const agent = event.agent.find((candidate) => candidate.requestor) ?? event.agent[0];
  return {
    seq,
    id: event.id ?? '',
    recorded: event.recorded,
    type_code: event.type.code ?? null,
    subtype_code: event.subtype?.[0]?.code ?? null,
    action: event.action ?? null,
    outcome: event.outcome ?? null,
    agent_who: agent?.who?.reference ?? null,
    entity_what: event.entity?.[0]?.what?.reference ?? null,
    resource,
  };
}

function toRecord(row: { seq: number; resource: string }): AuditRecord {
  return { seq: row.seq, event: JSON.parse(row.resource) as AuditEvent };
}

function assertAppendable(event: AuditEvent): void {
  if (!event.id || !event.recorded) {
    throw new StoreError(
      'ENLACE_STORE_INVALID_ARGUMENT',
      'an audit record needs an AuditEvent with id and recorded set',
    );
  }
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new StoreError(
      'ENLACE_STORE_INVALID_ARGUMENT',
      `limit must be an integer from 1 to ${MAX_LIMIT}`,
    );
  }
  return limit;
}

/** The counter and frontier as a unit of work left them: its row stays locked until commit. */
interface HeldCounter {
  readonly seq: number;
  readonly range: CompactRange;
}

async function appendWithin(
  trx: Kysely<Database>,
  event: AuditEvent,
  held: HeldCounter | undefined,
): Promise<{ readonly record: AuditRecord; readonly held: HeldCounter }> {
  const entry = toLedgerEntry(event);
  // Why: taking the next seq from a counter row (not a PostgreSQL sequence) keeps the trail gapless
  // and commit-ordered: the row lock makes a second appender wait until the first commits or rolls
  // back, so a reader tailing by seq can never skip a record that becomes visible later. The same
  // row holds the Merkle log's frontier, so leaf index seq − 1 and the tree advance together.
  // A later append in the same transaction already holds that lock and wrote that row itself, so
  // it takes seq and frontier from what the previous append left instead of reading them again.
  let seq: number;
  let range: CompactRange;
  if (held === undefined) {
    const row = await trx
      .updateTable('audit_sequence')
      .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
      .where('id', '=', 1)
      .returning(['last_seq', 'frontier'])
      .executeTakeFirstOrThrow();
    seq = row.last_seq;
    range = decodeFrontier(seq - 1, row.frontier);
  } else {
    seq = held.seq + 1;
    range = held.range;
  }
  const appended = appendLeaf(range, entry.leafHash);
  await trx
    .insertInto('audit_event')
    .values(toRow(seq, event, entry.canonical))
    .execute();
  await trx
    .insertInto('audit_tree_node')
    .values(appended.completed.map(({ level, index, hash }) => ({ level, idx: index, hash })))
    .execute();
  if (entry.refs.length > 0) {
    await trx
      .insertInto('audit_event_ref')
      .values(entry.refs.map((ref) => ({ ...ref, seq })))
      .execute();
  }
  const frontier = encodeFrontier(appended.range);
  await trx
    .updateTable('audit_sequence')
    .set(held === undefined ? { frontier } : { last_seq: seq, frontier })
    .where('id', '=', 1)
    .execute();
  return {
    record: toRecord({ seq, resource: entry.canonical }),
    held: { seq, range: appended.range },
  };
}

/** Appends inside the unit of work `db` is, one at a time, each after the previous one's writes. */
function unitAppender(db: Kysely<Database>): (event: AuditEvent) => Promise<AuditRecord> {
  let held: HeldCounter | undefined;
  let previous: Promise<unknown> = Promise.resolve();
  return (event) => {
    const next = previous.then(async () => {
      try {
        const appended = await appendWithin(db, event, held);
        held = appended.held;
        return appended.record;
      } catch (error) {
        // Why forget: after a failed statement the row is whatever the database says it is.
        held = undefined;
        throw error;
      }
    });
    previous = next.catch(() => undefined);
    return next;
  };
}

export function createAuditTrail(db: Kysely<Database>): AuditTrail {
  // Counter bump and insert must commit together; reuse the caller's transaction when there is one.
  const appendInUnit = db.isTransaction ? unitAppender(db) : undefined;
  return {
    async append(event) {
      assertAppendable(event);
      try {
        return await (appendInUnit !== undefined
          ? appendInUnit(event)
          : db
              .transaction()
              .execute(async (trx) => (await appendWithin(trx, event, undefined)).record));
      } catch (cause) {
        // Why: an action whose record cannot be written must not happen; the caller's transaction
        // rolls back and the client is told to retry (503), whatever the database's reason was.
        if (isDatabaseUnavailable(cause)) throw cause;
        throw new StoreError(
          'ENLACE_STORE_AUDIT_FAILED',
          'The action was not carried out because its audit record could not be written; retry later.',
          { cause, headers: { 'Retry-After': '5' } },
        );
      }
    },

    async list(query: AuditQuery = {}) {
      const rows = await db
        .selectFrom('audit_event')
        .select(['seq', 'resource'])
        .where('seq', '>', query.afterSeq ?? 0)
        .orderBy('seq')
        .limit(checkLimit(query.limit ?? DEFAULT_LIMIT))
        .execute();
      return rows.map(toRecord);
    },

    async count() {
      const { count } = await db
        .selectFrom('audit_event')
        .select((eb) => eb.fn.countAll().as('count'))
        .executeTakeFirstOrThrow();
      return Number(count);
    },
  };
}
