// Seals what a delivery carries for its recipient: a referral through the consent gate, a notice as a gateway-signed message.
import { ConsentDenied } from '../../consent/index.js';
import { encryptTo } from '../../crypto/index.js';
import type { DeliveryDeps } from './delivery-deps.js';
import type { DeliveryRow } from './delivery-record.js';
import { AttemptFailure } from './attempt-failure.js';
import { noticeForRow } from './notice-for-row.js';

export const CONSENT_WITHDRAWN = 'consent withdrawn';

/** The compact JWE to post; throws AttemptFailure (permanent when consent no longer allows it). */
export async function buildDeliveryBody(
  deps: Pick<
    DeliveryDeps,
    'store' | 'packageForRecipient' | 'encryptionKeys' | 'vault' | 'signingKey' | 'publicUrl'
  >,
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
  let notice: string;
  try {
    // Why signed inside the JWE: the recipient can show anyone later what the gateway told it,
    // and nobody who handled the ciphertext could have changed it.
    notice = JSON.stringify(await noticeForRow(deps, row, now));
  } catch (error) {
    throw new AttemptFailure('the notice could not be built', false, { cause: error });
  }
  try {
    return await encryptTo(key, notice, { cty: 'application/fhir+json' });
  } catch (error) {
    throw new AttemptFailure('the recipient encryption key is unusable', false, { cause: error });
  }
}
