// Test helpers for crypto: in-memory keys, a sample message Bundle, a recording key resolver, crafted JWS.
import assert from 'node:assert/strict';
import { KeyObject, sign as nodeSign } from 'node:crypto';
import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { Bundle, Organization, Reference } from '@medplum/fhirtypes';
import type {
  GatewayKey,
  GatewayKeys,
  JoseSigner,
  SignatureKeyRequest,
  SignatureKeyResolver,
} from '../../../src/crypto/index.js';
import { GatewayError } from '../../../src/kernel/index.js';

export const SENDER: Reference<Organization> = { reference: 'Organization/policia-central' };
export const SIGNED_AT = new Date('2026-03-08T10:15:00.000Z');
export const NOW = new Date('2026-03-08T10:15:30.000Z');

export interface TestSigner {
  readonly signer: JoseSigner & { readonly privateKey: CryptoKey; readonly kid: string };
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** A fresh key pair for `alg`, named by its thumbprint. */
export async function makeSigner(alg: string): Promise<TestSigner> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { signer: { privateKey, alg, kid }, publicKey, publicJwk: { ...publicJwk, kid } };
}

export interface RecordingResolver {
  readonly resolve: SignatureKeyResolver<{ readonly partner: string }>;
  readonly requests: SignatureKeyRequest[];
}

/** Resolves the given signers' keys by kid, and remembers every request it was asked. */
export function recordingResolver(...signers: readonly TestSigner[]): RecordingResolver {
  const requests: SignatureKeyRequest[] = [];
  return {
    requests,
    resolve: (request) => {
      requests.push(request);
      const found = signers.find((entry) => entry.signer.kid === request.kid);
      if (found === undefined) return Promise.reject(new Error('no such key'));
      return Promise.resolve({ key: found.publicKey, info: { partner: 'policia-central' } });
    },
  };
}

/** A small BSeR-shaped referral message with accents, numbers and nesting worth canonicalising. */
export function sampleBundle(): Bundle {
  return {
    resourceType: 'Bundle',
    id: 'msg-0001',
    type: 'message',
    identifier: {
      system: 'urn:ietf:rfc:3986',
      value: 'urn:uuid:0b8a0c1e-6f5d-4d0e-9a51-2b3f2a4c9d10',
    },
    timestamp: '2026-03-08T10:14:00Z',
    entry: [
      {
        fullUrl: 'urn:uuid:5c1d8e2a-0000-4000-8000-000000000001',
        resource: {
          resourceType: 'MessageHeader',
          eventCoding: {
            system: 'http://hl7.org/fhir/us/bser/CodeSystem/bser-event',
            code: 'referral-request',
          },
          source: { endpoint: 'https://policia.example/fhir' },
          destination: [{ endpoint: 'https://refugio.example/fhir' }],
          sender: { reference: 'Organization/policia-central' },
          focus: [{ reference: 'urn:uuid:5c1d8e2a-0000-4000-8000-000000000002' }],
        },
      },
      {
        fullUrl: 'urn:uuid:5c1d8e2a-0000-4000-8000-000000000002',
        resource: {
          resourceType: 'Task',
          status: 'requested',
          intent: 'order',
          priority: 'urgent',
          description: 'Derivación urgente: acompañamiento y albergue — riesgo alto',
        },
      },
      {
        fullUrl: 'urn:uuid:5c1d8e2a-0000-4000-8000-000000000003',
        resource: {
          resourceType: 'RiskAssessment',
          status: 'final',
          subject: { reference: 'urn:uuid:5c1d8e2a-0000-4000-8000-000000000004' },
          prediction: [{ probabilityDecimal: 0.85, qualitativeRisk: { text: 'alto' } }],
        },
      },
    ],
  };
}

/** The gateway's three keys, made in memory the way gateway-keys.ts makes them on disk. */
export async function memoryGatewayKeys(): Promise<GatewayKeys> {
  const signing = await memoryKey('ES256', 'sig');
  const encP256 = await memoryKey('ECDH-ES+A256KW', 'enc', 'P-256');
  const encX25519 = await memoryKey('ECDH-ES+A256KW', 'enc', 'X25519');
  return { signing, encryption: [encP256, encX25519] };
}

async function memoryKey(alg: string, use: 'sig' | 'enc', crv?: string): Promise<GatewayKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, crv === undefined ? {} : { crv });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, use, privateKey, publicJwk: { ...jwk, kid, alg, use } };
}

/** Decodes a JWS/JWE protected header for a test to inspect. */
export const decodeHeader = (encoded: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(encoded ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** Encodes a JSON header as a JWS/JWE protected header. */
export const encodeHeader = (header: Readonly<Record<string, unknown>>): string =>
  base64url.encode(JSON.stringify(header));

/**
 * A detached JWS with any header, signed ES256 over `<header>.<payload>` by node:crypto, so tests
 * can send headers jose itself would refuse to produce. Without a key the signature is filler.
 */
export function craftDetached(
  header: Readonly<Record<string, unknown>>,
  payload: Uint8Array,
  privateKey?: CryptoKey,
): string {
  const encoded = encodeHeader(header);
  if (privateKey === undefined) return `${encoded}..${base64url.encode(new Uint8Array(64))}`;
  const input = `${encoded}.${base64url.encode(payload)}`;
  const signature = nodeSign('sha256', Buffer.from(input), {
    key: KeyObject.from(privateKey),
    dsaEncoding: 'ieee-p1363',
  });
  return `${encoded}..${base64url.encode(signature)}`;
}

/** The Bundle with its signature data replaced by base64 of `jws`. */
export function withSignatureData(bundle: Bundle, jws: string): Bundle {
  return {
    ...bundle,
    signature: {
      type: [{ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1' }],
      when: SIGNED_AT.toISOString(),
      who: SENDER,
      sigFormat: 'application/jose',
      data: Buffer.from(jws, 'ascii').toString('base64'),
    },
  };
}

/** Changes the first character of a base64url text to another one, altering its first byte. */
export const flipFirst = (text: string): string =>
  `${text.startsWith('A') ? 'B' : 'A'}${text.slice(1)}`;

/** Asserts the one uniform refusal: code, status, issue and message, whatever failed. */
export async function assertSignatureRefused(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.code, 'ENLACE_SIGNATURE_INVALID');
    assert.equal(err.status, 400);
    assert.equal(err.issue, 'security');
    assert.equal(err.message, 'signature verification failed');
    assert.deepEqual(err.expression, ['Bundle.signature']);
    return true;
  });
}
