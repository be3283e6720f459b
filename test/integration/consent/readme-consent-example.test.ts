// The README's worked example, step 3, run exactly as written: its Consent posts, and $evaluate then answers permit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Consent, Parameters } from '@medplum/fhirtypes';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { consentRoutes } from '../../../src/http/consent-routes.js';
import { GatewayError, type Authorizer, type PartnerPrincipal } from '../../../src/kernel/index.js';
import { createTestServices, type TestServices } from '../../support/test-app.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The JSON body of the README's ```http block that starts with `POST <path>`, byte for byte. */
function readmeRequestBody(path: string): string {
  const escaped = path.replace(/[$/]/g, (character) => `\\${character}`);
  const blocks = [
    ...README.matchAll(new RegExp(`\`\`\`http\\nPOST ${escaped}\\n([^\`]*)\`\`\``, 'g')),
  ];
  assert.equal(blocks.length, 1, `the README has one example of POST ${path}`);
  return blocks[0]?.[1] ?? '';
}

// The two institutions of the README's worked example ("Sending a referral").
const institutions = {
  'comisaria-norte': 'police',
  'refugio-esperanza': 'shelter',
} as const;
type Institution = keyof typeof institutions;

const principalOf = (partnerId: Institution): PartnerPrincipal => ({
  kind: 'partner',
  clientId: `client-${partnerId}`,
  partnerId,
  role: institutions[partnerId],
  scopes: ['system/Bundle.cr', 'system/Task.rus', 'system/Consent.crus'],
  tokenId: `token-${partnerId}`,
});

/** `Bearer <partner id>` is that institution with the scopes step 2 obtains. */
const byPartnerId: Authorizer = (authorization) => {
  const partnerId = authorization?.replace(/^Bearer /, '');
  if (partnerId !== 'comisaria-norte' && partnerId !== 'refugio-esperanza') {
    return Promise.reject(new GatewayError('ENLACE_TOKEN_INVALID', 'no test principal'));
  }
  return Promise.resolve(principalOf(partnerId));
};

const parameter = (answer: Parameters, name: string): unknown[] =>
  (answer.parameter ?? [])
    .filter((entry) => entry.name === name)
    .map((entry) => entry.valueCode ?? entry.valueReference?.reference ?? entry.valueString);

describe("the README's consent example", () => {
  let test: TestServices;
  let app: Express;

  beforeEach(async () => {
    // Why the system clock: the example must hold today, not only at a date a test picked.
    test = await createTestServices({ authorize: byPartnerId, clock: () => new Date() });
    const now = new Date().toISOString();
    for (const [id, role] of Object.entries(institutions)) {
      await test.store.db
        .insertInto('partner')
        .values({
          id,
          name: id,
          role,
          status: 'active',
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .execute();
    }
    app = createApp(test.services, {
      routes: consentRoutes({ ...test.services, consent: test.services.consent }),
    });
  });
  afterEach(() => test.dispose());

  const post = (path: string, body: string) =>
    request(app)
      .post(path)
      .set('Authorization', 'Bearer comisaria-norte')
      .set('Content-Type', 'application/fhir+json')
      .send(body);

  it('posts as written, and $evaluate as written then answers permit for the shelter', async () => {
    const before = await post(
      '/fhir/Consent/$evaluate',
      readmeRequestBody('/fhir/Consent/$evaluate'),
    );
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.deepEqual(parameter(before.body as Parameters, 'decision'), ['no-consent']);

    const created = await post('/fhir/Consent', readmeRequestBody('/fhir/Consent'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const consent = created.body as Consent;
    assert.equal(consent.status, 'active');

    const answer = await post(
      '/fhir/Consent/$evaluate',
      readmeRequestBody('/fhir/Consent/$evaluate'),
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const evaluated = answer.body as Parameters;
    assert.deepEqual(parameter(evaluated, 'decision'), ['permit']);
    assert.deepEqual(parameter(evaluated, 'permitted'), [
      'contact-details',
      'location',
      'risk-assessment',
    ]);
    assert.deepEqual(parameter(evaluated, 'remove'), [
      'children',
      'health-record',
      'judicial-record',
      'police-report',
    ]);
    assert.deepEqual(parameter(evaluated, 'reliedOn'), [`Consent/${consent.id ?? ''}/_history/1`]);
  });

  it('withdrawn before any referral, notifies no institution', async () => {
    const created = await post('/fhir/Consent', readmeRequestBody('/fhir/Consent'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const revoked = await request(app)
      .patch(`/fhir/Consent/${(created.body as Consent).id ?? ''}`)
      .set('Authorization', 'Bearer comisaria-norte')
      .set('Content-Type', 'application/json-patch+json')
      .send(
        JSON.stringify([
          { op: 'replace', path: '/status', value: 'inactive' },
          {
            op: 'add',
            path: '/extension/-',
            value: {
              url: 'https://enlace.example.org/fhir/StructureDefinition/revocation-reason',
              valueString: 'She withdrew consent in person.',
            },
          },
        ]),
      )
      .expect(200);
    assert.equal(revoked.headers['enlace-notified-institutions'], '0');
    // Withdrawal takes back every "yes" and keeps every "no": her blanket deny still speaks.
    const answer = await post(
      '/fhir/Consent/$evaluate',
      readmeRequestBody('/fhir/Consent/$evaluate'),
    );
    assert.deepEqual(parameter(answer.body as Parameters, 'decision'), ['deny']);
    assert.deepEqual(parameter(answer.body as Parameters, 'permitted'), []);
  });
});
