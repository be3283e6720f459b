// Whether a validated certificate is a client's: a fingerprint registered for it, or one the gateway's CA issued to its partner.
import { isKeyActive, type ClientKey, type RegisteredClient } from '../partners/index.js';
import type { ValidatedClientChain } from './auth-deps.js';

/**
 * Why a valid chain is not enough: it proves a certificate, not a client. It must be bound to THIS
 * client by a registered fingerprint, or be one the gateway's CA issued to this partner and no
 * operator bound elsewhere or retired (a rotation or removal retires a certificate by its
 * fingerprint). Returns the reason it is not the client's, or undefined when it is.
 */
export function certificateOwnerProblem(
  chain: ValidatedClientChain,
  { client, partner }: RegisteredClient,
  /** Every key of the partner's clients, retired ones included. */
  keys: readonly ClientKey[],
  at: Date,
): string | undefined {
  const fingerprint = chain.fingerprint256.toUpperCase();
  const registered = keys.find(
    (key) => key.kind === 'certificate' && key.fingerprint.toUpperCase() === fingerprint,
  );
  if (registered === undefined) {
    return chain.partnerId !== undefined && chain.partnerId === partner.id
      ? undefined
      : 'certificate belongs to another partner';
  }
  if (registered.clientId !== client.clientId) return 'certificate belongs to another client';
  if (!isKeyActive(registered, at)) return 'certificate retired';
  return undefined;
}
