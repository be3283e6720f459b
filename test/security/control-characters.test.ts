import assert from 'node:assert/strict';
import fc from 'fast-check';
import request from 'supertest';
import { buildRouteTable } from '../../src/app.js';
import { TOKEN_PATH } from '../../src/auth/index.js';
import { testEngines } from '../support/test-database.js';
import { startAttackNetwork, type AttackNetwork } from './attack-network.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const NUL = '%00';

interface OutcomeBody {
  readonly resourceType: string;
  readonly issue: readonly {
    readonly details?: { readonly coding?: readonly { code?: string }[] };
  }[];
}

const codeOf = (body: unknown): string | undefined =>
  (body as OutcomeBody).issue[0]?.details?.coding?.[0]?.code;

for (const engine of testEngines()) {
  describe(`control characters in requests (${engine.name})`, function () {
    this.timeout(60_000);
    let net: AttackNetwork;
    let police: string;

    before(async () => {
      net = await startAttackNetwork(engine);
      police = await net.token(net.police);
    });
    after(() => net.dispose());

    const reads = [
      '/fhir/Task/a%00b',
      '/fhir/Task/a%00b/_history',
      '/fhir/Consent/a%00b',
      '/fhir/Consent/a%00b/_history',
      '/fhir/Consent/a%00b/_history/1',
      '/fhir/Organization/a%00b',
      '/fhir/Endpoint/a%00b',
      `/fhir/Organization?name=a${NUL}b`,
      `/fhir/Organization?identifier=a${NUL}b`,
      `/fhir/Organization?_id=a${NUL}b`,
      `/fhir/Endpoint?organization=Organization/a${NUL}b`,
      `/fhir/Task?owner=Organization/a${NUL}b`,
      `/fhir/Consent?patient:identifier=x|a${NUL}b`,
      `/fhir/Task?status=requested&a${NUL}=1`,
    ];
    for (const path of reads) {
      it(`answers GET ${path} with 400 and an OperationOutcome, with a token and without`, async () => {
        for (const authorization of [`Bearer ${police}`, undefined]) {
          const call = request(net.app).get(path);
          if (authorization !== undefined) call.set('Authorization', authorization);
          const res = await call;
          assert.ok(res.status === 400 || res.status === 404, `${path}: ${res.status} ${res.text}`);
          assert.equal((res.body as OutcomeBody).resourceType, 'OperationOutcome');
          if (res.status === 400) assert.equal(codeOf(res.body), 'ENLACE_CONTROL_CHARACTER');
        }
      });
    }

    it('answers a Bundle read and Task and Consent PATCHes by a NUL id with 400', async () => {
      const bundle = await request(net.app)
        .get('/fhir/Bundle/a%00b')
        .set('Authorization', `Bearer ${police}`)
        .set('Accept', 'application/jose');
      assert.equal(bundle.status, 400);
      for (const path of ['/fhir/Task/a%00b', '/fhir/Consent/a%00b']) {
        const res = await request(net.app)
          .patch(path)
          .set('Authorization', `Bearer ${police}`)
          .set('If-Match', 'W/"1"')
          .set('Content-Type', 'application/json-patch+json')
          .send('[]');
        assert.equal(res.status, 400, `${path}: ${res.text}`);
        assert.equal(codeOf(res.body), 'ENLACE_CONTROL_CHARACTER');
      }
    });

    it('answers an assertion whose iss and sub hold U+0000 with invalid_client, unsigned or not', async () => {
      const forged = await net.assertion(net.police, {
        iss: 'client\u0000x',
        sub: 'client\u0000x',
      });
      const res = await request(net.app).post(TOKEN_PATH).type('form').send({
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: forged,
        scope: 'system/Task.rs',
      });
      assert.equal(res.status, 401, res.text);
      assert.equal((res.body as { error: string }).error, 'invalid_client');
    });

    it('answers a signed assertion whose jti or kid holds U+0000 with invalid_client', async () => {
      for (const claims of [{ jti: 'a\u0000b' }, { jti: '\u0001' }]) {
        const res = await request(net.app)
          .post(TOKEN_PATH)
          .type('form')
          .send({
            grant_type: 'client_credentials',
            client_assertion_type: ASSERTION_TYPE,
            client_assertion: await net.assertion(net.police, claims),
            scope: 'system/Task.rs',
          });
        assert.equal(res.status, 401, res.text);
        assert.equal((res.body as { error: string }).error, 'invalid_client');
      }
    });

    it('answers a form parameter holding U+0000 with invalid_request', async () => {
      const res = await request(net.app)
        .post(TOKEN_PATH)
        .type('form')
        .send(
          `grant_type=client_credentials&client_assertion_type=${ASSERTION_TYPE}&client_assertion=x%00y&scope=a`,
        );
      assert.equal(res.status, 400, res.text);
      assert.equal((res.body as { error: string }).error, 'invalid_request');
    });

    it('refuses U+0000 inside a JSON body before it reaches a query', async () => {
      const res = await request(net.app)
        .post('/fhir/Consent')
        .set('Authorization', `Bearer ${police}`)
        .set('Content-Type', 'application/fhir+json')
        .send('{"resourceType":"Consent","id":"a\\u0000b"}');
      assert.equal(res.status, 400, res.text);
      assert.equal(codeOf(res.body), 'ENLACE_JSON_CONTROL_CHARACTER');
    });

    it('never answers an unauthenticated request on any route with a 5xx', async () => {
      const routes = buildRouteTable(net.test.services);
      const hostile = fc.stringMatching(/^[\s\S]{0,12}$/).map((text) => `${text}\u0000${text}`);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes),
          hostile,
          hostile,
          async (route, value, query) => {
            const path = route.path.replace(/:[A-Za-z]+/g, encodeURIComponent(value));
            const method = route.method.toLowerCase() as
              'get' | 'post' | 'patch' | 'put' | 'delete';
            const agent = request(net.app);
            const res = await agent[method](`${path}?q=${encodeURIComponent(query)}`)
              .set('Content-Type', route.consumes?.[0] ?? 'application/fhir+json')
              .send(route.method === 'GET' ? undefined : `{"a":"${encodeURIComponent(value)}"}`);
            assert.ok(res.status < 500, `${route.method} ${path}: ${res.status} ${res.text}`);
          },
        ),
        { numRuns: 150, seed: 20261203 },
      );
    });
  });
}
