// Step 3 — signature: the Bundle is signed by the calling institution, which is also the header's sender.
import { SIGNATURE_FAILED_MESSAGE, verifyBundleSignature } from '../../crypto/index.js';
import { GatewayError, type PartnerPrincipal } from '../../kernel/index.js';
import { authenticatedPartner, findPartner } from '../../partners/index.js';
import { senderKeyResolver } from '../sender-keys.js';
import type { SubmissionDeps } from './submission-deps.js';
import type { SubmittedMessage, VerifiedSender } from './submission-types.js';

/**
 * Three names must agree: the access token's partner, `MessageHeader.sender` and the signer.
 * - header ≠ caller: 403 ENLACE_SENDER_MISMATCH — no cryptography involved, the caller wrote both.
 * - a signature by any key other than the caller's own (another partner's valid signature included),
 *   or `Signature.who` naming another institution: 400 ENLACE_SIGNATURE_INVALID with the one uniform
 *   text, since the resolver looks only among the caller's keys — no oracle on whose key it was.
 */
export async function verifySender(
  message: SubmittedMessage,
  caller: PartnerPrincipal,
  deps: Pick<SubmissionDeps, 'store' | 'pki' | 'clock' | 'clockSkewSeconds'>,
): Promise<VerifiedSender> {
  const expected = `Organization/${caller.partnerId}`;
  if (message.header.sender?.reference !== expected) {
    throw new GatewayError(
      'ENLACE_SENDER_MISMATCH',
      'MessageHeader.sender must name the institution the access token was issued to.',
      { expression: ['Bundle.entry[0].resource.sender'] },
    );
  }
  // Why: a partner suspended after its token was issued may no longer send (tokens live 5 minutes).
  // The authorizer read the partner's row live for this very request (and refused it unless
  // active); that row is reused rather than read again a few milliseconds later.
  const partner =
    authenticatedPartner(caller) ?? (await findPartner(deps.store.db, caller.partnerId));
  if (partner?.status !== 'active') {
    throw new GatewayError(
      'ENLACE_SENDER_MISMATCH',
      'The sending institution is not an active partner of this network.',
    );
  }
  const now = deps.clock();
  const verified = await verifyBundleSignature(
    message.bundle,
    senderKeyResolver(deps.store.db, partner, (x5c, at) =>
      deps.pki.validateCertificateChain(x5c, at),
    ),
    { now, clockSkewSeconds: deps.clockSkewSeconds },
  );
  // Why after the key check: `who` is signed content, so it is checked only once it is proven.
  if (verified.who.reference !== expected) {
    throw new GatewayError('ENLACE_SIGNATURE_INVALID', SIGNATURE_FAILED_MESSAGE, {
      expression: ['Bundle.signature.who'],
    });
  }
  return { partner, key: verified.key, signedAt: verified.when };
}
