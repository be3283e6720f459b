// The key allow-list: EC P-256/P-384 and RSA of 2048 bits or more for partners; nothing else.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describeRefusedKey } from '../../../src/pki/key-policy.js';

describe('key policy', function () {
  it('accepts P-256, P-384 and RSA-2048 partner keys', function () {
    for (const namedCurve of ['P-256', 'P-384']) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve });
      assert.equal(describeRefusedKey(publicKey, 'partner'), undefined);
    }
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.equal(describeRefusedKey(publicKey, 'partner'), undefined);
  });

  it('refuses RSA below 2048 bits, other curves and Ed25519 for partners', function () {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    assert.match(describeRefusedKey(rsa, 'partner') ?? '', /1024 bits/);
    const k256 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey;
    assert.match(describeRefusedKey(k256, 'chain') ?? '', /secp256k1/);
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey;
    assert.match(describeRefusedKey(p521, 'partner') ?? '', /secp521r1/);
    assert.equal(describeRefusedKey(p521, 'chain'), undefined);
    const ed = generateKeyPairSync('ed25519').publicKey;
    assert.match(describeRefusedKey(ed, 'partner') ?? '', /ed25519/);
  });
});
