import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { checkPartnerJwks } from '../../../src/partners/validate-jwks.js';

async function publicJwk(
  alg: string,
  options: { modulusLength?: number; crv?: string } = {},
): Promise<JWK> {
  const { publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return exportJWK(publicKey);
}

async function privateJwk(alg: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return exportJWK(privateKey);
}

const refusal = (pattern: RegExp) => ({ code: 'ENLACE_PARTNER_INVALID', message: pattern });

describe('checkPartnerJwks', () => {
  it('accepts EC, RSA and Ed25519 public keys and keeps only public members', async () => {
    const keys = [
      { ...(await publicJwk('ES256')), kid: 'ec', alg: 'ES256', x5t: 'dropped' },
      { ...(await publicJwk('PS256')), kid: 'rsa' },
      { ...(await publicJwk('EdDSA', { crv: 'Ed25519' })), kid: 'ed' },
    ];
    const checked = await checkPartnerJwks({ keys });
    assert.deepEqual(
      checked.keys.map((key) => key.kid),
      ['ec', 'rsa', 'ed'],
    );
    assert.equal('x5t' in (checked.keys[0] ?? {}), false);
  });

  it('refuses private key material', async () => {
    const key = { ...(await privateJwk('ES256')), kid: 'k' };
    await assert.rejects(checkPartnerJwks({ keys: [key] }), refusal(/private key material/));
  });

  it('refuses a symmetric key', async () => {
    await assert.rejects(
      checkPartnerJwks({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'k' }] }),
      refusal(/private key material/),
    );
  });

  it('refuses RSA keys below 2048 bits', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const key = { ...publicKey.export({ format: 'jwk' }), kid: 'small' } as JWK;
    await assert.rejects(checkPartnerJwks({ keys: [key] }), refusal(/below 2048/));
  });

  it('refuses duplicate, missing and hostile kids', async () => {
    const key = await publicJwk('ES256');
    await assert.rejects(
      checkPartnerJwks({
        keys: [
          { ...key, kid: 'a' },
          { ...key, kid: 'a' },
        ],
      }),
      refusal(/unique kid/),
    );
    await assert.rejects(checkPartnerJwks({ keys: [key] }), refusal(/unique kid/));
    await assert.rejects(
      checkPartnerJwks({ keys: [{ ...key, kid: '../../etc/passwd' }] }),
      refusal(/unique kid/),
    );
    await assert.rejects(
      checkPartnerJwks({ keys: [{ ...key, kid: 'x'.repeat(10_000) }] }),
      refusal(/unique kid/),
    );
  });

  it('refuses empty and oversized key sets and non-objects', async () => {
    await assert.rejects(checkPartnerJwks({ keys: [] }), refusal(/1 to 10 keys/));
    await assert.rejects(checkPartnerJwks(null), refusal(/1 to 10 keys/));
    await assert.rejects(checkPartnerJwks({ keys: ['x'] }), refusal(/must be an object/));
    const key = await publicJwk('ES256');
    const many = Array.from({ length: 11 }, (_, index) => ({ ...key, kid: `k${index}` }));
    await assert.rejects(checkPartnerJwks({ keys: many }), refusal(/1 to 10 keys/));
  });

  it('refuses a key whose coordinates do not parse', async () => {
    const key = { ...(await publicJwk('ES256')), kid: 'k', x: 'AAAA' };
    await assert.rejects(checkPartnerJwks({ keys: [key] }), refusal(/does not parse/));
  });
});
