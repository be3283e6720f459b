// Queues a `consent-revoked` notice to each institution that received data under a consent now withdrawn.
import { createHash } from 'node:crypto';
import type { ParametersParameter } from '@medplum/fhirtypes';
import { GatewayError } from '../../kernel/index.js';
import type { UnitOfWork } from '../../store/index.js';
import { enqueueDelivery, type OutboxSealer } from '../outbox.js';
import { buildNotice, MESSAGE_EVENT_SYSTEM } from './notice-parameters.js';

const CONSENT_REFERENCE = /^Consent\/([^/]{1,64})(?:\/_history\/[1-9]\d{0,8})?$/;

/**
 * Call inside the revocation's transaction (`unit`), so the notices commit with it or not at all.
 * Each notice names the Consent and the referrals (`Bundle/<id>`) released to that recipient under
 * it. Calling it again for the same consent version queues nothing new. Returns the delivery ids.
 */
export async function enqueueConsentRevokedNotices(
  unit: UnitOfWork,
  recipients: readonly string[],
  consentRef: string,
  now: Date,
  vault: OutboxSealer,
): Promise<string[]> {
  const consentId = CONSENT_REFERENCE.exec(consentRef)?.[1];
  if (consentId === undefined) {
    throw new GatewayError('ENLACE_INTERNAL', 'a consent-revoked notice needs a Consent reference');
  }
  const ids: string[] = [];
  for (const recipient of [...new Set(recipients)].sort()) {
    const idempotencyKey = `consent-revoked:${consentRef}:${recipient}`;
    const queued = await unit.db
      .selectFrom('delivery')
      .select('id')
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    if (queued !== undefined) continue;
    const referrals = await releasedReferences(unit, consentId, recipient);
    const parameters: ParametersParameter[] = [
      { name: 'consent', valueReference: { reference: consentRef } },
      ...referrals.map((reference) => ({ name: 'referral', valueReference: { reference } })),
      { name: 'revoked', valueInstant: now.toISOString() },
    ];
    const noticeId = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
    ids.push(
      await enqueueDelivery(
        unit.db,
        {
          recipient,
          kind: 'consent-revoked',
          payload: buildNotice(
            noticeId,
            { system: MESSAGE_EVENT_SYSTEM, code: 'consent-revoked' },
            parameters,
          ),
          idempotencyKey,
        },
        now,
        vault,
      ),
    );
  }
  return ids;
}

/** What was released to the recipient under the consent, as recorded by the disclosure log. */
async function releasedReferences(
  unit: UnitOfWork,
  consentId: string,
  recipient: string,
): Promise<string[]> {
  const rows = await unit.db
    .selectFrom('consent_disclosure')
    .select('what')
    .where('consent_id', '=', consentId)
    .where('recipient', '=', recipient)
    .execute();
  const references = new Set<string>();
  for (const row of rows) {
    const what: unknown = JSON.parse(row.what);
    if (typeof what === 'object' && what !== null && 'reference' in what) {
      const { reference } = what;
      if (typeof reference === 'string') references.add(reference);
    }
  }
  return [...references].sort();
}
