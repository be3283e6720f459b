import assert from 'node:assert/strict';
import type { Provenance } from '@medplum/fhirtypes';
import {
  buildJoseSignature,
  canonicalJsonBytes,
  readJoseSignature,
  signDetached,
  verifyDetached,
  type JsonValue,
} from '../../../src/crypto/index.js';
import { NOW, SIGNED_AT, makeSigner, recordingResolver } from './crypto-fixtures.js';

const SOURCE_SIGNATURE = {
  system: 'urn:iso-astm:E1762-95:2013',
  code: '1.2.840.10065.1.12.1.8',
  display: 'Source Signature',
};

/** The Provenance as the consent decision record signs it: without signature, id and meta. */
const signedBytes = (provenance: Provenance): Uint8Array => {
  const content: Record<string, unknown> = { ...provenance };
  delete content.signature;
  delete content.id;
  delete content.meta;
  return canonicalJsonBytes(content as JsonValue);
};

describe('signDetached and verifyDetached on any resource (e.g. a consent Provenance)', () => {
  it('signs, carries in a Signature with another type and targetFormat, and verifies', async () => {
    const gateway = await makeSigner('ES256');
    const provenance: Provenance = {
      resourceType: 'Provenance',
      target: [{ reference: 'Task/t1' }],
      recorded: SIGNED_AT.toISOString(),
      agent: [{ who: { reference: 'Device/enlace-gateway' } }],
    };
    const jws = await signDetached(signedBytes(provenance), gateway.signer);
    const signature = buildJoseSignature(jws, { reference: 'Device/enlace-gateway' }, SIGNED_AT, {
      type: [SOURCE_SIGNATURE],
      targetFormat: 'application/fhir+json',
    });
    assert.deepEqual(signature.type, [SOURCE_SIGNATURE]);
    assert.equal(signature.targetFormat, 'application/fhir+json');
    const stored: Provenance = { ...provenance, id: 'p1', signature: [signature] };
    const verified = await verifyDetached(
      readJoseSignature(stored.signature?.[0]),
      signedBytes(stored),
      recordingResolver(gateway).resolve,
      { now: NOW, algorithms: ['ES256'] },
    );
    assert.deepEqual(verified.header, { alg: 'ES256', kid: gateway.signer.kid });
    await assert.rejects(
      verifyDetached(
        readJoseSignature(signature),
        signedBytes({ ...stored, recorded: NOW.toISOString() }),
        recordingResolver(gateway).resolve,
        { now: NOW },
      ),
      { code: 'ENLACE_SIGNATURE_INVALID', message: 'signature verification failed' },
    );
  });
});
