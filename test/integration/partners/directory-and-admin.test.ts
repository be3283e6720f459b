import assert from 'node:assert/strict';
import type { Bundle, BundleEntry, Organization } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { GatewayError, type Authorizer, type Principal } from '../../../src/kernel/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { createTestServices, TEST_PUBLIC_URL, type TestServices } from '../../support/test-app.js';

const police: Principal = {
  kind: 'partner',
  clientId: 'client-police',
  partnerId: 'police-central',
  role: 'police',
  scopes: ['system/Organization.rs', 'system/Endpoint.rs'],
  tokenId: 't1',
};
const operator: Principal = {
  kind: 'person',
  userId: 'u1',
  username: 'ana',
  role: 'operator',
  tokenId: 't2',
};

/** Maps bearer values to principals; the real token checks are tested with the auth module. */
const byToken: Authorizer = (authorization, requirement) => {
  const principal =
    authorization === 'Bearer police'
      ? police
      : authorization === 'Bearer operator'
        ? operator
        : undefined;
  if (principal === undefined) {
    return Promise.reject(new GatewayError('ENLACE_ROUTE_NOT_FOUND', 'no test principal'));
  }
  if (requirement.kind !== principal.kind) {
    return Promise.reject(new GatewayError('ENLACE_ROUTE_NOT_FOUND', 'wrong kind'));
  }
  return Promise.resolve(principal);
};

async function jwks(): Promise<unknown> {
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] };
}

