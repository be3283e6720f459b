// Remembers each client assertion's jti until it expires, in the shared store, so a replay fails on any instance.
import type { ExpiringStore } from '../store/index.js';
import type { VerifiedAssertion } from './verify-client-assertion.js';
import { clientAuthFailed } from './token-errors.js';

/** The replay-cache key; the client id is escaped so `a:b` + `c` never collides with `a` + `b:c`. */
export const jtiKey = (clientId: string, jti: string): string =>
  `jti:${encodeURIComponent(clientId)}:${jti}`;

export async function rememberJti(
  kv: ExpiringStore,
  clientId: string,
  assertion: VerifiedAssertion,
  now: Date,
): Promise<void> {
  // Why putIfAbsent: one atomic statement in the database decides, so two instances receiving the
  // same assertion at once cannot both accept it.
  const fresh = await kv.putIfAbsent(
    jtiKey(clientId, assertion.jti),
    '1',
    assertion.acceptableUntil,
    now,
  );
  if (!fresh) throw clientAuthFailed('assertion jti replayed');
}
