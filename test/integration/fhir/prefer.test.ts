import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Consent, OperationOutcome, Task } from '@medplum/fhirtypes';
import request from 'supertest';
import { startAttackNetwork, type AttackNetwork } from '../../security/attack-network.js';
import { testEngines } from '../../support/test-database.js';
import { shelterConsent } from '../referrals/referral-fixtures.js';

const PATCH = 'application/json-patch+json';
const REVOCATION = [
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

for (const engine of testEngines()) {
  describe(`Prefer: return= on creates and updates (${engine.name})`, function () {
    this.timeout(60_000);
    let net: AttackNetwork;
    let police: string;
    let shelter: string;
    let base: string;

    before(async () => {
      net = await startAttackNetwork(engine);
      [police, shelter] = await Promise.all([net.token(net.police), net.token(net.shelter)]);
      base = `${net.test.services.config.publicUrl}/fhir`;
    });
    after(() => net.dispose());

    const createConsent = (prefer?: string, ifNoneExist?: string, body?: Consent) => {
      let req = request(net.app)
        .post('/fhir/Consent')
        .set('Authorization', `Bearer ${police}`)
        .set('Content-Type', 'application/fhir+json');
      if (prefer !== undefined) req = req.set('Prefer', prefer);
      if (ifNoneExist !== undefined) req = req.set('If-None-Exist', ifNoneExist);
      return req.send(
        JSON.stringify(body ?? shelterConsent(`s-${randomUUID()}`, 'police-central')),
      );
    };

    const read = (path: string, bearer = police) =>
      request(net.app).get(path).set('Authorization', `Bearer ${bearer}`).expect(200);

    /** The id and version a Location names: `<base>/<Type>/<id>/_history/<vid>`. */
    const located = (location: unknown, type: string): { id: string; vid: string } => {
      const match = new RegExp(`^${base}/${type}/([^/]+)/_history/(\\d+)$`).exec(String(location));
      assert.ok(match?.[1] !== undefined && match[2] !== undefined, `Location ${String(location)}`);
      return { id: match[1], vid: match[2] };
    };

    it('answers return=minimal with no body, and the Location and validators of what it wrote', async () => {
      const res = await createConsent('return=minimal').expect(201);
      assert.equal(res.text, '');
      assert.equal(res.headers['content-type'], undefined);
      assert.equal(res.headers['preference-applied'], 'return=minimal');
      const { id, vid } = located(res.headers.location, 'Consent');
      assert.equal(vid, '1');
      assert.equal(res.headers.etag, 'W/"1"');
      const stored = await read(`/fhir/Consent/${id}`);
      assert.equal(stored.headers.etag, res.headers.etag);
      assert.equal(stored.headers['last-modified'], res.headers['last-modified']);
    });

    it('answers return=OperationOutcome with an informational OperationOutcome', async () => {
      const res = await createConsent('return=OperationOutcome').expect(201);
      const outcome = res.body as OperationOutcome;
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.equal(outcome.issue[0]?.severity, 'information');
      assert.equal(outcome.issue[0].code, 'informational');
      const { id } = located(res.headers.location, 'Consent');
      assert.match(outcome.issue[0].details?.text ?? '', new RegExp(`Consent/${id}/_history/1`));
      assert.equal(res.headers['preference-applied'], 'return=OperationOutcome');
    });

    it('answers with the resource by default, for return=representation and for preferences it does not know', async () => {
      for (const prefer of [
        undefined,
        'return=representation',
        'return=everything',
        'respond-async',
        'return=Minimal',
      ]) {
        const res = await createConsent(prefer).expect(201);
        const consent = res.body as Consent;
        assert.equal(consent.resourceType, 'Consent', String(prefer));
        assert.equal(res.headers.etag, `W/"${consent.meta?.versionId ?? ''}"`);
        assert.equal(
          res.headers['preference-applied'],
          prefer === 'return=representation' ? 'return=representation' : undefined,
        );
      }
    });

    it('takes the first return preference of several, among others', async () => {
      const res = await createConsent('handling=strict, return=minimal, return=representation');
      assert.equal(res.status, 201);
      assert.equal(res.text, '');
      assert.equal(res.headers['preference-applied'], 'return=minimal');
      // Preference names are case-insensitive and parameters after `;` are ignored (RFC 7240).
      const spelt = await createConsent('RETURN="minimal"; foo=bar').expect(201);
      assert.equal(spelt.text, '');
    });

    it('applies to a conditional create that found the consent', async () => {
      const form = `CF-${randomUUID()}`;
      const body: Consent = {
        ...shelterConsent(`s-${randomUUID()}`, 'police-central'),
        identifier: [{ system: 'https://police-central.example.org/consent-form', value: form }],
      };
      const condition = `identifier=${encodeURIComponent(`https://police-central.example.org/consent-form|${form}`)}`;
      const created = await createConsent(undefined, condition, body).expect(201);
      const found = await createConsent('return=minimal', condition, body).expect(200);
      assert.equal(found.text, '');
      assert.equal(found.headers.location, created.headers.location);
      assert.equal(found.headers.etag, created.headers.etag);
    });

    it('applies to PATCH of a Task: the step is taken whatever is answered', async () => {
      const id = await net.submitReferral(net.police, net.shelter);
      const step = (version: number, status: string, prefer: string) =>
        request(net.app)
          .patch(`/fhir/Task/${id}`)
          .set('Authorization', `Bearer ${shelter}`)
          .set('Content-Type', PATCH)
          .set('If-Match', `W/"${version}"`)
          .set('Prefer', prefer)
          .send(JSON.stringify([{ op: 'replace', path: '/status', value: status }]))
          .expect(200);
      const accepted = await step(1, 'accepted', 'return=minimal');
      assert.equal(accepted.text, '');
      assert.equal(accepted.headers.etag, 'W/"2"');
      assert.deepEqual(located(accepted.headers.location, 'Task'), { id, vid: '2' });
      const started = await step(2, 'in-progress', 'return=OperationOutcome');
      const outcome = started.body as OperationOutcome;
      assert.equal(outcome.issue[0]?.severity, 'information');
      assert.match(outcome.issue[0].details?.text ?? '', /in-progress/);
      assert.equal(started.headers.etag, 'W/"3"');
      const task = await read(`/fhir/Task/${id}`, police);
      assert.equal((task.body as Task).status, 'in-progress');
      assert.equal(task.headers.etag, 'W/"3"');
    });

    it('applies to PATCH of a Consent (its withdrawal)', async () => {
      const created = await createConsent().expect(201);
      const id = (created.body as Consent).id ?? '';
      const res = await request(net.app)
        .patch(`/fhir/Consent/${id}`)
        .set('Authorization', `Bearer ${police}`)
        .set('Content-Type', PATCH)
        .set('Prefer', 'return=minimal')
        .send(JSON.stringify(REVOCATION))
        .expect(200);
      assert.equal(res.text, '');
      assert.equal(res.headers.etag, 'W/"2"');
      assert.deepEqual(located(res.headers.location, 'Consent'), { id, vid: '2' });
      assert.equal(res.headers['enlace-notified-institutions'], '0');
      const stored = await read(`/fhir/Consent/${id}`);
      assert.equal((stored.body as Consent).status, 'inactive');
    });
  });
}
