import assert from 'node:assert/strict';
import type { Bundle, MessageHeader, Organization, Task } from '@medplum/fhirtypes';
import { compactDecrypt } from 'jose';
import request from 'supertest';
import { createConsent } from '../../../src/consent/index.js';
import { consentRoutes } from '../../../src/http/consent-routes.js';
import { partnerRoutes } from '../../../src/http/partner-routes.js';
import { submissionRoutes } from '../../../src/http/submission-routes.js';
import { taskRoutes } from '../../../src/http/task-routes.js';
import { PROFILE_URLS } from '../../../src/profiles/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import {
  createReferralNetwork,
  REFERRAL_T0,
  shelterConsent,
  type ReferralNetwork,
  type TestPartner,
} from './referral-fixtures.js';

const DATA_CLASS_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/data-class';

interface FoundReference {
  /** Where it was found, e.g. `entry[1].resource.target[0]`. */
  readonly path: string;
  readonly reference: string;
  /** The `fullUrl`s of every Bundle enclosing it, innermost first. */
  readonly scopes: readonly (readonly string[])[];
}

/** Every `reference` in a resource, with the Bundles it sits in (where a `urn:uuid:` resolves). */
function referencesIn(
  value: unknown,
  path = '',
  scopes: readonly (readonly string[])[] = [],
): FoundReference[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => referencesIn(item, `${path}[${index}]`, scopes));
  }
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  const inner =
    object.resourceType === 'Bundle'
      ? [
          ((object.entry ?? []) as { fullUrl?: string }[]).flatMap((entry) =>
            entry.fullUrl === undefined ? [] : [entry.fullUrl],
          ),
          ...scopes,
        ]
      : scopes;
  return Object.entries(object).flatMap(([key, member]) =>
    key === 'reference' && typeof member === 'string'
      ? [{ path: `${path}.reference`, reference: member, scopes: inner }]
      : referencesIn(member, path === '' ? key : `${path}.${key}`, inner),
  );
}