describe('the partner directory and the admin API', () => {
  let test: TestServices;
  let app: ReturnType<typeof createApp>;

  beforeEach(async () => {
    test = await createTestServices({ authorize: byToken });
    app = createApp(test.services);
    for (const [id, name, role, endpoint] of [
      ['police-central', 'Policía Central', 'police', undefined],
      ['casa-refugio', 'Casa Refugio Esperanza', 'shelter', 'https://refugio.example.org/enlace'],
      ['casa-luz', 'Casa de la Luz', 'shelter', undefined],
    ] as const) {
      await request(app)
        .post('/admin/partners')
        .set('Authorization', 'Bearer operator')
        .send({
          id,
          name,
          role,
          jwks: await jwks(),
          ...(endpoint === undefined ? {} : { endpoint }),
        })
        .expect(201);
    }
  });
  afterEach(() => test.dispose());

  it('registers a partner, answers its client_id and audits the registration', async () => {
    const before = await test.store.audit.count();
    const res = await request(app)
      .post('/admin/partners')
      .set('Authorization', 'Bearer operator')
      .send({
        id: 'fiscalia-norte',
        name: 'Fiscalía Norte',
        role: 'prosecution',
        jwks: await jwks(),
      })
      .expect(201);
    const body = res.body as { client_id: string; partner: { id: string; status: string } };
    assert.match(body.client_id, /^[0-9a-f-]{36}$/);
    assert.equal(body.partner.status, 'active');
    assert.equal(res.headers.location, `${TEST_PUBLIC_URL}/admin/partners/fiscalia-norte`);
    const records = await test.store.audit.list({ afterSeq: before });
    assert.equal(records.length, 1);
    assert.equal(
      records.at(0)?.event.entity?.at(0)?.what?.reference,
      'Organization/fiscalia-norte',
    );
    const [record] = records;
    assert.ok(record);
    assert.equal(record.event.agent.at(0)?.who?.identifier?.value, 'ana');
  });

  it('stores an encryption key for receiving referrals, and refuses one with private members', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ECDH-ES+A256KW', {
      crv: 'X25519',
      extractable: true,
    });
    await request(app)
      .post('/admin/partners')
      .set('Authorization', 'Bearer operator')
      .send({
        id: 'hogar-x',
        name: 'Hogar X',
        role: 'shelter',
        jwks: await jwks(),
        encryptionKey: { ...(await exportJWK(publicKey)), kid: 'enc-1' },
      })
      .expect(201);
    const stored = await test.store.db
      .selectFrom('partner_encryption_key')
      .selectAll()
      .where('partner_id', '=', 'hogar-x')
      .execute();
    assert.equal(stored.length, 1);
    assert.equal((JSON.parse(stored[0]?.jwk ?? '{}') as { use?: string }).use, 'enc');
    const leaked = await request(app)
      .post('/admin/partners')
      .set('Authorization', 'Bearer operator')
      .send({
        id: 'hogar-y',
        name: 'Hogar Y',
        role: 'shelter',
        jwks: await jwks(),
        encryptionKey: await exportJWK(privateKey),
      });
    assertOutcome(leaked, { status: 400, issue: 'invalid', code: 'ENLACE_PARTNER_INVALID' });
  });

  it('refuses a duplicate id with 409 and writes nothing', async () => {
    const before = await test.store.audit.count();
    const res = await request(app)
      .post('/admin/partners')
      .set('Authorization', 'Bearer operator')
      .send({ id: 'casa-luz', name: 'Otra', role: 'shelter', jwks: await jwks() });
    assertOutcome(res, { status: 409, issue: 'duplicate', code: 'ENLACE_PARTNER_EXISTS' });
    assert.equal(await test.store.audit.count(), before);
  });

  it("refuses the gateway's own id, under which it signs and sends, and writes nothing", async () => {
    const before = await test.store.audit.count();
    const res = await request(app)
      .post('/admin/partners')
      .set('Authorization', 'Bearer operator')
      .send({ id: 'enlace-gateway', name: 'Impostor', role: 'ngo', jwks: await jwks() });
    const outcome = assertOutcome(res, {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_PARTNER_INVALID',
    });
    assert.deepEqual(outcome.issue[0]?.expression, ['id']);
    assert.equal(await test.store.audit.count(), before);
  });

  it('refuses an unknown role, a second credential and a plain-http endpoint', async () => {
    const send = async (body: object) =>
      request(app).post('/admin/partners').set('Authorization', 'Bearer operator').send(body);
    const base = { id: 'nuevo', name: 'Nuevo', jwks: await jwks() };
    const unknownRole = assertOutcome(await send({ ...base, role: 'pirates' }), {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_PARTNER_INVALID',
    });
    assert.deepEqual(unknownRole.issue[0]?.expression, ['role']);
    assertOutcome(await send({ ...base, role: 'ngo', csr: 'x' }), {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_PARTNER_INVALID',
    });
    assertOutcome(await send({ ...base, role: 'ngo', endpoint: 'http://198.51.100.7/hook' }), {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_PARTNER_INVALID',
    });
    assertOutcome(await send({ ...base, role: 'ngo', allowedAlgorithms: ['HS256'] }), {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_PARTNER_INVALID',
    });
  });

  it('lets police find shelters by role, with their push endpoint', async () => {
    const res = await request(app)
      .get('/fhir/Organization?type=shelter')
      .set('Authorization', 'Bearer police')
      .expect(200);
    const bundle = res.body as Bundle<Organization>;
    assert.equal(bundle.type, 'searchset');
    assert.deepEqual(
      bundle.entry?.map((entry) => entry.resource?.id),
      ['casa-luz', 'casa-refugio'],
    );
    const entry = (res.body as Bundle<Organization>).entry?.find(
      (candidate: BundleEntry<Organization>) => candidate.resource?.id === 'casa-refugio',
    );
    assert.ok(entry?.resource);
    assert.equal(entry.resource.type?.at(0)?.coding?.at(0)?.code, 'shelter');
    assert.deepEqual(entry.resource.endpoint, [{ reference: 'Endpoint/casa-refugio-push' }]);
    assert.equal(entry.fullUrl, `${TEST_PUBLIC_URL}/fhir/Organization/casa-refugio`);
  });

  it('searches by name prefix, case-insensitively, treating % and _ literally', async () => {
    const found = await request(app)
      .get('/fhir/Organization?name=casa%20r')
      .set('Authorization', 'Bearer police')
      .expect(200);
    assert.deepEqual(
      (found.body as Bundle).entry?.map((entry) => entry.resource?.id),
      ['casa-refugio'],
    );
    const wildcard = await request(app)
      .get('/fhir/Organization?name=%25')
      .set('Authorization', 'Bearer police')
      .expect(200);
    assert.equal((wildcard.body as Bundle).entry, undefined);
  });

  it('searches by identifier with or without its system', async () => {
    for (const identifier of [
      'police-central',
      'https://enlace.example.org/fhir/NamingSystem/partner-id|police-central',
    ]) {
      const res = await request(app)
        .get(`/fhir/Organization?identifier=${encodeURIComponent(identifier)}`)
        .set('Authorization', 'Bearer police')
        .expect(200);
      assert.deepEqual(
        (res.body as Bundle).entry?.map((entry) => entry.resource?.id),
        ['police-central'],
      );
    }
  });

  it('refuses an unknown or repeated search parameter instead of ignoring it', async () => {
    const unknown = await request(app)
      .get('/fhir/Organization?typo=shelter')
      .set('Authorization', 'Bearer police');
    assertOutcome(unknown, { status: 400, issue: 'invalid', code: 'ENLACE_INVALID_PARAMETER' });
    const repeated = await request(app)
      .get('/fhir/Organization?type=shelter&type=police')
      .set('Authorization', 'Bearer police');
    assertOutcome(repeated, { status: 400, issue: 'invalid', code: 'ENLACE_INVALID_PARAMETER' });
  });

  it('reads an Organization and an Endpoint, and answers 404 for unknown ids', async () => {
    const organization = await request(app)
      .get('/fhir/Organization/casa-refugio')
      .set('Authorization', 'Bearer police')
      .expect(200);
    assert.equal((organization.body as Organization).name, 'Casa Refugio Esperanza');
    const endpoint = await request(app)
      .get('/fhir/Endpoint/casa-refugio-push')
      .set('Authorization', 'Bearer police')
      .expect(200);
    assert.equal(
      (endpoint.body as { address: string }).address,
      'https://refugio.example.org/enlace',
    );
    assertOutcome(
      await request(app).get('/fhir/Organization/nobody').set('Authorization', 'Bearer police'),
      { status: 404, issue: 'not-found', code: 'ENLACE_RESOURCE_NOT_FOUND' },
    );
  });

  it('lists endpoints of one organization', async () => {
    const res = await request(app)
      .get('/fhir/Endpoint?organization=Organization/casa-refugio')
      .set('Authorization', 'Bearer police')
      .expect(200);
    assert.deepEqual(
      (res.body as Bundle).entry?.map((entry) => entry.resource?.id),
      ['casa-refugio-push'],
    );
  });

  it('suspends and re-activates a partner, bumping its version and auditing each change', async () => {
    const before = await test.store.audit.count();
    const suspended = await request(app)
      .post('/admin/partners/casa-luz/suspend')
      .set('Authorization', 'Bearer operator')
      .expect(200);
    assert.equal((suspended.body as { status: string; version: number }).status, 'suspended');
    const listed = await request(app)
      .get('/fhir/Organization?active=false')
      .set('Authorization', 'Bearer police')
      .expect(200);
    assert.deepEqual(
      (listed.body as Bundle).entry?.map((entry) => entry.resource?.id),
      ['casa-luz'],
    );
    const active = await request(app)
      .post('/admin/partners/casa-luz/activate')
      .set('Authorization', 'Bearer operator')
      .expect(200);
    assert.equal((active.body as { version: number }).version, 3);
    // The two changes, and the directory search between them, which is recorded too.
    assert.equal(await test.store.audit.count(), before + 3);
    assertOutcome(
      await request(app)
        .post('/admin/partners/nobody/suspend')
        .set('Authorization', 'Bearer operator'),
      { status: 404, issue: 'not-found', code: 'ENLACE_PARTNER_NOT_FOUND' },
    );
  });

  it('shows a partner with its clients and endpoints to operators', async () => {
    const res = await request(app)
      .get('/admin/partners/casa-refugio')
      .set('Authorization', 'Bearer operator')
      .expect(200);
    const body = res.body as {
      clients: { keys: { kid: string; state: string; jwk: { d?: string; x?: string } }[] }[];
      endpoints: unknown[];
    };
    assert.equal(body.clients.length, 1);
    assert.equal(body.endpoints.length, 1);
    const [key] = body.clients[0]?.keys ?? [];
    assert.equal(key?.kid, 'k1');
    assert.equal(key.state, 'active');
    assert.equal(typeof key.jwk.x, 'string');
    assert.equal(key.jwk.d, undefined);
  });
});
