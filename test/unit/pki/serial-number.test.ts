// Serial numbers: random, positive, at most 20 octets, and one canonical spelling for lookups.
import assert from 'node:assert/strict';
import {
  generateSerialHex,
  isSerialKey,
  toDerSerialHex,
  toSerialKey,
} from '../../../src/pki/serial-number.js';

describe('certificate serial numbers', function () {
  it('generates 128 random bits as a positive DER integer', function () {
    const seen = new Set<string>();
    for (let index = 0; index < 200; index += 1) {
      const hex = generateSerialHex();
      assert.match(hex, /^(00[89a-f][0-9a-f]{31}|[0-7][0-9a-f]{31})$/);
      seen.add(hex);
    }
    assert.equal(seen.size, 200);
  });

  it('canonicalizes case and leading zero bytes', function () {
    assert.equal(toSerialKey('00F1020304'), 'f1020304');
    assert.equal(toSerialKey('0001'), '01');
    assert.equal(toSerialKey('ABC'), '0abc');
    assert.equal(toSerialKey('00'), '00');
  });

  it('restores the 00 byte for DER when the top bit is set', function () {
    assert.equal(toDerSerialHex('f1'), '00f1');
    assert.equal(toDerSerialHex('71'), '71');
  });

  it('accepts operator serials of 1 to 20 hexadecimal bytes only', function () {
    assert.equal(isSerialKey('0a'), true);
    assert.equal(isSerialKey('A'.repeat(40)), true);
    assert.equal(isSerialKey('A'.repeat(41)), false);
    assert.equal(isSerialKey('0x12'), false);
    assert.equal(isSerialKey(''), false);
  });
});
