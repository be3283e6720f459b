// Step 7 — persist, in the caller's transaction: consent decision, referral, outbox entry, disclosure, audit.
import { traceStep } from '../../observability/index.js';
import type { AuditEvent } from '@medplum/fhirtypes';
import { checkConsent, recordDisclosure, type GateRequest } from '../../consent/index.js';
import type { UnitOfWork } from '../../store/index.js';
import { enqueueDelivery } from '../outbox.js';
import { findReferralByMessageKey, insertReferral } from '../referral-repository.js';
import type { ReferralRecord } from '../types.js';
import type { SubmissionDeps } from './submission-deps.js';

export interface NewReferral {
  readonly record: ReferralRecord;
  readonly consent: GateRequest;
  readonly audit: AuditEvent;
}

export type PersistResult =
  { readonly kind: 'created' } | { readonly kind: 'existing'; readonly earlier: ReferralRecord };

/**
 * Everything commits together or not at all: a refusal here (consent, a duplicate) rolls back every
 * row, so nothing half-written remains. The existing-message check is repeated inside the
 * transaction because only here does it see every committed message.
 */
export async function persistReferral(
  unit: UnitOfWork,
  referral: NewReferral,
  deps: Pick<SubmissionDeps, 'consent' | 'store' | 'clock' | 'vault'>,
): Promise<PersistResult> {
  const { record } = referral;
  const earlier = await findReferralByMessageKey(unit.db, record.messageKey);
  if (earlier !== undefined) return { kind: 'existing', earlier };
  // Why inside the transaction: a revocation committing meanwhile either waits or is seen here.
  const decision = await traceStep('enlace.submission.consent', () =>
    checkConsent(unit, referral.consent, {
      decide: deps.consent.decide,
      emergencyGrants: deps.consent.emergencyGrants,
      defaultDecision: deps.consent.defaultDecision,
      vault: deps.consent.vault,
      dialect: deps.store.dialect,
      clock: deps.clock,
    }),
  );
  await insertReferral(unit.db, record);
  const at = new Date(record.createdAt);
  await enqueueDelivery(
    unit.db,
    {
      recipient: record.recipient,
      kind: 'referral',
      referralId: record.id,
      payload: { referral: `Task/${record.id}`, event: record.event },
      idempotencyKey: `${record.id}:referral`,
    },
    at,
    deps.vault,
  );
  await recordDisclosure(unit, decision, record.recipient, {
    reference: `Bundle/${record.id}`,
    at,
  });
  // Appended last: on PostgreSQL an append holds the trail's sequence row until commit.
  await traceStep('enlace.submission.audit', () => unit.audit.append(referral.audit));
  return { kind: 'created' };
}
