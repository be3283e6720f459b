import assert from 'node:assert/strict';
import type { Decision } from '../../../src/consent/index.js';
import { deliveredVersionId } from '../../../src/referrals/retrieval/delivered-version.js';

const permit: Decision = {
  outcome: 'permit',
  reliedOn: ['Consent/c1/_history/1'],
  permitted: ['contact-details', 'risk-assessment'],
  remove: [],
  conflicts: [],
};

describe('the version of a delivered referral', () => {
  it('is the same for the same message under the same decision, whatever the order of lists', () => {
    const reordered: Decision = { ...permit, permitted: ['risk-assessment', 'contact-details'] };
    assert.equal(deliveredVersionId('hash-a', permit), deliveredVersionId('hash-a', reordered));
    assert.match(deliveredVersionId('hash-a', permit), /^[0-9a-f]{32}$/);
  });

  it('changes with the message, what is removed, and the basis of the release', () => {
    const base = deliveredVersionId('hash-a', permit);
    const variants: [string, Decision][] = [
      ['hash-b', permit],
      ['hash-a', { ...permit, permitted: ['contact-details'], remove: ['risk-assessment'] }],
      ['hash-a', { ...permit, reliedOn: ['Consent/c1/_history/2'] }],
      ['hash-a', { ...permit, reliedOn: [], emergencyGrant: 'grant-1' }],
    ];
    const seen = new Set([base]);
    for (const [hash, decision] of variants) seen.add(deliveredVersionId(hash, decision));
    assert.equal(seen.size, variants.length + 1);
  });
});