for (const engine of testEngines()) {
  describe(`every reference the gateway emits resolves (${engine.name})`, function () {
    let database: TestDatabase;
    let network: ReferralNetwork;

    before(async () => {
      database = await engine.create();
      network = await createReferralNetwork({
        env: database.env,
        routes: (test) => [
          ...submissionRoutes(test.services),
          ...taskRoutes(test.services),
          ...partnerRoutes(test.services),
          ...consentRoutes(test.services),
        ],
      });
    });
    after(async () => {
      await network.dispose();
      await database.drop();
    });

    /**
     * Each reference resolves for `caller`: a `urn:uuid:` to an entry of a Bundle it sits in, a
     * relative one to a resource the gateway answers 200 for. Anything else (an absolute URL, a
     * `urn:uuid:` of another message) dangles. Logical references carry no `reference` at all.
     */
    async function assertResolves(resource: unknown, caller: TestPartner): Promise<number> {
      const found = referencesIn(resource);
      for (const { path, reference, scopes } of found) {
        if (reference.startsWith('urn:uuid:')) {
          assert.ok(
            scopes.some((urls) => urls.includes(reference)),
            `${path} ${reference} resolves inside its Bundle`,
          );
          continue;
        }
        assert.match(reference, /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(\/_history\/\d+)?$/, path);
        const res = await request(network.app)
          .get(`/fhir/${reference}`)
          .set('Authorization', `Bearer ${caller.id}`)
          .set(
            'Accept',
            reference.startsWith('Bundle/') ? 'application/jose' : 'application/fhir+json',
          );
        assert.equal(res.status, 200, `${path} ${reference} answers ${caller.id} (${res.text})`);
      }
      return found.length;
    }

    const submit = async (bundleJwe: string): Promise<Bundle> =>
      JSON.parse(
        (
          await request(network.app)
            .post('/fhir/$process-message')
            .set('Authorization', 'Bearer police-central')
            .set('Content-Type', 'application/jose')
            .send(bundleJwe)
            .expect(200)
        ).text,
      ) as Bundle;

    const retrieve = async (task: string): Promise<Bundle> => {
      const res = await request(network.app)
        .get(`/fhir/Bundle/${task}`)
        .set('Authorization', 'Bearer casa-refugio')
        .set('Accept', 'application/jose')
        .expect(200);
      const { plaintext } = await compactDecrypt(res.text, network.shelter.encryption.privateKey);
      return JSON.parse(new TextDecoder().decode(plaintext)) as Bundle;
    };

    it('in the acknowledgement, the stored Task and the delivered Bundle', async () => {
      await network.recordConsent('refs-1');
      const { jwe } = await network.referral(network.police, network.shelter, {
        survivorId: 'refs-1',
      });
      const acknowledgement = await submit(jwe);
      const header = acknowledgement.entry?.[0]?.resource as MessageHeader;
      // The gateway is one Organization: the sender of its acknowledgement signs it too.
      assert.equal(header.sender?.reference, 'Organization/enlace-gateway');
      assert.equal(acknowledgement.signature?.who.reference, 'Organization/enlace-gateway');
      assert.ok((await assertResolves(acknowledgement, network.police)) >= 4);
      const task = (header.focus?.[0]?.reference ?? '').slice('Task/'.length);

      const delivered = await retrieve(task);
      assert.ok((await assertResolves(delivered, network.shelter)) >= 10);

      await request(network.app)
        .patch(`/fhir/Task/${task}`)
        .set('Authorization', 'Bearer casa-refugio')
        .set('Content-Type', 'application/json-patch+json')
        .set('If-Match', 'W/"2"')
        .send(
          JSON.stringify([
            { op: 'replace', path: '/status', value: 'accepted' },
            { op: 'add', path: '/note/-', value: { text: 'Cama disponible.' } },
          ]),
        )
        .expect(200);
      for (const party of [network.police, network.shelter]) {
        const read = await request(network.app)
          .get(`/fhir/Task/${task}`)
          .set('Authorization', `Bearer ${party.id}`)
          .expect(200);
        const stored = read.body as Task;
        // What the message called urn:uuid:… is named logically now, never by a dangling reference.
        assert.equal(stored.focus?.reference, undefined);
        assert.equal(stored.focus?.identifier?.system, 'urn:ietf:rfc:3986');
        assert.match(stored.focus.identifier.value ?? '', /^urn:uuid:/);
        assert.equal(stored.for?.reference, undefined);
        assert.equal(
          stored.for?.identifier?.system,
          'https://enlace.example.org/fhir/NamingSystem/survivor-pseudonym',
        );
        assert.equal(await assertResolves(stored, party), 3);
        // Still a VawReferralTask: logical references satisfy its focus and for.
        assert.deepEqual(
          network.test.services.profiles
            .validate(stored, PROFILE_URLS.referralTask)
            .filter((issue) => issue.severity === 'error'),
          [],
        );
      }
    });

    it('in a delivery from which consent removed a resource', async () => {
      const consent = shelterConsent('refs-2', 'police-central');
      const permit = consent.provision?.provision?.[0];
      assert.ok(permit !== undefined);
      permit.class = [{ system: DATA_CLASS_SYSTEM, code: 'contact-details' }];
      await createConsent(
        consent,
        { principal: network.police.principal, requestId: 'fixture' },
        {
          store: network.store,
          clock: () => new Date(REFERRAL_T0),
          ...network.test.services.consent,
        },
      );
      const { jwe } = await network.referral(network.police, network.shelter, {
        survivorId: 'refs-2',
      });
      const header = (await submit(jwe)).entry?.[0]?.resource as MessageHeader;
      const delivered = await retrieve((header.focus?.[0]?.reference ?? '').slice('Task/'.length));
      const redaction = delivered.entry?.[2]?.resource;
      assert.equal(redaction?.resourceType, 'Provenance');
      assert.deepEqual(redaction.target, [{ reference: delivered.entry?.[0]?.fullUrl }]);
      const removed = redaction.entity?.[0]?.what;
      assert.equal(removed?.type, 'RiskAssessment');
      assert.equal(removed.identifier?.system, 'urn:ietf:rfc:3986');
      assert.ok((await assertResolves(delivered, network.shelter)) >= 10);
    });

    it('refuses a literal reference in a Task output, which would dangle, and takes a logical one', async () => {
      await network.recordConsent('refs-3');
      const { jwe } = await network.referral(network.police, network.shelter, {
        survivorId: 'refs-3',
      });
      const header = (await submit(jwe)).entry?.[0]?.resource as MessageHeader;
      const task = (header.focus?.[0]?.reference ?? '').slice('Task/'.length);
      const patch = (version: number, body: unknown) =>
        request(network.app)
          .patch(`/fhir/Task/${task}`)
          .set('Authorization', 'Bearer casa-refugio')
          .set('Content-Type', 'application/json-patch+json')
          .set('If-Match', `W/"${version}"`)
          .send(JSON.stringify(body));
      await patch(1, [{ op: 'replace', path: '/status', value: 'accepted' }]).expect(200);
      const complete = (valueReference: object) => [
        { op: 'replace', path: '/status', value: 'completed' },
        { op: 'add', path: '/output/-', value: { type: { text: 'stay' }, valueReference } },
      ];
      const literal = await patch(2, complete({ reference: 'DocumentReference/stay-1' }));
      assert.deepEqual(
        assertOutcome(literal, { status: 400, issue: 'invalid', code: 'ENLACE_TASK_PATCH_INVALID' })
          .issue[0]?.expression,
        ['Patch[1].value.valueReference.reference'],
      );
      const logical = {
        type: 'DocumentReference',
        identifier: { system: 'https://casa-refugio.example.org/stays', value: 'stay-1' },
      };
      const done = await patch(2, complete(logical)).expect(200);
      const stored = done.body as Task;
      assert.deepEqual(stored.output?.[0]?.valueReference, logical);
      // requester and owner; focus, for and the output are logical.
      assert.equal(await assertResolves(stored, network.shelter), 2);
    });

    it('serves the gateway itself as Organization/enlace-gateway', async () => {
      const res = await request(network.app)
        .get('/fhir/Organization/enlace-gateway')
        .set('Authorization', 'Bearer casa-refugio')
        .expect(200);
      const gateway = res.body as Organization;
      assert.equal(gateway.resourceType, 'Organization');
      assert.equal(gateway.id, 'enlace-gateway');
      assert.equal(gateway.active, true);
    });
  });
}
