import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import type { Route } from '../../../src/http/route.js';
import { GatewayError, type Authorizer, type PartnerPrincipal } from '../../../src/kernel/index.js';
import { openProtection, type Protection } from '../../../src/protection/index.js';
import { silentLogger } from '../../support/memory-log.js';
import { assertOutcome } from '../../support/outcome.js';
import { createTestServices, TEST_STARTED_AT, type TestServices } from '../../support/test-app.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';

const CASE_PATH = '/test/case';

interface OAuthError {
  readonly error?: string;
  readonly error_description?: string;
}

/** A case route as the gateway's are: a partner with a Task scope, whose handler counts its calls. */
let handled = 0;
const caseRoute: Route = {
  method: 'GET',
  path: CASE_PATH,
  operationId: 'testCase',
  produces: ['application/json'],
  access: { kind: 'partner', scope: 'system/Task.rs' },
  handler: () => {
    handled += 1;
    return { body: { ok: true } };
  },
};

/** `Bearer <client id>` is that client of police-central; anything else is refused as 401. */
const authorize: Authorizer = (authorization) => {
  const clientId = /^Bearer ([a-z0-9-]+)$/.exec(authorization ?? '')?.[1];
  if (clientId === undefined) {
    return Promise.reject(
      new GatewayError('ENLACE_TOKEN_INVALID', 'The access token is missing or invalid.', {
        headers: { 'WWW-Authenticate': 'Bearer realm="enlace"' },
      }),
    );
  }
  const principal: PartnerPrincipal = {
    kind: 'partner',
    clientId,
    partnerId: 'police-central',
    role: 'police',
    scopes: ['system/Task.rs'],
    tokenId: `jti-${clientId}`,
  };
  return Promise.resolve(principal);
};

const BUDGETS = {
  ENLACE_RATE_LIMIT_CLIENT_PER_MINUTE: '3',
  ENLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '4',
  ENLACE_RATE_LIMIT_TOKEN_PER_MINUTE: '2',
};

