import assert from 'node:assert/strict';
import { base64url, CompactEncrypt, exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  decryptInbound,
  encryptTo,
  type GatewayKey,
  type GatewayKeys,
} from '../../../src/crypto/index.js';
import { GatewayError, decodeUtf8, parseStrictJson } from '../../../src/kernel/index.js';
import {
  decodeHeader,
  encodeHeader,
  flipFirst,
  memoryGatewayKeys,
  sampleBundle,
} from './crypto-fixtures.js';

const LIMITS = { maxCompactLength: 1024 * 1024, maxPlaintextBytes: 512 * 1024 };
const MESSAGE = JSON.stringify(sampleBundle());

const assertRefused = async (
  promise: Promise<unknown>,
  code: string,
  message?: RegExp | string,
): Promise<void> => {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.code, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message !== undefined) assert.match(err.message, message);
    return true;
  });
};

const assertDecryptionFailed = (promise: Promise<unknown>): Promise<void> =>
  assertRefused(promise, 'ENLACE_DECRYPTION_FAILED', 'the message could not be decrypted');

describe('decryptInbound', () => {
  let keys: GatewayKeys;
  let p256: GatewayKey;
  let x25519: GatewayKey;
  before(async () => {
    keys = await memoryGatewayKeys();
    [p256, x25519] = keys.encryption as [GatewayKey, GatewayKey];
  });

  for (const curve of ['P-256', 'X25519']) {
    it(`decrypts a message encrypted to the gateway's ${curve} key, for parseStrictJson`, async () => {
      const key = curve === 'P-256' ? p256 : x25519;
      const compact = await encryptTo(key.publicJwk, MESSAGE, { cty: 'application/fhir+json' });
      const { plaintext, header } = await decryptInbound(compact, keys, LIMITS);
      assert.deepEqual(parseStrictJson(decodeUtf8(plaintext), { maxDepth: 64 }), sampleBundle());
      assert.deepEqual(header, {
        alg: 'ECDH-ES+A256KW',
        enc: 'A256GCM',
        kid: key.kid,
        cty: 'application/fhir+json',
      });
    });
  }

  it('picks the key by the curve of epk when the header has no kid', async () => {
    const withoutKid: JWK = { ...x25519.publicJwk };
    delete withoutKid.kid;
    const compact = await encryptTo(withoutKid, MESSAGE);
    assert.equal('kid' in decodeHeader(compact.split('.')[0]), false);
    const { header } = await decryptInbound(compact, keys, LIMITS);
    assert.equal(header.kid, x25519.kid);
  });

  it('refuses a kid that is not one of the gateway encryption keys', async () => {
    const compact = await encryptTo({ ...p256.publicJwk, kid: keys.signing.kid }, MESSAGE);
    await assertRefused(decryptInbound(compact, keys, LIMITS), 'ENLACE_JWE_UNSUPPORTED', /kid/);
    const other = await encryptTo({ ...p256.publicJwk, kid: 'somebody-else' }, MESSAGE);
    await assertRefused(decryptInbound(other, keys, LIMITS), 'ENLACE_JWE_UNSUPPORTED', /kid/);
  });

  it('refuses a kid whose key is on another curve than epk', async () => {
    const compact = await encryptTo({ ...p256.publicJwk, kid: x25519.kid }, MESSAGE);
    await assertRefused(decryptInbound(compact, keys, LIMITS), 'ENLACE_JWE_UNSUPPORTED', /curve/);
  });

  describe('refuses by the protected header alone, before any key operation', () => {
    const filler = 'AAAAAAAAAAAAAAAA';
    const withHeader = (header: Readonly<Record<string, unknown>>): string =>
      [encodeHeader(header), filler, filler, filler, filler].join('.');
    const epk = {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    };

    for (const alg of [
      'RSA1_5',
      'RSA-OAEP',
      'RSA-OAEP-256',
      'PBES2-HS256+A128KW',
      'PBES2-HS512+A256KW',
      'dir',
      'A128KW',
      'A256KW',
      'A256GCMKW',
      'ECDH-ES',
      'ECDH-ES+A128KW',
      'none',
    ]) {
      it(`alg ${alg}`, async () => {
        await assertRefused(
          decryptInbound(withHeader({ alg, enc: 'A256GCM', epk }), keys, LIMITS),
          'ENLACE_JWE_UNSUPPORTED',
          `The JWE "alg" ${JSON.stringify(alg)} is not supported; use ECDH-ES+A256KW.`,
        );
      });
    }

    it('an alg that is not a string', async () => {
      await assertRefused(
        decryptInbound(withHeader({ alg: 7, enc: 'A256GCM', epk }), keys, LIMITS),
        'ENLACE_JWE_UNSUPPORTED',
        'The JWE "alg" must be ECDH-ES+A256KW.',
      );
    });

    for (const enc of ['A128GCM', 'A192GCM', 'A128CBC-HS256', 'A256CBC-HS512']) {
      it(`enc ${enc}`, async () => {
        await assertRefused(
          decryptInbound(withHeader({ alg: 'ECDH-ES+A256KW', enc, epk }), keys, LIMITS),
          'ENLACE_JWE_UNSUPPORTED',
          /"enc" must be A256GCM/,
        );
      });
    }

    it('zip, crit, jwk, jku and x5u', async () => {
      const base = { alg: 'ECDH-ES+A256KW', enc: 'A256GCM', epk, kid: p256.kid };
      for (const extra of [
        { zip: 'DEF' },
        { crit: ['exp'], exp: 1 },
        { jwk: epk },
        { jku: 'https://evil.example/jwks' },
        { x5u: 'https://evil.example/cert' },
      ]) {
        await assertRefused(
          decryptInbound(withHeader({ ...base, ...extra }), keys, LIMITS),
          'ENLACE_JWE_UNSUPPORTED',
          /refused/,
        );
      }
    });

    it('a missing epk or one on an unknown curve', async () => {
      const base = { alg: 'ECDH-ES+A256KW', enc: 'A256GCM' };
      await assertRefused(
        decryptInbound(withHeader(base), keys, LIMITS),
        'ENLACE_JWE_UNSUPPORTED',
        /epk/,
      );
      await assertRefused(
        decryptInbound(withHeader({ ...base, epk: { ...epk, crv: 'P-384' } }), keys, LIMITS),
        'ENLACE_JWE_UNSUPPORTED',
        /epk/,
      );
    });

    it('a header that is not a JSON object, or has a duplicate member', async () => {
      const duplicate = base64url.encode('{"alg":"ECDH-ES+A256KW","alg":"dir","enc":"A256GCM"}');
      for (const header of [base64url.encode('[1]'), base64url.encode('{"alg":'), duplicate]) {
        await assertRefused(
          decryptInbound([header, filler, filler, filler, filler].join('.'), keys, LIMITS),
          'ENLACE_JWE_MALFORMED',
        );
      }
    });
  });

  // Direct encryption leaves the encrypted key part empty (RFC 7516 §5.1 step 5): such a JWE is
  // well formed, and the sender needs to hear that its algorithm is the problem.
  for (const alg of ['dir', 'ECDH-ES'] as const) {
    it(`refuses a real ${alg} JWE as an unsupported algorithm, not as malformed`, async () => {
      const plaintext = new TextEncoder().encode(MESSAGE);
      const encrypt = new CompactEncrypt(plaintext).setProtectedHeader({
        alg,
        enc: 'A256GCM',
        kid: p256.kid,
      });
      const compact =
        alg === 'dir'
          ? await encrypt.encrypt(crypto.getRandomValues(new Uint8Array(32)))
          : await encrypt.encrypt({ ...p256.publicJwk, alg: 'ECDH-ES' });
      assert.equal(compact.split('.')[1], '', 'direct encryption has no encrypted key');
      await assertRefused(
        decryptInbound(compact, keys, LIMITS),
        'ENLACE_JWE_UNSUPPORTED',
        `The JWE "alg" "${alg}" is not supported; use ECDH-ES+A256KW.`,
      );
    });
  }

  it('refuses an ECDH-ES+A256KW JWE whose encrypted key is empty as malformed', async () => {
    const parts = (await encryptTo(p256.publicJwk, MESSAGE)).split('.');
    await assertRefused(
      decryptInbound([parts[0], '', parts[2], parts[3], parts[4]].join('.'), keys, LIMITS),
      'ENLACE_JWE_MALFORMED',
      'The JWE has no encrypted key, which ECDH-ES+A256KW requires.',
    );
  });

  it('refuses what is not a compact JWE with all five parts', async () => {
    const compact = await encryptTo(p256.publicJwk, MESSAGE);
    const parts = compact.split('.');
    for (const bad of [
      parts.slice(0, 3).join('.'),
      [...parts, 'AAAA'].join('.'),
      [parts[0], '', parts[2], parts[3], parts[4]].join('.'),
      JSON.stringify({ protected: parts[0], ciphertext: parts[3] }),
      compact.replace('.', '.+'),
    ]) {
      await assertRefused(decryptInbound(bad, keys, LIMITS), 'ENLACE_JWE_MALFORMED');
    }
  });

  it('refuses a JWE longer than the body limit, and a plaintext beyond its limit', async () => {
    const compact = await encryptTo(p256.publicJwk, MESSAGE);
    await assertRefused(
      decryptInbound(compact, keys, { ...LIMITS, maxCompactLength: compact.length - 1 }),
      'ENLACE_BODY_TOO_LARGE',
    );
    await assertRefused(
      decryptInbound(compact, keys, {
        ...LIMITS,
        maxPlaintextBytes: Buffer.byteLength(MESSAGE) - 1,
      }),
      'ENLACE_BODY_TOO_LARGE',
    );
    await decryptInbound(compact, keys, {
      ...LIMITS,
      maxPlaintextBytes: Buffer.byteLength(MESSAGE),
    });
  });

  describe('answers every decryption failure the same way', () => {
    const PARTS = ['protected header', 'encrypted key', 'iv', 'ciphertext', 'tag'] as const;
    for (const [index, name] of PARTS.entries()) {
      if (index === 0) continue;
      it(`when the ${name} is altered`, async () => {
        const parts = (await encryptTo(p256.publicJwk, MESSAGE)).split('.');
        parts[index] = flipFirst(parts[index] ?? '');
        await assertDecryptionFailed(decryptInbound(parts.join('.'), keys, LIMITS));
      });
    }

    it('when the protected header is altered but still acceptable', async () => {
      const parts = (await encryptTo(p256.publicJwk, MESSAGE)).split('.');
      const header = decodeHeader(parts[0]);
      parts[0] = encodeHeader({ ...header, cty: 'text/plain' });
      await assertDecryptionFailed(decryptInbound(parts.join('.'), keys, LIMITS));
    });

    it('when the message was encrypted to another key under the gateway key id', async () => {
      const { publicKey } = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' });
      const stranger: JWK = { ...(await exportJWK(publicKey)), kid: p256.kid };
      const compact = await encryptTo(stranger, MESSAGE);
      await assertDecryptionFailed(decryptInbound(compact, keys, LIMITS));
    });

    it('when the ephemeral key is not a point on the curve', async () => {
      const parts = (await encryptTo(p256.publicJwk, MESSAGE)).split('.');
      const header = decodeHeader(parts[0]) as {
        epk: Record<string, string>;
      };
      const y = base64url.decode(header.epk.y ?? '');
      y[31] = (y[31] ?? 0) ^ 1;
      parts[0] = encodeHeader({ ...header, epk: { ...header.epk, y: base64url.encode(y) } });
      await assertDecryptionFailed(decryptInbound(parts.join('.'), keys, LIMITS));
    });

    it('and keeps the reason only in cause', async () => {
      const parts = (await encryptTo(p256.publicJwk, MESSAGE)).split('.');
      parts[4] = flipFirst(parts[4] ?? '');
      const err = await decryptInbound(parts.join('.'), keys, LIMITS).catch((e: unknown) => e);
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 400);
      assert.equal(err.issue, 'security');
      assert.ok(err.cause instanceof Error);
    });
  });

  it('decrypts what jose itself produces for the gateway key (interoperability)', async () => {
    const compact = await new CompactEncrypt(new TextEncoder().encode(MESSAGE))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: p256.kid })
      .encrypt(await importPublic(p256.publicJwk));
    const { plaintext } = await decryptInbound(compact, keys, LIMITS);
    assert.equal(new TextDecoder().decode(plaintext), MESSAGE);
  });
});

async function importPublic(jwk: JWK) {
  const { importJWK } = await import('jose');
  return importJWK(jwk, 'ECDH-ES+A256KW');
}
