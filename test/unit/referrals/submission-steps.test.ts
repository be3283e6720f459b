import assert from 'node:assert/strict';
import type { Bundle, MessageHeader } from '@medplum/fhirtypes';
import { loadConfig } from '../../../src/config/index.js';
import { isGatewayError } from '../../../src/kernel/index.js';
import { checkMessageShape } from '../../../src/referrals/submission/check-message-shape.js';
import { isUniqueViolation } from '../../../src/referrals/submission/is-unique-violation.js';
import { messageIdentity } from '../../../src/referrals/submission/message-identity.js';
import { readReferralContent } from '../../../src/referrals/submission/read-referral-content.js';
import { replayOrConflict } from '../../../src/referrals/submission/replay-or-conflict.js';
import { selectHandler } from '../../../src/referrals/submission/select-handler.js';
import type { ReferralRecord } from '../../../src/referrals/types.js';
import { buildReferralBundle } from '../../integration/referrals/referral-fixtures.js';

const refusedWith = (code: string, expression?: string) => (error: unknown) => {
  assert.ok(isGatewayError(error));
  assert.equal(error.code, code);
  if (expression !== undefined) assert.deepEqual(error.expression, [expression]);
  return true;
};

const example = (): Bundle =>
  buildReferralBundle({ sender: 'police-central', recipient: 'casa-refugio', survivorId: 'X-1' });

describe('submission steps', () => {
  describe('checkMessageShape', () => {
    it('names the MessageHeader by its id', () => {
      const bundle = example();
      const header = bundle.entry?.[0]?.resource as MessageHeader;
      assert.equal(checkMessageShape(bundle).headerId, header.id);
    });
    it('falls back to the urn:uuid fullUrl when the header has no id', () => {
      const bundle = example();
      const entry = bundle.entry?.[0];
      delete (entry?.resource as MessageHeader).id;
      assert.equal(checkMessageShape(bundle).headerId, entry?.fullUrl?.slice(9));
    });
    it('refuses what is not a Bundle, not a message, or has no MessageHeader first', () => {
      assert.throws(() => checkMessageShape([]), refusedWith('ENLACE_MESSAGE_INVALID', 'Bundle'));
      assert.throws(
        () => checkMessageShape({ ...example(), type: 'batch' }),
        refusedWith('ENLACE_MESSAGE_INVALID', 'Bundle.type'),
      );
      assert.throws(
        () => checkMessageShape({ ...example(), entry: example().entry?.slice(1) }),
        refusedWith('ENLACE_MESSAGE_INVALID', 'Bundle.entry[0]'),
      );
    });
  });

  describe('selectHandler', () => {
    const handle = () => Promise.reject(new Error('not called'));
    it('picks the handler of the event', () => {
      const chosen = selectHandler({ 'referral-request': handle }, checkMessageShape(example()));
      assert.equal(chosen.event, 'referral-request');
    });
    it('refuses events without a handler and codes of another system', () => {
      assert.throws(
        () => selectHandler({}, checkMessageShape(example())),
        refusedWith('ENLACE_MESSAGE_EVENT_UNSUPPORTED'),
      );
      const bundle = example();
      const header = bundle.entry?.[0]?.resource as MessageHeader;
      header.eventCoding = { system: 'urn:other', code: 'referral-request' };
      assert.throws(
        () => selectHandler({ 'referral-request': handle }, checkMessageShape(bundle)),
        refusedWith('ENLACE_MESSAGE_EVENT_UNSUPPORTED'),
      );
    });
  });

  describe('readReferralContent', () => {
    const parties = { sender: 'police-central', recipient: 'casa-refugio' };
    it('reads the purpose, the data classes and her identifiers', () => {
      const content = readReferralContent(checkMessageShape(example()), parties);
      assert.equal(content.purpose, 'shelter');
      assert.deepEqual(content.dataClasses, ['contact-details', 'risk-assessment']);
      assert.deepEqual(content.survivorIdentifiers, [
        { system: 'https://registro.example.org/fhir/NamingSystem/cedula', value: 'X-1' },
      ]);
    });
    it('requires a purpose in MessageHeader.reason', () => {
      const bundle = example();
      delete (bundle.entry?.[0]?.resource as MessageHeader).reason;
      assert.throws(
        () => readReferralContent(checkMessageShape(bundle), parties),
        refusedWith('ENLACE_MESSAGE_INVALID', 'Bundle.entry[0].resource.reason'),
      );
    });
    it('refuses a Task owned by another institution than the receiver', () => {
      assert.throws(
        () =>
          readReferralContent(checkMessageShape(example()), { ...parties, recipient: 'casa-luz' }),
        refusedWith('ENLACE_MESSAGE_INVALID', 'Task.owner'),
      );
    });
    it('refuses a data-class label it does not know', () => {
      const bundle = example();
      const resource = bundle.entry?.[4]?.resource;
      resource?.meta?.security?.push({
        system: 'https://enlace.example.org/fhir/CodeSystem/data-class',
        code: 'diary',
      });
      assert.throws(
        () => readReferralContent(checkMessageShape(bundle), parties),
        refusedWith('ENLACE_MESSAGE_INVALID', 'Bundle.entry[4].resource.meta.security'),
      );
    });
  });

  describe('replayOrConflict', () => {
    const identity = messageIdentity(example());
    const earlier = (contentHash: string) =>
      ({
        contentHash,
        acknowledgement: { resourceType: 'Bundle', type: 'message' },
      }) as unknown as ReferralRecord;
    it('replays the stored acknowledgement for the same content', () => {
      const outcome = replayOrConflict(earlier(identity.contentHash), identity);
      assert.equal(outcome.replayed, true);
    });
    it('refuses other content under the same identifier', () => {
      assert.throws(
        () => replayOrConflict(earlier('0'.repeat(64)), identity),
        refusedWith('ENLACE_MESSAGE_CONFLICT'),
      );
    });
    it('hashes the canonical form, so member order does not matter', () => {
      const bundle = example();
      const reordered = Object.fromEntries(Object.entries(bundle).reverse()) as unknown as Bundle;
      assert.equal(messageIdentity(reordered).contentHash, messageIdentity(bundle).contentHash);
    });
  });

  describe('isUniqueViolation', () => {
    it('recognises SQLite and PostgreSQL unique violations, also as a cause', () => {
      assert.equal(isUniqueViolation({ code: 'SQLITE_CONSTRAINT_UNIQUE' }), true);
      assert.equal(isUniqueViolation(new Error('x', { cause: { code: '23505' } })), true);
      assert.equal(isUniqueViolation({ code: 'SQLITE_BUSY' }), false);
      assert.equal(isUniqueViolation(undefined), false);
    });
  });

  describe('ENLACE_ALLOW_PLAIN_SUBMISSIONS', () => {
    it('defaults to allowed in development and refused in production', () => {
      assert.equal(loadConfig({}).config.allowPlainSubmissions, true);
      assert.equal(
        loadConfig({ ENLACE_PROFILE: 'production' }).config.allowPlainSubmissions,
        false,
      );
      assert.equal(
        loadConfig({ ENLACE_ALLOW_PLAIN_SUBMISSIONS: 'false' }).config.allowPlainSubmissions,
        false,
      );
    });
    it('refuses true in the production profile at start', () => {
      assert.throws(
        () => loadConfig({ ENLACE_PROFILE: 'production', ENLACE_ALLOW_PLAIN_SUBMISSIONS: 'true' }),
        /refused in the production profile/,
      );
    });
  });
});
