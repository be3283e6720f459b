import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { compactDecrypt, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { createPublicKeyCache, encryptTo, keyManagementFor } from '../../../src/crypto/index.js';
import { GatewayError } from '../../../src/kernel/index.js';
import { decodeHeader } from './crypto-fixtures.js';

const TEXT = 'Derivación confidencial: acompañamiento — riesgo alto';

interface Recipient {
  readonly jwk: JWK;
  readonly privateKey: CryptoKey;
}

async function recipient(
  alg: string,
  options: { crv?: string; modulusLength?: number } = {},
): Promise<Recipient> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return {
    jwk: { ...(await exportJWK(publicKey)), kid: `${alg}-${options.crv ?? 'rsa'}`, use: 'enc' },
    privateKey,
  };
}

const assertKeyRefused = (action: () => unknown, reason: RegExp): void => {
  assert.throws(action, (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'ENLACE_RECIPIENT_KEY_UNSUPPORTED');
    assert.match(err.message, reason);
    return true;
  });
};

describe('encryptTo', () => {
  const cases = [
    ['ECDH-ES+A256KW', { crv: 'P-256' }],
    ['ECDH-ES+A256KW', { crv: 'P-384' }],
    ['ECDH-ES+A256KW', { crv: 'X25519' }],
    ['RSA-OAEP-256', { modulusLength: 2048 }],
  ] as const;
  for (const [alg, options] of cases) {
    it(`encrypts with ${alg} to a ${'crv' in options ? options.crv : 'RSA'} key, A256GCM, with its kid`, async () => {
      const { jwk, privateKey } = await recipient(alg, options);
      const compact = await encryptTo(jwk, TEXT, { cty: 'application/fhir+json' });
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(decodeHeader(compact.split('.')[0])).filter(([name]) => name !== 'epk'),
        ),
        { alg, enc: 'A256GCM', kid: jwk.kid, cty: 'application/fhir+json' },
      );
      const { plaintext } = await compactDecrypt(compact, privateKey);
      assert.equal(new TextDecoder().decode(plaintext), TEXT);
      assert.equal(compact.includes(Buffer.from(TEXT).toString('base64url')), false);
    });
  }

  it('imports a recipient key once, however often and under whatever kid it is used', async () => {
    const { jwk } = await recipient('ECDH-ES+A256KW', { crv: 'P-256' });
    const cache = createPublicKeyCache(8);
    await encryptTo(jwk, TEXT, { keyCache: cache });
    await encryptTo({ ...jwk }, TEXT, { keyCache: cache });
    await encryptTo({ ...jwk, kid: 'renamed' }, TEXT, { keyCache: cache });
    assert.equal(cache.imports, 1);
    assert.equal(cache.size, 1);
  });

  it('keeps at most the configured number of keys, dropping the least recently used', async () => {
    const cache = createPublicKeyCache(2);
    const keys = await Promise.all(
      [1, 2, 3].map(() => recipient('ECDH-ES+A256KW', { crv: 'P-256' })),
    );
    for (const { jwk } of keys) await encryptTo(jwk, TEXT, { keyCache: cache });
    assert.equal(cache.size, 2);
    await encryptTo(keys[2]?.jwk ?? {}, TEXT, { keyCache: cache });
    assert.equal(cache.imports, 3);
    await encryptTo(keys[0]?.jwk ?? {}, TEXT, { keyCache: cache });
    assert.equal(cache.imports, 4);
  });

  it('refuses keys that cannot or must not be encrypted to', async () => {
    const ec = (await recipient('ECDH-ES+A256KW', { crv: 'P-256' })).jwk;
    // jose will not even generate a key this weak; node:crypto still can.
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'jwk',
    }) as JWK;
    assertKeyRefused(() => keyManagementFor({ ...ec, use: 'sig' }), /"use"/);
    assertKeyRefused(() => keyManagementFor({ ...ec, d: 'secret' }), /private key material/);
    assertKeyRefused(() => keyManagementFor({ kty: 'oct', k: 'AAAA' }), /private key material/);
    assertKeyRefused(() => keyManagementFor({ ...ec, crv: 'secp256k1' }), /neither/);
    assertKeyRefused(() => keyManagementFor({ ...ec, alg: 'ECDH-ES' }), /not ECDH-ES\+A256KW/);
    assertKeyRefused(() => keyManagementFor(small), /2048 bits/);
    assertKeyRefused(() => keyManagementFor({ ...small, alg: 'RSA1_5' }), /2048 bits/);
  });

  it('refuses a key whose coordinates are not a point, as ENLACE_RECIPIENT_KEY_UNSUPPORTED', async () => {
    const { jwk } = await recipient('ECDH-ES+A256KW', { crv: 'P-256' });
    await assert.rejects(
      encryptTo({ ...jwk, y: jwk.x ?? '' }, TEXT, { keyCache: createPublicKeyCache() }),
      { code: 'ENLACE_RECIPIENT_KEY_UNSUPPORTED' },
    );
  });
});
