// Reads one AuditEvent by its id, as the ledger stores it.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import { GatewayError } from '../../kernel/index.js';
import type { Database } from '../../store/index.js';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export const isAuditEventId = (id: string): boolean => FHIR_ID.test(id);

/**
 * The event exactly as recorded (its RFC 8785 text parsed), so what an auditor reads hashes to
 * the ledger's leaf. ENLACE_RESOURCE_NOT_FOUND when no event has this id; the id is not echoed.
 */
export async function readAuditEvent(db: Kysely<Database>, id: string): Promise<AuditEvent> {
  const row = isAuditEventId(id)
    ? await db.selectFrom('audit_event').select('resource').where('id', '=', id).executeTakeFirst()
    : undefined;
  if (row === undefined) {
    throw new GatewayError('ENLACE_RESOURCE_NOT_FOUND', 'No AuditEvent has this id.');
  }
  return JSON.parse(row.resource) as AuditEvent;
}
