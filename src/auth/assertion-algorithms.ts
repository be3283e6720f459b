// The algorithms an assertion may be verified with: the gateway's allow-list AND the client's, case-exact.
import type { ClientRegistration } from '../partners/index.js';
import type { AuthSettings } from './auth-settings.js';
import { clientAuthFailed } from './token-errors.js';

/**
 * Returns the algorithms to pin jose's verification to. Why both lists, compared exactly: `none`,
 * `NONE`, `HS256` (an HMAC keyed with a public key) and anything an operator did not allow for this
 * client must fail here, before any key is touched, rather than depend on a library default.
 */
export function assertionAlgorithms(
  headerAlg: string,
  client: ClientRegistration,
  settings: AuthSettings,
): string[] {
  const allowed: string[] = settings.allowedAlgorithms.filter((alg) =>
    client.allowedAlgorithms.includes(alg),
  );
  if (!allowed.includes(headerAlg)) throw clientAuthFailed('assertion alg not allowed');
  return allowed;
}
