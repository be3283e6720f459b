// Runs a read or search and records it: who asked, for what, with the outcome — refusals included.
import type { Coding } from '@medplum/fhirtypes';
import type { Store } from '../store/index.js';
import { auditingRefusals, describeRefusal } from './audit-refusals.js';
import { auditSubtype, auditType } from './audit-codes.js';
import { buildAuditEvent, type AuditActor } from './build-audit-event.js';

export interface ReadRecord {
  readonly interaction: 'read' | 'search';
  readonly actor: AuditActor;
  /** What was read: `Organization/x`, or undefined for a search. */
  readonly reference?: string;
  /** What was asked, in words: never a survivor's identifier, only her pseudonym if anything. */
  readonly description: string;
  readonly requestId: string;
  readonly clock: () => Date;
}

const subtypes: Readonly<Record<ReadRecord['interaction'], Coding>> = {
  read: auditSubtype.read,
  search: auditSubtype.search,
};

/**
 * Why after the work and in its own write: these reads touch no case data (the directory, the
 * log's proofs, the review queue); the record is appended before the answer leaves, and a record
 * that cannot be written fails the request.
 */
export function auditedRead<T>(
  store: Pick<Store, 'audit'>,
  record: ReadRecord,
  work: () => Promise<T>,
): Promise<T> {
  const event = (refusal?: string) =>
    buildAuditEvent({
      type: auditType.rest,
      subtype: subtypes[record.interaction],
      action: record.interaction === 'read' ? 'R' : 'E',
      outcome: refusal === undefined ? '0' : '4',
      ...(refusal === undefined ? {} : { outcomeDesc: refusal }),
      recorded: record.clock(),
      agents: [record.actor],
      entities: [
        {
          ...(record.reference === undefined ? {} : { reference: record.reference }),
          description: record.description,
        },
      ],
      requestId: record.requestId,
    });
  return auditingRefusals(
    store,
    (error) => event(describeRefusal(error)),
    async () => {
      const answer = await work();
      await store.audit.append(event());
      return answer;
    },
  );
}
