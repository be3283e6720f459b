// Several clients per institution and key rotation with an overlap: old keys work inside the window and are refused after it, for tokens and for message signatures.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { sql } from 'kysely';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { TOKEN_PATH } from '../../../src/auth/index.js';
import { GatewayError, type Authorizer, type Principal } from '../../../src/kernel/index.js';
import { listClientKeys, rotateClientKey } from '../../../src/partners/index.js';
import { enlaceMigrations, migrateStore, openStore } from '../../../src/store/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { createTestServices, type TestServices } from '../../support/test-app.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import {
  createReferralNetwork,
  REFERRAL_T0,
  submitReferral,
  type ReferralNetwork,
  type TestPartner,
} from '../referrals/referral-fixtures.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const T0 = new Date('2025-04-01T09:00:00.000Z');
const MINUTE = 60_000;
const OPERATOR: Principal = {
  kind: 'person',
  userId: 'u1',
  username: 'ana',
  role: 'operator',
  tokenId: 'session-1',
};
const ACTOR = { display: 'test operator', identifier: { system: 'urn:test', value: 'ana' } };

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid } };
}

for (const engine of testEngines()) {
  describe(`several clients and key rotation per institution (${engine.name})`, function () {
    this.timeout(60_000);

    describe('at the token endpoint and in the admin API', () => {
      let database: TestDatabase;
      let test: TestServices;
      let app: ReturnType<typeof createApp>;
      let now: Date;

      beforeEach(async () => {
        database = await engine.create();
        now = T0;
        let delegate: Authorizer = () => Promise.reject(new Error('not ready'));
        // Operators by a stand-in session; partners by the gateway's own access tokens.
        const authorize: Authorizer = (authorization, requirement, context) =>
          authorization === 'Bearer operator' && requirement.kind === 'person'
            ? Promise.resolve(OPERATOR)
            : authorization === 'Bearer operator'
              ? Promise.reject(new GatewayError('ENLACE_TOKEN_INVALID', 'not a partner'))
              : delegate(authorization, requirement, context);
        test = await createTestServices({ env: database.env, clock: () => now, authorize });
        delegate = test.capabilities.authorize;
        app = createApp(test.services);
      });
      afterEach(async () => {
        try {
          await test.dispose();
        } finally {
          await database.drop();
        }
      });

      const admin = () => ({ Authorization: 'Bearer operator' });

      const tokenRequest = async (clientId: string, key: SigningKey) => {
        const seconds = Math.floor(now.getTime() / 1000);
        const assertion = await new SignJWT({
          iss: clientId,
          sub: clientId,
          aud: test.services.tokens.endpoints.tokenEndpoint,
          jti: randomUUID(),
          iat: seconds,
          exp: seconds + 240,
        })
          .setProtectedHeader({ alg: 'ES256', kid: key.kid })
          .sign(key.privateKey);
        return request(app).post(TOKEN_PATH).type('form').send({
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: assertion,
          scope: 'system/Organization.rs',
        });
      };

      const lastAudit = async (): Promise<AuditEvent | undefined> => {
        const count = await test.store.audit.count();
        return (await test.store.audit.list({ afterSeq: count - 1 })).at(0)?.event;
      };

      /** The kids published for the partner, sorted (keys added at one instant have no order). */
      const publishedKids = async (token: string): Promise<(string | undefined)[]> => {
        const res = await request(app)
          .get('/partners/fiscalia-centro/jwks.json')
          .set('Authorization', `Bearer ${token}`)
          .expect(200);
        return (res.body as { keys: JWK[] }).keys.map((key) => key.kid).sort();
      };

      async function register(key: SigningKey): Promise<string> {
        const res = await request(app)
          .post('/admin/partners')
          .set(admin())
          .send({
            id: 'fiscalia-centro',
            name: 'Fiscalía Centro',
            role: 'prosecution',
            jwks: { keys: [key.publicJwk] },
          })
          .expect(201);
        return (res.body as { client_id: string }).client_id;
      }

      it('accepts the old key inside the overlap window and refuses it from its end on', async () => {
        const k1 = await signingKey('k1');
        const k2 = await signingKey('k2');
        const clientId = await register(k1);
        assert.equal((await tokenRequest(clientId, k1)).status, 200);

        now = new Date(T0.getTime() + 10 * MINUTE);
        const rotated = await request(app)
          .post(`/admin/partners/fiscalia-centro/clients/${clientId}/rotate-key`)
          .set(admin())
          .send({ jwks: { keys: [k2.publicJwk] }, overlap: '1h' })
          .expect(200);
        const body = rotated.body as {
          retiresAt: string;
          client: { keys: { kid: string; state: string }[] };
        };
        const end = new Date(now.getTime() + 60 * MINUTE);
        assert.equal(body.retiresAt, end.toISOString());
        assert.deepEqual(
          body.client.keys.map((key) => `${key.kid}:${key.state}`),
          ['k1:retiring', 'k2:active'],
        );
        const rotation = await lastAudit();
        assert.equal(rotation?.action, 'U');
        assert.equal(rotation.subtype?.[0]?.code, '110137');
        assert.equal(rotation.agent[0]?.who?.identifier?.value, 'ana');
        assert.match(rotation.entity?.[0]?.description ?? '', /added kid k2; earlier keys retire/);

        // The last instant of the window: both keys work and both are published.
        now = new Date(end.getTime() - 1);
        const inside = await tokenRequest(clientId, k1);
        assert.equal(inside.status, 200, inside.text);
        const token = (inside.body as { access_token: string }).access_token;
        assert.equal((await tokenRequest(clientId, k2)).status, 200);
        assert.deepEqual(await publishedKids(token), ['k1', 'k2']);

        // The window's end: the old key is refused (and the refusal says why in the audit log).
        now = end;
        const after = await tokenRequest(clientId, k1);
        assert.equal(after.status, 401);
        assert.equal((after.body as { error: string }).error, 'invalid_client');
        const refusal = await lastAudit();
        assert.equal(refusal?.outcome, '4');
        assert.match(refusal.outcomeDesc ?? '', /key retired/);
        const fresh = await tokenRequest(clientId, k2);
        assert.equal(fresh.status, 200);
        assert.deepEqual(
          await publishedKids((fresh.body as { access_token: string }).access_token),
          ['k2'],
        );
      });

      it('adds a second client with its own key, and removing it stops its tokens at once', async () => {
        const k1 = await signingKey('k1');
        const k3 = await signingKey('k3');
        const first = await register(k1);
        const added = await request(app)
          .post('/admin/partners/fiscalia-centro/clients')
          .set(admin())
          .send({ jwks: { keys: [k3.publicJwk] }, allowedAlgorithms: ['ES256'] })
          .expect(201);
        const second = (added.body as { client_id: string }).client_id;
        assert.notEqual(second, first);
        assert.equal((await lastAudit())?.action, 'C');

        // Each client signs with its own keys only.
        assert.equal((await tokenRequest(second, k1)).status, 401);
        const issued = await tokenRequest(second, k3);
        assert.equal(issued.status, 200);
        const liveToken = (issued.body as { access_token: string }).access_token;
        assert.deepEqual(await publishedKids(liveToken), ['k1', 'k3']);

        assertOutcome(
          await request(app)
            .post('/admin/partners/fiscalia-centro/clients')
            .set(admin())
            .send({ jwks: { keys: [{ ...k3.publicJwk }] } }),
          { status: 400, issue: 'invalid', code: 'ENLACE_PARTNER_INVALID' },
        );
        assertOutcome(
          await request(app)
            .post(`/admin/partners/fiscalia-centro/clients/${second}/rotate-key`)
            .set(admin())
            .send({ jwks: { keys: [(await signingKey('k4')).publicJwk] }, overlap: '2 days' }),
          { status: 400, issue: 'invalid', code: 'ENLACE_PARTNER_INVALID' },
        );

        const removed = await request(app)
          .delete(`/admin/partners/fiscalia-centro/clients/${second}`)
          .set(admin())
          .expect(200);
        assert.equal(
          (removed.body as { client: { removedAt: string } }).client.removedAt,
          now.toISOString(),
        );
        assert.equal((await lastAudit())?.action, 'D');
        const refused = await request(app)
          .get('/partners/fiscalia-centro/jwks.json')
          .set('Authorization', `Bearer ${liveToken}`);
        assert.equal(refused.status, 401, 'a removed client’s live token stops at once');
        assert.equal((await tokenRequest(second, k3)).status, 401);
        const still = await tokenRequest(first, k1);
        assert.equal(still.status, 200);
        assert.deepEqual(
          await publishedKids((still.body as { access_token: string }).access_token),
          ['k1'],
        );

        const before = await test.store.audit.count();
        for (const [path, expected] of [
          [
            `/admin/partners/fiscalia-centro/clients/${first}`,
            { status: 409, issue: 'business-rule', code: 'ENLACE_PARTNER_LAST_CLIENT' },
          ],
          [
            `/admin/partners/fiscalia-centro/clients/${second}`,
            { status: 404, issue: 'not-found', code: 'ENLACE_PARTNER_CLIENT_NOT_FOUND' },
          ],
          [
            `/admin/partners/nobody/clients/${first}`,
            { status: 404, issue: 'not-found', code: 'ENLACE_PARTNER_NOT_FOUND' },
          ],
        ] as const) {
          assertOutcome(await request(app).delete(path).set(admin()), expected);
        }
        assert.equal(await test.store.audit.count(), before, 'refusals change nothing');
      });
    });

    it('carries the keys of clients registered before migration 0011 over, with no end set', async () => {
      const database = await engine.create();
      const dataDir = await mkdtemp(join(tmpdir(), 'enlace-0011-'));
      const upTo = enlaceMigrations.findIndex(
        (migration) => migration.name === '0011-partner-keys',
      );
      const store = await openStore({
        databaseUrl: database.env['ENLACE_DATABASE_URL'],
        dataDir,
        migrations: enlaceMigrations.slice(0, upTo),
      });
      try {
        const jwk = { ...(await signingKey('old-1')).publicJwk, alg: 'ES256' };
        const at = T0.toISOString();
        await sql`INSERT INTO partner (id, name, role, status, created_at, updated_at, version)
          VALUES ('hogar-viejo', 'Hogar Viejo', 'shelter', 'active', ${at}, ${at}, 1)`.execute(
          store.db,
        );
        await sql`INSERT INTO partner_client
          (client_id, partner_id, allowed_algorithms, jwks, certificate_fingerprints, created_at)
          VALUES ('c-old', 'hogar-viejo', '["ES256"]', ${JSON.stringify({ keys: [jwk] })},
            '["ab:cd:ef"]', ${at})`.execute(store.db);
        await migrateStore(store);
        const keys = await listClientKeys(store.db, 'hogar-viejo');
        // Keys added at one instant have no order of their own: compare them by kind.
        const byKind = [...keys].sort((x, y) => x.kind.localeCompare(y.kind));
        assert.deepEqual(
          byKind.map((key) => [
            key.clientId,
            key.kind,
            key.kind === 'jwk' ? key.jwk : key.fingerprint,
            key.addedAt,
            key.retiresAt,
          ]),
          [
            ['c-old', 'certificate', 'AB:CD:EF', at, undefined],
            ['c-old', 'jwk', jwk, at, undefined],
          ],
        );
      } finally {
        await store.close();
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    });

    describe('for message signatures', () => {
      let database: TestDatabase;
      let network: ReferralNetwork;
      let rotatedPolice: TestPartner;

      /** Rotates the police station's key at `at` (minutes from the network's clock) with `overlap`. */
      async function rotatePolice(atMinutes: number, overlap: string): Promise<void> {
        const next = await signingKey('police-central-sig-2');
        await rotateClientKey(
          {
            partnerId: 'police-central',
            credential: {
              kind: 'jwks',
              jwks: { keys: [{ ...next.publicJwk, alg: 'ES256', use: 'sig' }] },
            },
            overlap,
          },
          ACTOR,
          {
            store: network.store,
            clock: () => new Date(Date.parse(REFERRAL_T0) + atMinutes * MINUTE),
          },
        );
        rotatedPolice = {
          ...network.police,
          signer: { privateKey: next.privateKey, alg: 'ES256', kid: next.kid },
        };
      }

      async function send(from: TestPartner) {
        const survivorId = `s-${randomUUID()}`;
        await network.recordConsent(survivorId);
        const message = await network.referral(from, network.shelter, { survivorId });
        return request(network.app)
          .post('/fhir/$process-message')
          .set('Authorization', 'Bearer police-central')
          .set('Content-Type', 'application/jose')
          .send(message.jwe);
      }

      beforeEach(async () => {
        database = await engine.create();
        network = await createReferralNetwork({ env: database.env });
      });
      afterEach(async () => {
        try {
          await network.dispose();
        } finally {
          await database.drop();
        }
      });

      it('accepts messages signed with the old key while its window lasts, and with the new one', async () => {
        await rotatePolice(-30, '1h');
        assert.equal((await send(network.police)).status, 200);
        assert.equal((await send(rotatedPolice)).status, 200);
      });

      it('refuses a new submission signed with the old key once its window has ended', async () => {
        await rotatePolice(-120, '1h');
        const before = await network.store.db
          .selectFrom('referral')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const refused = await send(network.police);
        assertOutcome(refused, {
          status: 400,
          issue: 'security',
          code: 'ENLACE_SIGNATURE_INVALID',
        });
        const after = await network.store.db
          .selectFrom('referral')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        assert.equal(String(after.n), String(before.n), 'nothing was stored');
        const id = await submitReferral(
          network.app,
          network.store,
          await network.referral(rotatedPolice, network.shelter, {
            survivorId: await consentedSurvivor(),
          }),
          'police-central',
        );
        assert.ok(id);
      });

      async function consentedSurvivor(): Promise<string> {
        const survivorId = `s-${randomUUID()}`;
        await network.recordConsent(survivorId);
        return survivorId;
      }
    });
  });
}
