// The gateway's published keys: which one signed a token, an acknowledgement, a notice or a Provenance, and which to encrypt to.
import type { JWK } from 'jose';
import {
  createPublicKeyCache,
  keyManagementFor,
  type SignatureKeyResolver,
} from '../../crypto/index.js';
import { EnlaceProtocolError } from '../errors.js';
import { unwrap } from '../transport/read-failure.js';
import type { GatewayHttp } from '../transport/gateway-http.js';
import { createKeySetCache } from './key-set-cache.js';

export interface GatewayKeys {
  /** The `use: sig` key with this kid, as a JWK. */
  signatureJwk(kid: string | undefined): Promise<JWK>;
  /** The key to encrypt submissions to: the first usable `use: enc` key, P-256 before X25519. */
  encryptionJwk(): Promise<JWK>;
  /** For verifyBundleSignature: the gateway signs by `kid` only, never with a chain. */
  readonly resolver: SignatureKeyResolver<'gateway'>;
}

const isUsableForEncryption = (jwk: JWK): boolean => {
  try {
    keyManagementFor(jwk);
    return true;
  } catch {
    return false;
  }
};

export function createGatewayKeys(http: GatewayHttp, now: () => number): GatewayKeys {
  const cache = createKeySetCache({
    load: async () => unwrap(await http.open.GET('/.well-known/jwks.json')).keys,
    now,
    maxAgeMs: 300_000,
    minRefetchMs: 5_000,
  });
  const imported = createPublicKeyCache();
  const signatureJwk = async (kid: string | undefined): Promise<JWK> => {
    const jwk =
      kid === undefined ? undefined : await cache.find(kid, (candidate) => candidate.use === 'sig');
    if (jwk === undefined)
      throw new Error(`the gateway publishes no signing key ${kid ?? '(none named)'}`);
    return jwk;
  };
  return {
    signatureJwk,
    encryptionJwk: async () => {
      const usable = (await cache.keys()).filter(
        (k) => k.use === 'enc' && isUsableForEncryption(k),
      );
      const chosen = usable.find((k) => k.crv === 'P-256') ?? usable[0];
      if (chosen === undefined)
        throw new EnlaceProtocolError('the gateway publishes no encryption key');
      return chosen;
    },
    resolver: async (request) => {
      // Why: a gateway signature carrying a chain would be a key the JWKS does not vouch for.
      if (request.x5c !== undefined) throw new Error('gateway signatures name their key by kid');
      const key = await imported.importKey(await signatureJwk(request.kid), request.alg);
      return { key, info: 'gateway' };
    },
  };
}
