import assert from 'node:assert/strict';
import fc from 'fast-check';
import request from 'supertest';
import { actorFromPrincipal } from '../../../src/audit/index.js';
import { ConsentDenied, revokeConsent } from '../../../src/consent/index.js';
import { submissionRoutes } from '../../../src/http/submission-routes.js';
import { taskRoutes } from '../../../src/http/task-routes.js';
import {
  createPackageForRecipient,
  retrieveReferral,
} from '../../../src/referrals/retrieval/index.js';
import type { Store } from '../../../src/store/index.js';
import { scheduledStore } from '../../support/scheduled-store.js';
import {
  createReferralNetwork,
  MESSAGE_ID_SYSTEM,
  type ReferralNetwork,
} from './referral-fixtures.js';

const revocation = [
  { op: 'replace', path: '/status', value: 'inactive' },
  {
    op: 'add',
    path: '/extension/-',
    value: {
      url: 'https://enlace.example.org/fhir/StructureDefinition/revocation-reason',
      valueString: 'She withdrew consent in person.',
    },
  },
];

// Runs on the engine of the run (scripts/run-tests.sh runs it on SQLite and on PostgreSQL). It
// asserts the safety property in every interleaving the scheduler picks; which interleavings occur
// is the scheduler's business, so it does not require both orders to happen.
describe('a retrieval racing a revocation of her consent', function () {
  let network: ReferralNetwork;
  let survivorNumber = 0;

  before(async () => {
    network = await createReferralNetwork({
      routes: (test) => [...submissionRoutes(test.services), ...taskRoutes(test.services)],
    });
  });
  after(() => network.dispose());

  async function submitWithConsent(): Promise<{ referralId: string; consentId: string }> {
    survivorNumber += 1;
    const survivorId = `race-${survivorNumber}`;
    await network.recordConsent(survivorId);
    const consent = await network.store.db
      .selectFrom('consent')
      .select('id')
      .orderBy('recorded_at', 'desc')
      .orderBy('id')
      .execute();
    const { jwe, bundle } = await network.referral(network.police, network.shelter, { survivorId });
    await request(network.app)
      .post('/fhir/$process-message')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/jose')
      .send(jwe)
      .expect(200);
    const row = await network.store.db
      .selectFrom('referral')
      .select(['id', 'pseudonym'])
      .where('message_key', '=', `${MESSAGE_ID_SYSTEM}|${bundle.identifier?.value ?? ''}`)
      .executeTakeFirstOrThrow();
    const mine = await network.store.db
      .selectFrom('consent')
      .select('id')
      .where('pseudonym', '=', row.pseudonym)
      .executeTakeFirstOrThrow();
    assert.ok(consent.some((c) => c.id === mine.id));
    return { referralId: row.id, consentId: mine.id };
  }

  const retrieveOn = (store: Store, referralId: string) => {
    const services = network.test.services;
    return retrieveReferral(
      {
        store,
        clock: services.clock,
        vault: services.vault,
        packageForRecipient: createPackageForRecipient({
          vault: services.vault,
          signingKey: services.keys.signing,
          gate: { ...services.consent, dialect: store.dialect, clock: services.clock },
        }),
      },
      {
        referralId,
        partnerId: 'casa-refugio',
        actor: actorFromPrincipal(network.shelter.principal),
      },
    );
  };

  it('lets content out only when the retrieval commits before the revocation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.boolean(), async (scheduler, revokeFirst) => {
        const { referralId, consentId } = await submitWithConsent();
        const before = (await network.store.audit.list({ limit: 1000 })).at(-1)?.seq ?? 0;
        const retrieveStore = scheduledStore(network.store, scheduler, 'retrieve');
        const revokeStore = scheduledStore(network.store, scheduler, 'revoke');
        const retrieve = () =>
          retrieveOn(retrieveStore, referralId).then(
            (jwe) => jwe,
            (error: unknown) => {
              if (error instanceof ConsentDenied) return undefined;
              throw error;
            },
          );
        const revoke = () =>
          revokeConsent(
            { id: consentId, patch: revocation, ifMatch: undefined },
            { principal: network.police.principal },
            {
              store: revokeStore,
              clock: network.test.services.clock,
              ...network.test.services.consent,
            },
          );
        const [first, second] = revokeFirst ? [revoke, retrieve] : [retrieve, revoke];
        const results = await scheduler.waitFor(Promise.all([first(), second()]));
        const jwe = (revokeFirst ? results[1] : results[0]) as string | undefined;

        const events = await network.store.audit.list({ afterSeq: before, limit: 1000 });
        const retrievalSeq = events.find(
          (record) =>
            record.event.entity?.[0]?.what?.reference === `Bundle/${referralId}` &&
            record.event.subtype?.[0]?.code === 'read',
        )?.seq;
        const revocationSeq = events.find(
          (record) =>
            record.event.subtype?.[0]?.code === 'patch' &&
            record.event.entity?.[0]?.what?.reference?.startsWith('Consent/') === true,
        )?.seq;
        assert.ok(revocationSeq !== undefined, 'the revocation committed');
        const row = await network.store.db
          .selectFrom('referral')
          .select('status')
          .where('id', '=', referralId)
          .executeTakeFirstOrThrow();
        if (jwe !== undefined) {
          // Content left: its release committed, with its audit, before the revocation did.
          assert.ok(retrievalSeq !== undefined && retrievalSeq < revocationSeq);
          assert.equal(row.status, 'received');
        } else {
          assert.equal(retrievalSeq, undefined, 'a refused retrieval leaves no release record');
          assert.equal(row.status, 'requested');
        }
        // Whatever the interleaving, a retrieval after the revocation committed is refused.
        await assert.rejects(retrieveOn(network.store, referralId), ConsentDenied);
      }),
      { numRuns: 16 },
    );
  });
});
