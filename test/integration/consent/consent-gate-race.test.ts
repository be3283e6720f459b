import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  checkConsent,
  runWithConsentAudit,
  type GateDeps,
} from '../../../src/consent/gate/index.js';
import {
  ConsentDenied,
  createConsent,
  recordDisclosure,
  revokeConsent,
  type ConsentContext,
} from '../../../src/consent/records/index.js';
import type { Decision } from '../../../src/consent/types.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { scheduledStore } from '../../support/scheduled-store.js';
import { connectPostgresHarnesses, type PostgresHarnesses } from '../store/postgres-harness.js';
import type { StoreHarness } from '../store/store-harness.js';
import {
  consentBody,
  consentDeps,
  NATIONAL_ID_SYSTEM,
  principalOf,
  registerTestPartners,
  revocationPatch,
  T0,
} from './consent-app.js';

const clock = () => new Date(T0);

function defineRace(engine: string, openRaceStore: () => Promise<Store>): void {
  describe(`the consent gate against a concurrent revocation (${engine})`, function () {
    let store: Store;
    let survivorNumber = 0;

    before(async () => {
      store = await openRaceStore();
      await registerTestPartners(store);
    });
    after(() => store.close());

    const context = (on: Store): ConsentContext => ({ store: on, clock, ...consentDeps });
    const gateDeps = (): GateDeps => ({ ...consentDeps, dialect: store.dialect, clock });

    /** A stand-in referral release: check inside the transaction, then record the disclosure. */
    const release = (on: Store, survivor: readonly string[]): Promise<Decision> =>
      runWithConsentAudit(on, async (unit) => {
        const decision = await checkConsent(
          unit,
          {
            survivor,
            actor: { organization: 'casa-refugio', role: 'shelter' },
            purpose: 'protection',
            dataClasses: ['contact-details'],
            at: new Date('2025-03-05T00:00:00Z'),
          },
          gateDeps(),
        );
        await recordDisclosure(unit, decision, 'casa-refugio', {
          reference: 'Bundle/stand-in',
          at: clock(),
        });
        return decision;
      });

    it('lets a permitted release commit only before the revocation, never after', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), fc.boolean(), async (scheduler, revokeFirst) => {
          survivorNumber += 1;
          const identifier = {
            system: NATIONAL_ID_SYSTEM,
            value: `race-${engine}-${survivorNumber}`,
          };
          const consent = await createConsent(
            consentBody({ patient: { identifier } }),
            { principal: principalOf('police-central') },
            context(store),
          );
          const survivor = consentDeps.pseudonymizer.all(identifier).map((p) => p.value);
          const before = (await store.audit.list({ limit: 1000 })).at(-1)?.seq ?? 0;

          const checkStore = scheduledStore(store, scheduler, 'check');
          const revokeStore = scheduledStore(store, scheduler, 'revoke');
          const check = () =>
            release(checkStore, survivor).then(
              (decision) => decision.outcome,
              (error: unknown) => {
                if (error instanceof ConsentDenied) return error.decision.outcome;
                throw error;
              },
            );
          const revoke = () =>
            revokeConsent(
              { id: consent.id, patch: revocationPatch(), ifMatch: undefined },
              { principal: principalOf('police-central') },
              context(revokeStore),
            );
          const [first, second] = revokeFirst ? [revoke, check] : [check, revoke];
          const both = Promise.all([first(), second()]);
          const [a, b] = await scheduler.waitFor(both);
          const outcome = (revokeFirst ? b : a) as Decision['outcome'];
          const revocation = (revokeFirst ? a : b) as Awaited<ReturnType<typeof revoke>>;

          const events = await store.audit.list({ afterSeq: before, limit: 1000 });
          const decisionSeq = events.find(
            (record) => record.event.type.code === 'consent-decision',
          )?.seq;
          const revocationSeq = events.find(
            (record) => record.event.subtype?.[0]?.code === 'patch',
          )?.seq;
          assert.ok(decisionSeq !== undefined && revocationSeq !== undefined);
          if (outcome === 'permit') {
            // The release committed first, so the revocation saw it and names its recipient.
            assert.ok(decisionSeq < revocationSeq, `${scheduler.report().length} steps`);
            assert.deepEqual(revocation.recipients, ['casa-refugio']);
          } else {
            assert.deepEqual(revocation.recipients, []);
          }
          // Whatever the interleaving, a check that starts after the revocation committed refuses.
          assert.notEqual(
            await release(store, survivor)
              .catch((error: unknown) => {
                if (error instanceof ConsentDenied) return error.decision;
                throw error;
              })
              .then((decision) => decision.outcome),
            'permit',
          );
        }),
        { numRuns: engine === 'SQLite' ? 25 : 15 },
      );
    });

    it('permits when nothing revokes and records the decision with the release', async () => {
      const identifier = { system: NATIONAL_ID_SYSTEM, value: `quiet-${engine}` };
      await createConsent(
        consentBody({ patient: { identifier } }),
        { principal: principalOf('police-central') },
        context(store),
      );
      const survivor = consentDeps.pseudonymizer.all(identifier).map((p) => p.value);
      const decision = await release(store, survivor);
      assert.equal(decision.outcome, 'permit');
      const event = (await store.audit.list({ limit: 1000 })).at(-1)?.event;
      assert.equal(event?.type.code, 'consent-decision');
      assert.equal(event.outcome, '0');
      assert.equal(event.purposeOfEvent?.[0]?.coding?.[0]?.code, 'protection');
      const disclosures = await store.db.selectFrom('consent_disclosure').selectAll().execute();
      assert.ok(disclosures.some((row) => row.recipient === 'casa-refugio'));
    });

    it('refuses and keeps the refusal in the trail though the transaction rolled back', async () => {
      const identifier = { system: NATIONAL_ID_SYSTEM, value: `nobody-${engine}` };
      const survivor = consentDeps.pseudonymizer.all(identifier).map((p) => p.value);
      const count = await store.audit.count();
      await assert.rejects(release(store, survivor), (error: unknown) => {
        assert.ok(error instanceof ConsentDenied);
        assert.equal(error.code, 'ENLACE_CONSENT_DENIED');
        assert.equal(error.status, 403);
        assert.equal(error.decision.outcome, 'no-consent');
        return true;
      });
      const records = await store.audit.list({ afterSeq: count });
      assert.equal(records.length, 1);
      assert.equal(records[0]?.event.outcome, '4');
    });

    it('lets a break-the-glass grant in force permit what no consent does', async () => {
      const identifier = { system: NATIONAL_ID_SYSTEM, value: `grant-${engine}` };
      const survivor = consentDeps.pseudonymizer.all(identifier).map((p) => p.value);
      const decision = await store.transaction((unit) =>
        checkConsent(
          unit,
          {
            survivor,
            actor: { organization: 'hospital-sur', role: 'health' },
            purpose: 'emergency',
            dataClasses: ['health-record'],
            at: new Date(T0),
            enforce: false,
          },
          {
            ...gateDeps(),
            emergencyGrants: (_db, pseudonyms, organization) =>
              Promise.resolve(
                organization === 'hospital-sur' && pseudonyms.includes(survivor[0] ?? '')
                  ? {
                      id: 'grant-1',
                      organization,
                      pseudonym: survivor[0] ?? '',
                      expiresAt: new Date('2025-03-02T00:00:00Z'),
                    }
                  : undefined,
              ),
          },
        ),
      );
      assert.equal(decision.outcome, 'permit');
      assert.equal(decision.emergencyGrant, 'grant-1');
      assert.deepEqual(decision.permitted, ['health-record']);
    });
  });
}

let sqliteDir: string | undefined;
defineRace('SQLite', async () => {
  sqliteDir = await mkdtemp(join(tmpdir(), 'enlace-consent-race-'));
  return openStore({ databaseUrl: `sqlite:${join(sqliteDir, 'race.db')}`, dataDir: sqliteDir });
});
after(async () => {
  if (sqliteDir !== undefined) await rm(sqliteDir, { recursive: true, force: true });
});

const postgresUrl = process.env['ENLACE_TEST_DATABASE_URL'];
(postgresUrl === undefined || postgresUrl === '' ? describe.skip : describe)(
  'PostgreSQL',
  function () {
    let harnesses: PostgresHarnesses | undefined;
    let harness: StoreHarness | undefined;
    after(async () => {
      await harness?.dispose();
      await harnesses?.close();
    });
    defineRace('PostgreSQL', async () => {
      harnesses = await connectPostgresHarnesses(postgresUrl ?? '');
      harness = await harnesses.factory();
      return harness.open();
    });
  },
);
