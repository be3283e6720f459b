// Seals what a delivery carries for its recipient: a referral through the consent gate, anything else with encryptTo.
import { ConsentDenied } from '../../consent/index.js';
import { encryptTo } from '../../crypto/index.js';
import type { DeliveryDeps } from './delivery-deps.js';
import type { DeliveryRow } from './delivery-record.js';
import { AttemptFailure } from './attempt-failure.js';

export const CONSENT_WITHDRAWN = 'consent withdrawn';

/** The compact JWE to post; throws AttemptFailure (permanent when consent no longer allows it). */
export async function buildDeliveryBody(
  deps: Pick<DeliveryDeps, 'store' | 'packageForRecipient' | 'encryptionKeys'>,
  row: DeliveryRow,
  now: Date,
): Promise<string> {
  if (row.kind === 'referral') {
    if (row.referral_id === null)
      throw new AttemptFailure('referral delivery without a referral', true);
    const referralId = row.referral_id;
    try {
      // Why: consent is decided again at every attempt, inside a transaction, so a revocation
      // committed since the referral was accepted stops the push (and a pending retry with it).
      const sealed = await deps.store.transaction((unit) =>
        deps.packageForRecipient(unit, referralId, now, row.id),
      );
      return sealed.jwe;
    } catch (error) {
      if (error instanceof ConsentDenied) {
        throw new AttemptFailure(CONSENT_WITHDRAWN, true, { cause: error });
      }
      throw new AttemptFailure('the referral could not be packaged', false, { cause: error });
    }
  }
  const key = await deps.encryptionKeys(deps.store.db, row.recipient);
  if (key === undefined) throw new AttemptFailure('the recipient has no encryption key', false);
  const payload = row.payload;
  try {
    return await encryptTo(key, payload, { cty: contentTypeOf(payload) });
  } catch (error) {
    throw new AttemptFailure('the recipient encryption key is unusable', false, { cause: error });
  }
}

function contentTypeOf(payload: string): string {
  try {
    const value: unknown = JSON.parse(payload);
    return typeof value === 'object' && value !== null && 'resourceType' in value
      ? 'application/fhir+json'
      : 'application/json';
  } catch {
    return 'application/json';
  }
}
