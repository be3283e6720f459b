import assert from 'node:assert/strict';
import type { JWK } from 'jose';
import {
  addNextKey,
  formatKeyRing,
  parseKeyRing,
  scheduleAt,
} from '../../../src/crypto/gateway-key-ring.js';

const key = (name: string): JWK => ({ kty: 'EC', crv: 'P-256', x: name, y: name, d: name });
const T = Date.parse('2025-03-01T10:00:00.000Z');
const HOUR = 3_600_000;

describe('a gateway key ring', () => {
  it('reads a bare private JWK as one key in use for ever', () => {
    const [only, ...rest] = parseKeyRing(JSON.stringify(key('a')));
    assert.deepEqual(only, { jwk: key('a') });
    assert.equal(rest.length, 0);
  });

  it('reads back what it writes', () => {
    const ring = [
      { jwk: key('a'), retiresAt: T + 2 * HOUR },
      { jwk: key('b'), activatesAt: T + HOUR },
    ];
    assert.deepEqual(parseKeyRing(formatKeyRing(ring)), ring);
  });

  it('refuses a file that is no JWK or ring, a key without its private part, and a bad time', () => {
    assert.throws(() => parseKeyRing('{'), /not valid JSON/);
    assert.throws(() => parseKeyRing('[]'), /neither a JWK nor a key ring/);
    assert.throws(() => parseKeyRing('{"keyring":[]}'), /neither a JWK nor a key ring/);
    const { d: _d, ...publicOnly } = key('a');
    assert.ok(_d !== undefined);
    assert.throws(() => parseKeyRing(JSON.stringify(publicOnly)), /without its private part/);
    assert.throws(
      () => parseKeyRing(JSON.stringify({ keyring: [{ jwk: key('a'), activatesAt: 'soon' }] })),
      /keyring\[0\]\.activatesAt is not an ISO 8601 time/,
    );
  });

  it('tells the key in use, the next and the previous at each moment', () => {
    const ring = addNextKey([{ jwk: key('a') }], key('b'), {
      now: T,
      activatesAt: T + HOUR,
      previousRetiresAt: T + 2 * HOUR,
    });
    const states = (at: number) =>
      scheduleAt(ring, at).map(({ entry, state }) => [entry.jwk.x, state]);
    assert.deepEqual(states(T), [
      ['a', 'in-use'],
      ['b', 'next'],
    ]);
    assert.deepEqual(states(T + HOUR), [
      ['b', 'in-use'],
      ['a', 'previous'],
    ]);
    assert.deepEqual(states(T + 2 * HOUR), [['b', 'in-use']]);
    assert.throws(
      () =>
        addNextKey(ring, key('c'), {
          now: T + 1,
          activatesAt: T + HOUR,
          previousRetiresAt: T + 2 * HOUR,
        }),
      /rotation under way: its next key is used from 2025-03-01T11:00:00.000Z/,
    );
  });

  it('refuses a ring with no key in use', () => {
    assert.throws(
      () => scheduleAt([{ jwk: key('a'), activatesAt: T + HOUR }], T),
      /has no key in use at 2025-03-01T10:00:00.000Z/,
    );
    assert.throws(() => scheduleAt([{ jwk: key('a'), retiresAt: T }], T), /has no key in use/);
  });
});
