// Strict-Transport-Security on every answer, errors included, when partners reach the gateway over https.
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { createTestServices, type TestServices } from '../support/test-app.js';

describe('HSTS', () => {
  const cases = [
    {
      publicUrl: 'https://gateway.test.example/base',
      expected: 'max-age=31536000; includeSubDomains',
    },
    { publicUrl: 'http://127.0.0.1:8080', expected: undefined },
  ];
  for (const { publicUrl, expected } of cases) {
    describe(`with ENLACE_PUBLIC_URL=${publicUrl}`, () => {
      let ctx: TestServices;
      before(async () => {
        ctx = await createTestServices({ env: { ENLACE_PUBLIC_URL: publicUrl } });
      });
      after(async () => {
        await ctx.dispose();
      });

      it(
        expected === undefined ? 'sends no HSTS header' : 'sends HSTS on answers and refusals',
        async () => {
          const app = createApp(ctx.services);
          for (const path of ['/health/live', '/fhir/NoSuchThing']) {
            const res = await request(app).get(path);
            assert.equal(res.headers['strict-transport-security'], expected, path);
          }
        },
      );
    });
  }
});
