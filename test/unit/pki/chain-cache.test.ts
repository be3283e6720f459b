// The in-memory path cache: bounded, least recently used out first, keyed by the exact x5c.
import assert from 'node:assert/strict';
import type { CertificationPath } from '../../../src/pki/build-path.js';
import { createChainCache } from '../../../src/pki/chain-cache.js';

const path = (label: string): CertificationPath =>
  ({ certificates: [], anchor: { subject: label } }) as unknown as CertificationPath;

describe('chain cache', function () {
  it('distinguishes chains that differ in one entry or in their split', function () {
    const cache = createChainCache(10);
    assert.notEqual(cache.keyOf(['AAAA', 'BBBB']), cache.keyOf(['AAAABBBB']));
    assert.notEqual(cache.keyOf(['AAAA', 'BBBB']), cache.keyOf(['BBBB', 'AAAA']));
    assert.equal(cache.keyOf(['AAAA']), cache.keyOf(['AAAA']));
  });

  it('evicts the least recently used path beyond its capacity', function () {
    const cache = createChainCache(2);
    cache.set('a', path('a'));
    cache.set('b', path('b'));
    assert.ok(cache.get('a'));
    cache.set('c', path('c'));
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('a'));
    assert.ok(cache.get('c'));
  });
});
