// Finds the public half of a gateway signing key still published, by kid: what the gateway's own tokens verify with.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { publishedKeysOf, type GatewayKeys } from './gateway-keys.js';

/** Resolves a JWS `kid` to the public key it names, or undefined when no published signing key has it. */
export type VerificationKeys = (kid: unknown) => KeyObject | undefined;

/**
 * Why every published signing key, not only the one in use: a token signed just before a switch
 * (or by an instance whose clock switched a moment earlier) must verify until the old key retires.
 * Keys are imported once per revision of the set, never per request.
 */
export function createVerificationKeys(keys: GatewayKeys): VerificationKeys {
  let built: { readonly revision: number | undefined; readonly byKid: Map<string, KeyObject> };
  const build = () => {
    const byKid = new Map<string, KeyObject>();
    for (const { key } of publishedKeysOf(keys)) {
      if (key.use === 'sig')
        byKid.set(key.kid, createPublicKey({ key: key.publicJwk, format: 'jwk' }));
    }
    return { revision: keys.revision, byKid };
  };
  built = build();
  return (kid) => {
    if (typeof kid !== 'string') return undefined;
    if (built.revision !== keys.revision) built = build();
    return built.byKid.get(kid);
  };
}