for (const engine of testEngines()) {
  describe(`rate limits shared by two instances (${engine.name})`, () => {
    let database: TestDatabase;
    let sqliteDir: string;
    let now = TEST_STARTED_AT.getTime();
    const clock = () => new Date(now);
    const instances: { test: TestServices; protection: Protection; app: Express }[] = [];
    const instance = (index: number) => {
      const found = instances[index];
      assert.ok(found !== undefined);
      return found;
    };
    const appA = () => instance(0).app;
    const appB = () => instance(1).app;

    before(async () => {
      database = await engine.create();
      sqliteDir = await mkdtemp(join(tmpdir(), 'enlace-limits-'));
      // Both instances name the same database: the PostgreSQL one, or one SQLite file.
      const env = {
        ...BUDGETS,
        ENLACE_DATABASE_URL: database.url ?? `sqlite:${join(sqliteDir, 'enlace.db')}`,
      };
      for (let i = 0; i < 2; i += 1) {
        const test = await createTestServices({ env, clock, authorize });
        const protection = openProtection({
          config: test.services.config,
          store: test.store,
          clock,
          logger: silentLogger(),
          probe: () => ({ eventLoopDelayMs: 0, databaseWaiting: 0 }),
        });
        const app = createApp({ ...test.services, protection }, { routes: [caseRoute] });
        instances.push({ test, protection, app });
      }
    });
    after(async () => {
      for (const { test, protection } of instances) {
        await protection.close();
        await test.dispose();
      }
      await database.drop();
      await rm(sqliteDir, { recursive: true, force: true });
    });
    // Every test starts in fresh windows: the callers (127.0.0.1 above all) are the same.
    beforeEach(() => {
      now += 5 * 60_000;
      handled = 0;
    });

    const auditCount = () => instance(0).test.store.audit.count();

    it('refuses a client past its budget with 429, Retry-After and a throttled OperationOutcome, across both instances', async () => {
      await request(appA()).get(CASE_PATH).set('Authorization', 'Bearer client-a').expect(200);
      await request(appB()).get(CASE_PATH).set('Authorization', 'Bearer client-a').expect(200);
      await request(appA()).get(CASE_PATH).set('Authorization', 'Bearer client-a').expect(200);
      const refused = await request(appB()).get(CASE_PATH).set('Authorization', 'Bearer client-a');
      const outcome = assertOutcome(refused, {
        status: 429,
        issue: 'throttled',
        code: 'ENLACE_RATE_LIMITED',
      });
      assert.match(String(outcome.issue[0]?.details?.text), /budget is 3 per minute/);
      const wait = Number(refused.headers['retry-after']);
      assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 120, `Retry-After ${wait}`);
      assert.equal(handled, 3, 'the refused call never reached the handler');
      // Another client keeps its own budget.
      await request(appB()).get(CASE_PATH).set('Authorization', 'Bearer client-b').expect(200);
    });

    it('admits the client again once its window has passed', async () => {
      for (let i = 0; i < 3; i += 1) {
        await request(appA()).get(CASE_PATH).set('Authorization', 'Bearer client-c').expect(200);
      }
      await request(appA()).get(CASE_PATH).set('Authorization', 'Bearer client-c').expect(429);
      now += 2 * 60_000;
      await request(appB()).get(CASE_PATH).set('Authorization', 'Bearer client-c').expect(200);
    });

    it('audits a throttled call on a case route: the first at once, further ones as one count', async () => {
      for (let i = 0; i < 3; i += 1) {
        await request(appA()).get(CASE_PATH).set('Authorization', 'Bearer client-d').expect(200);
      }
      const before = await auditCount();
      const refused = await request(appA())
        .get(CASE_PATH)
        .set('Authorization', 'Bearer client-d')
        .expect(429);
      const [event] = (await instance(0).test.store.audit.list({ afterSeq: before })).map(
        (record) => record.event,
      );
      assert.ok(event !== undefined, 'the throttled call is recorded');
      assert.equal(event.outcome, '4');
      assert.equal(event.type.code, '110113');
      assert.match(String(event.outcomeDesc), /^ENLACE_RATE_LIMITED: /);
      assert.equal(event.agent[0]?.who?.identifier?.value, 'client-d');
      assert.equal(event.agent[0].who.reference, 'Organization/police-central');
      assert.equal(event.entity?.[0]?.description, `GET ${CASE_PATH}: request budget exceeded`);
      const requestIds = (event.entity ?? []).map((entity) => entity.what?.identifier?.value);
      assert.ok(requestIds.includes(String(refused.headers['x-request-id'])));
      // Two more refusals in the same minute are counted, not written one by one.
      await request(appA()).get(CASE_PATH).set('Authorization', 'Bearer client-d').expect(429);
      await request(appA()).get(CASE_PATH).set('Authorization', 'Bearer client-d').expect(429);
      assert.equal(await auditCount(), before + 1);
      // The next minute's first refusal brings the count of the last one, then its own record.
      now += 60_000;
      await request(appA()).get(CASE_PATH).set('Authorization', 'Bearer client-d').expect(429);
      const later = (await instance(0).test.store.audit.list({ afterSeq: before + 1 })).map(
        (record) => record.event,
      );
      assert.equal(later.length, 2);
      assert.match(String(later[0]?.outcomeDesc), /2 further calls over budget/);
      assert.equal(later[0]?.agent[0]?.who?.identifier?.value, 'client-d');
      assert.match(String(later[1]?.outcomeDesc), /^ENLACE_RATE_LIMITED: /);
    });

    it('gives unauthenticated callers a stricter budget per source address, shared by both instances', async () => {
      for (let i = 0; i < 2; i += 1) {
        await request(appA()).get('/fhir/metadata').expect(200);
        await request(appB()).get('/fhir/metadata').expect(200);
      }
      const refused = await request(appA()).get('/fhir/metadata');
      assertOutcome(refused, { status: 429, issue: 'throttled', code: 'ENLACE_RATE_LIMITED' });
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      // A call without a valid token at a protected route is anonymous too: 429, not 401.
      await request(appB()).get(CASE_PATH).expect(429);
      // An authenticated client from the same address is counted by its own budget.
      await request(appB()).get(CASE_PATH).set('Authorization', 'Bearer client-e').expect(200);
      // Liveness and readiness are never limited.
      await request(appA()).get('/healthz').expect(200);
    });

    it('counts refused tokens at a protected route against the anonymous budget', async () => {
      for (let i = 0; i < 4; i += 1) {
        await request(appA()).get(CASE_PATH).set('Authorization', 'Basic x').expect(401);
      }
      const refused = await request(appA()).get(CASE_PATH).set('Authorization', 'Basic x');
      assertOutcome(refused, { status: 429, issue: 'throttled', code: 'ENLACE_RATE_LIMITED' });
    });

    it('holds the token endpoint to its own budget and answers in the OAuth error shape', async () => {
      const form = 'grant_type=password';
      for (const app of [appA(), appB()]) {
        const answer = await request(app).post('/oauth2/token').type('form').send(form).expect(400);
        assert.equal((answer.body as OAuthError).error, 'unsupported_grant_type');
      }
      const refused = await request(appA()).post('/oauth2/token').type('form').send(form);
      assert.equal(refused.status, 429);
      assert.equal(refused.headers['content-type'], 'application/json; charset=utf-8');
      const body = refused.body as OAuthError;
      assert.equal(body.error, 'slow_down');
      assert.match(String(body.error_description), /budget is 2 per minute/);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      // Discovery, from the same address, still has its own (anonymous) budget.
      await request(appA()).get('/.well-known/smart-configuration').expect(200);
    });

    it('holds the sign-in endpoints to the credential budget', async () => {
      await request(appA()).post('/auth/login').send({}).expect(400);
      await request(appB()).post('/auth/totp').send({}).expect(400);
      const refused = await request(appA()).post('/auth/login').send({});
      assertOutcome(refused, { status: 429, issue: 'throttled', code: 'ENLACE_RATE_LIMITED' });
    });
  });
}
