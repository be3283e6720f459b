// Records that case data was released under a decision, so a later revocation knows whom to tell.
import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../../store/index.js';
import type { Decision } from '../types.js';
import { ConsentDenied } from './consent-denied.js';

const RELIED_ON = /^Consent\/([^/]{1,64})\/_history\/([1-9]\d{0,8})$/;

/** What was released: a reference to it (e.g. `Bundle/<id>`) and when. */
export interface DisclosureSubject {
  readonly reference: string;
  readonly at: Date;
}

/**
 * Writes one row per consent version the decision relied on, inside the caller's transaction, so the
 * release and its record commit together. Refuses a decision that did not permit: recording a
 * release that should not have happened would hide it.
 */
export async function recordDisclosure(
  unit: UnitOfWork,
  decision: Decision,
  recipient: string,
  what: DisclosureSubject,
): Promise<void> {
  if (decision.outcome !== 'permit') throw new ConsentDenied(decision);
  const detail = JSON.stringify({ reference: what.reference, dataClasses: decision.permitted });
  for (const reference of decision.reliedOn) {
    const match = RELIED_ON.exec(reference);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    await unit.db
      .insertInto('consent_disclosure')
      .values({
        id: randomUUID(),
        consent_id: match[1],
        consent_version: Number(match[2]),
        recipient,
        disclosed_at: what.at.toISOString(),
        what: detail,
      })
      .execute();
  }
}
