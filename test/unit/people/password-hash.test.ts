import assert from 'node:assert/strict';
import {
  CURRENT_SCRYPT_PARAMS,
  hashPassword,
  parsePasswordHash,
  verifyPassword,
} from '../../../src/people/password-hash.js';
import { isGatewayError } from '../../../src/kernel/index.js';

const PASSWORD = 'correct horse battery staple';

describe('password hashing', () => {
  it('verifies the password it hashed and refuses another', async () => {
    const stored = await hashPassword(PASSWORD);
    assert.equal(await verifyPassword(PASSWORD, stored), true);
    assert.equal(await verifyPassword('correct horse battery stapler', stored), false);
  });

  it('stores scrypt with N=2^15, r=8, p=1, a 16-byte salt and a 32-byte key', async () => {
    const stored = await hashPassword(PASSWORD);
    assert.match(stored, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const parsed = parsePasswordHash(stored);
    assert.deepEqual(parsed.params, { log2N: 15, r: 8, p: 1, keyLength: 32 });
    assert.deepEqual(parsed.params, CURRENT_SCRYPT_PARAMS);
    assert.equal(parsed.salt.length, 16);
    assert.equal(parsed.key.length, 32);
  });

  it('salts every hash afresh', async () => {
    const [first, second] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    assert.notEqual(first, second);
  });

  it('verifies with the parameters stored in the hash, so they can be raised later', async () => {
    const stored = await hashPassword(PASSWORD, { log2N: 16, r: 8, p: 2, keyLength: 48 });
    assert.match(stored, /^\$scrypt\$ln=16,r=8,p=2\$/);
    assert.equal(parsePasswordHash(stored).key.length, 48);
    assert.equal(await verifyPassword(PASSWORD, stored), true);
  });

  it('matches the same phrase typed in another Unicode form (NFKC)', async () => {
    const stored = await hashPassword('contraseña segura 2025');
    assert.equal(await verifyPassword('contrasen\u0303a segura 2025', stored), true);
  });

  it('refuses a malformed stored hash instead of accepting any password', async () => {
    await assert.rejects(
      verifyPassword(PASSWORD, '$scrypt$ln=15,r=8,p=1$short$short'),
      (err: unknown) => isGatewayError(err) && err.code === 'ENLACE_INTERNAL',
    );
  });
});
