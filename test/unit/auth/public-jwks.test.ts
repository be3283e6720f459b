import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { buildPublicJwks } from '../../../src/auth/public-jwks.js';
import { toPublicJwk } from '../../../src/auth/public-jwk.js';
import type { GatewayKey, GatewayKeys } from '../../../src/crypto/index.js';
import { isGatewayError } from '../../../src/kernel/index.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** A GatewayKey whose publicJwk carelessly holds the whole private JWK. */
async function leakyKey(alg: string, use: 'sig' | 'enc', options: object): Promise<GatewayKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
  const jwk = await exportJWK(privateKey);
  return { kid: `${alg}-${use}`, alg, use, privateKey, publicJwk: { ...jwk, k: 'c2VjcmV0' } };
}

describe('the published JWKS', () => {
  let keys: GatewayKeys;

  before(async () => {
    keys = {
      signing: await leakyKey('ES256', 'sig', {}),
      encryption: [
        await leakyKey('ECDH-ES+A256KW', 'enc', { crv: 'X25519' }),
        await leakyKey('RSA-OAEP-256', 'enc', { modulusLength: 2048 }),
        await leakyKey('EdDSA', 'sig', { crv: 'Ed25519' }),
      ],
    };
  });

  it('never carries a private member of an EC, OKP or RSA key', () => {
    const jwks = buildPublicJwks(keys);
    assert.equal(jwks.keys.length, 4);
    const text = JSON.stringify(jwks);
    for (const jwk of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) {
        assert.equal(member in jwk, false, `${String(jwk.kid)} has no ${member}`);
      }
    }
    assert.deepEqual(
      jwks.keys.map((jwk) => jwk.kty),
      ['EC', 'OKP', 'RSA', 'OKP'],
    );
    assert.doesNotMatch(text, /"(d|p|q|dp|dq|qi|k|oth)":/);
  });

  it('keeps the public members, kid, alg and use', () => {
    const [signing, x25519, rsa] = buildPublicJwks(keys).keys;
    assert.deepEqual(Object.keys(signing ?? {}).sort(), [
      'alg',
      'crv',
      'kid',
      'kty',
      'use',
      'x',
      'y',
    ]);
    assert.equal(signing?.use, 'sig');
    assert.deepEqual(Object.keys(x25519 ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    assert.equal(x25519?.use, 'enc');
    assert.deepEqual(Object.keys(rsa ?? {}).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('refuses to publish a symmetric key at all', () => {
    const secret: JWK = { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' };
    assert.throws(
      () => toPublicJwk(secret),
      (error: unknown) => isGatewayError(error) && error.code === 'ENLACE_INTERNAL',
    );
  });
});
