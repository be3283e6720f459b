// An in-memory ES256 GatewayKey for tests that sign and verify person tokens without touching disk.
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { GatewayKey } from '../../../src/crypto/index.js';

export async function createSigningKey(): Promise<GatewayKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return {
    kid,
    alg: 'ES256',
    use: 'sig',
    privateKey,
    publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' },
  };
}
