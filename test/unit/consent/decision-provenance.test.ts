import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Bundle, Provenance, RelatedPerson } from '@medplum/fhirtypes';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  buildDecisionProvenance,
  signDecisionProvenance,
  verifyDecisionProvenance,
} from '../../../src/consent/obligations/decision-provenance.js';
import type { Decision } from '../../../src/consent/types.js';
import { canonicalJsonBytes, verifyDetached, type GatewayKey } from '../../../src/crypto/index.js';
import { request } from './consent-builders.js';

const decision: Decision = {
  outcome: 'permit',
  reliedOn: ['Consent/c1/_history/2', 'Consent/c2/_history/1'],
  permitted: ['police-report'],
  remove: ['location'],
  conflicts: [],
};
const MESSAGE_URL = 'urn:uuid:5b0c3c1e-8d1f-4a57-9c1e-2f4b7a9d0e11';
const AT = new Date('2025-06-15T12:00:00Z');

async function gatewayKey(): Promise<GatewayKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-kid', alg: 'ES256' };
  return { kid: 'test-kid', alg: 'ES256', use: 'sig', privateKey, publicJwk };
}

const contact: RelatedPerson = {
  resourceType: 'RelatedPerson',
  patient: { reference: 'urn:uuid:patient' },
  telecom: [{ system: 'phone', value: '+598 99 123 456' }],
};

/** A delivery collection as the gateway builds it: the message, then the decision Provenance. */
function delivery(provenance: Provenance): Bundle {
  return {
    resourceType: 'Bundle',
    id: 'delivery-1',
    type: 'collection',
    timestamp: AT.toISOString(),
    entry: [
      {
        fullUrl: MESSAGE_URL,
        resource: {
          resourceType: 'Bundle',
          type: 'message',
          entry: [{ fullUrl: 'urn:uuid:contact', resource: contact }],
        },
      },
      { fullUrl: 'urn:uuid:provenance', resource: provenance },
    ],
  };
}

const provenanceOf = (bundle: Bundle): Provenance => {
  const resource = bundle.entry?.[1]?.resource;
  assert.equal(resource?.resourceType, 'Provenance');
  return resource;
};

