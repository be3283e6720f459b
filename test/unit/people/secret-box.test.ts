import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isGatewayError } from '../../../src/kernel/index.js';
import { createSecretBox } from '../../../src/people/secret-box.js';

const isInternal = (err: unknown): boolean => isGatewayError(err) && err.code === 'ENLACE_INTERNAL';

describe('TOTP secret box (AES-256-GCM)', () => {
  const box = createSecretBox(randomBytes(32));
  const secret = new Uint8Array(randomBytes(20));

  it('opens what it sealed for the same account', () => {
    const sealed = box.seal(secret, 'account-1');
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{27}\.[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(new Uint8Array(box.open(sealed, 'account-1')), secret);
  });

  it('never stores the secret in the clear and seals it differently each time', () => {
    const sealed = box.seal(secret, 'account-1');
    assert.ok(!sealed.includes(Buffer.from(secret).toString('base64url')));
    assert.notEqual(sealed, box.seal(secret, 'account-1'));
  });

  it('refuses a sealed secret moved to another account', () => {
    assert.throws(() => box.open(box.seal(secret, 'account-1'), 'account-2'), isInternal);
  });

  it('refuses a tampered sealed secret', () => {
    const [format, iv, ciphertext, tag] = box.seal(secret, 'account-1').split('.');
    const flipped = Buffer.from(ciphertext ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const tampered = [format, iv, flipped.toString('base64url'), tag].join('.');
    assert.throws(() => box.open(tampered, 'account-1'), isInternal);
  });

  it('refuses a secret sealed under another gateway secret', () => {
    const other = createSecretBox(randomBytes(32));
    assert.throws(() => other.open(box.seal(secret, 'account-1'), 'account-1'), isInternal);
  });

  it('refuses malformed values', () => {
    for (const value of ['', 'v1.a.b', 'v2.a.b.c', 'v1.a.b.c.d']) {
      assert.throws(() => box.open(value, 'account-1'), isInternal, value);
    }
  });

  it('needs a gateway secret of at least 32 bytes', () => {
    assert.throws(() => createSecretBox(randomBytes(31)), /at least 32 bytes/);
  });
});
