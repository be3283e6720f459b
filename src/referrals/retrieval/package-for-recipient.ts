// Opens, consent-checks, applies obligations to and encrypts a referral for its recipient; records the disclosure.
import type { Bundle } from '@medplum/fhirtypes';
import {
  checkConsent,
  recordDisclosure,
  signDecisionProvenance,
  type DecisionRequest,
} from '../../consent/index.js';
import { encryptTo } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';
import type { UnitOfWork } from '../../store/index.js';
import { requireEncryptionKey } from '../encryption-keys.js';
import { findReferral } from '../referral-repository.js';
import { referralNotFound } from '../task-updates/index.js';
import type { PackageForRecipient, RecipientPackage, ReferralRecord } from '../types.js';
import { buildDeliveryBundle } from './build-delivery-bundle.js';
import { deliveredVersionId } from './delivered-version.js';
import type { RetrievalDeps } from './retrieval-deps.js';

/** The PackageForRecipient the retrieval route and the delivery worker share. */
export function createPackageForRecipient(deps: RetrievalDeps): PackageForRecipient {
  return async (unit, referralId, at, requestId) => {
    const record = await findReferral(unit.db, referralId);
    if (record === undefined) throw referralNotFound(referralId);
    return packageReferral(unit, record, at, deps, requestId);
  };
}

async function packageReferral(
  unit: UnitOfWork,
  record: ReferralRecord,
  at: Date,
  deps: RetrievalDeps,
  requestId?: string,
): Promise<RecipientPackage> {
  // Why: once the sender withdrew the referral, nothing of it is released any more.
  if (record.status === 'cancelled') {
    throw new GatewayError('ENLACE_REFERRAL_WITHDRAWN', 'The sender cancelled this referral.');
  }
  const jwk = await requireEncryptionKey(unit.db, record.recipient);
  const partner = await unit.db
    .selectFrom('partner')
    .select('role')
    .where('id', '=', record.recipient)
    .executeTakeFirst();
  if (partner === undefined) {
    throw new GatewayError('ENLACE_INTERNAL', `referral ${record.id} names an unknown recipient`);
  }
  const request: DecisionRequest = {
    survivor: [record.pseudonym],
    actor: { organization: record.recipient, role: partner.role },
    purpose: record.purpose,
    dataClasses: record.dataClasses,
    at,
  };
  // Why here, inside the caller's transaction: a revocation that commits first is seen and denies;
  // one that commits later waits for this transaction, which records the disclosure it will find.
  const decision = await checkConsent(
    unit,
    { ...request, ...(requestId === undefined ? {} : { requestId }) },
    deps.gate,
  );
  const message = JSON.parse(
    new TextDecoder().decode(await deps.vault.open(record.payload, record.id)),
  ) as Bundle;
  const content = buildDeliveryBundle(message, decision, request, at);
  const versioned: Bundle = {
    ...content.bundle,
    meta: {
      versionId: deliveredVersionId(record.contentHash, decision),
      lastUpdated: at.toISOString(),
    },
  };
  // The gateway's signature covers the collection as delivered: the message, the record of what
  // was removed from it, and the decision itself.
  const delivered = await signDecisionProvenance(versioned, deps.signingKey, at);
  const jwe = await encryptTo(jwk, JSON.stringify(delivered), {
    cty: 'application/fhir+json',
    ...(deps.keyCache === undefined ? {} : { keyCache: deps.keyCache }),
  });
  await recordDisclosure(unit, decision, record.recipient, {
    reference: `Bundle/${record.id}`,
    at,
  });
  return { jwe, decision };
}