describe('decision Provenance', () => {
  let key: GatewayKey;
  let signed: Bundle;
  before(async () => {
    key = await gatewayKey();
    const provenance = buildDecisionProvenance({
      decision,
      request: request(),
      targets: [{ reference: MESSAGE_URL }],
      recorded: AT,
    });
    signed = await signDecisionProvenance(delivery(provenance), key, AT);
  });

  it('records the delivered message as target, the consents, the purpose and the gateway as performer', () => {
    const provenance = provenanceOf(signed);
    assert.deepEqual(provenance.target, [{ reference: MESSAGE_URL }]);
    assert.deepEqual(provenance.policy, decision.reliedOn);
    assert.deepEqual(
      provenance.entity?.map((e) => [e.role, e.what.reference]),
      [
        ['source', 'Consent/c1/_history/2'],
        ['source', 'Consent/c2/_history/1'],
      ],
    );
    assert.equal(provenance.reason?.[0]?.coding?.[0]?.code, 'protection');
    assert.deepEqual(provenance.agent[0]?.who, { reference: 'Organization/enlace-gateway' });
    assert.match(provenance.activity?.text ?? '', /^consent-check: permit/);
  });

  it('refuses to build a Provenance without a target', () => {
    assert.throws(
      () => buildDecisionProvenance({ decision, request: request(), targets: [], recorded: AT }),
      /at least one target/,
    );
  });

  it('carries a source signature as a compact detached JWS with the gateway kid', () => {
    const signature = provenanceOf(signed).signature?.[0];
    assert.ok(signature !== undefined);
    assert.equal(signature.type[0]?.code, '1.2.840.10065.1.12.1.14');
    assert.equal(signature.sigFormat, 'application/jose');
    assert.equal(signature.targetFormat, 'application/fhir+json');
    assert.equal(signature.who.reference, 'Organization/enlace-gateway');
    const jws = Buffer.from(signature.data ?? '', 'base64').toString('utf8');
    const [header, payload] = jws.split('.');
    assert.equal(payload, '');
    assert.deepEqual(JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')), {
      alg: 'ES256',
      kid: 'test-kid',
    });
  });

  it('signs exactly the JCS of the delivered Bundle without that signature, as the README says', async () => {
    const signature = provenanceOf(signed).signature?.[0];
    const jws = Buffer.from(signature?.data ?? '', 'base64').toString('latin1');
    const unsigned = structuredClone(signed);
    delete (unsigned.entry?.[1]?.resource as Provenance).signature;
    const publicKey = createPublicKey({ key: key.publicJwk as JsonWebKey, format: 'jwk' });
    const verified = await verifyDetached(
      jws,
      canonicalJsonBytes(unsigned as never),
      () => Promise.resolve({ key: publicKey, info: undefined }),
      { algorithms: ['ES256'], now: AT },
    );
    assert.equal(verified.header.kid, 'test-kid');
  });

  it('verifies the delivery with the gateway public key', async () => {
    assert.equal(await verifyDecisionProvenance(signed, key.publicJwk), true);
    // A re-serialised copy (member order changed) verifies too: JCS is canonical.
    const reverse = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reverse)
        : typeof value === 'object' && value !== null
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([name, member]) => [name, reverse(member)]),
            )
          : value;
    const reordered = reverse(signed) as Bundle;
    assert.notEqual(JSON.stringify(reordered), JSON.stringify(signed));
    assert.equal(await verifyDecisionProvenance(reordered, key.publicJwk), true);
  });

  it('fails when the delivered content is altered, not only the Provenance', async () => {
    const altered = structuredClone(signed);
    const message = altered.entry?.[0]?.resource as Bundle;
    const person = message.entry?.[0]?.resource as RelatedPerson;
    person.telecom = [{ system: 'phone', value: '+598 99 000 000' }];
    assert.equal(await verifyDecisionProvenance(altered, key.publicJwk), false);
    const dropped = structuredClone(signed);
    (dropped.entry?.[0]?.resource as Bundle).entry = [];
    assert.equal(await verifyDecisionProvenance(dropped, key.publicJwk), false);
    const swapped = structuredClone(signed);
    const other = swapped.entry?.[0];
    assert.ok(other !== undefined);
    other.fullUrl = 'urn:uuid:00000000-0000-4000-8000-000000000000';
    assert.equal(await verifyDecisionProvenance(swapped, key.publicJwk), false);
  });

  it('fails when any field of the Provenance itself changed', async () => {
    const tampered = structuredClone(signed);
    provenanceOf(tampered).policy = ['Consent/c1/_history/2'];
    assert.equal(await verifyDecisionProvenance(tampered, key.publicJwk), false);
    const retimed = structuredClone(signed);
    provenanceOf(retimed).recorded = '2025-06-15T12:00:01.000Z';
    assert.equal(await verifyDecisionProvenance(retimed, key.publicJwk), false);
  });

  it('fails under another key', async () => {
    const other: JWK = (await gatewayKey()).publicJwk;
    assert.equal(await verifyDecisionProvenance(signed, other), false);
  });

  it('fails without a signature, with a malformed one, or with no single decision Provenance', async () => {
    const unsigned = structuredClone(signed);
    delete provenanceOf(unsigned).signature;
    assert.equal(await verifyDecisionProvenance(unsigned, key.publicJwk), false);
    const broken = structuredClone(signed);
    const signature = provenanceOf(broken).signature?.[0];
    assert.ok(signature !== undefined);
    signature.data = Buffer.from('e30.e30.e30').toString('base64');
    assert.equal(await verifyDecisionProvenance(broken, key.publicJwk), false);
    const doubled = structuredClone(signed);
    const second = structuredClone(doubled.entry?.[1]);
    assert.ok(second !== undefined);
    doubled.entry?.push(second);
    assert.equal(await verifyDecisionProvenance(doubled, key.publicJwk), false);
    await assert.rejects(
      signDecisionProvenance({ resourceType: 'Bundle', type: 'collection' }, key, AT),
      /no single decision Provenance/,
    );
  });
});
