import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Bundle, RiskAssessment } from '@medplum/fhirtypes';
import { base64url, exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { assertOutcome, type ExpectedOutcome } from '../../support/outcome.js';
import {
  buildReferralBundle,
  createReferralNetwork,
  encryptMessage,
  signReferral,
  type ReferralNetwork,
  type ReferralOptions,
} from './referral-fixtures.js';
import { auditSince, countRows } from './submission-counts.js';

const submit = (net: ReferralNetwork, body: string, type = 'application/jose') =>
  request(net.app)
    .post('/fhir/$process-message')
    .set('Authorization', 'Bearer police-central')
    .set('Content-Type', type)
    .send(body);

/** Replaces the character in the middle of `text` by another base64url character. */
function flipMiddle(text: string): string {
  const at = Math.floor(text.length / 2);
  const replacement = text[at] === 'A' ? 'B' : 'A';
  return `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`;
}

function withJwePart(jwe: string, index: number): string {
  const parts = jwe.split('.');
  parts[index] = flipMiddle(parts[index] ?? '');
  return parts.join('.');
}

/** A compact JWE whose protected header is `header`; the other parts are well-formed filler. */
const craftedJwe = (header: Record<string, unknown>): string =>
  [
    base64url.encode(JSON.stringify(header)),
    base64url.encode(new Uint8Array(40)),
    base64url.encode(new Uint8Array(12)),
    base64url.encode(new Uint8Array(64)),
    base64url.encode(new Uint8Array(16)),
  ].join('.');

/** The Signature.data of a signed Bundle, with its compact JWS rewritten. */
function withJws(bundle: Bundle, rewrite: (jws: string) => string): Bundle {
  const signature = bundle.signature;
  if (signature?.data === undefined) throw new Error('unsigned');
  const jws = Buffer.from(signature.data, 'base64').toString('latin1');
  return {
    ...bundle,
    signature: { ...signature, data: Buffer.from(rewrite(jws), 'latin1').toString('base64') },
  };
}

describe('refusals of $process-message', () => {
  let net: ReferralNetwork;
  let survivor: string;

  before(async () => {
    net = await createReferralNetwork();
    survivor = `S-${randomUUID()}`;
    await net.recordConsent(survivor);
  });
  after(() => net.dispose());

  /** Sends, checks the outcome, and checks nothing but the refusal's audit record was written. */
  async function expectRefusal(
    body: string | Promise<string>,
    expected: ExpectedOutcome,
    options: { readonly type?: string; readonly audits?: number } = {},
  ): Promise<void> {
    const before = await countRows(net.store);
    const res = await submit(net, await body, options.type);
    assertOutcome(res, expected);
    const after = await countRows(net.store);
    assert.deepEqual(
      { ...after, audit: 0 },
      { ...before, audit: 0 },
      'no referral, delivery or disclosure row',
    );
    const events = await auditSince(net.store, before.audit);
    assert.equal(events.length, options.audits ?? 1, 'only the refusal is audited');
    const refusal = events.at(-1);
    assert.equal(refusal?.outcome, '4');
    assert.equal(refusal.subtype?.[0]?.code, 'operation');
    assert.match(refusal.outcomeDesc ?? '', new RegExp(expected.code));
  }

  const signed = (overrides: Partial<ReferralOptions> = {}) =>
    signReferral(
      buildReferralBundle({
        sender: 'police-central',
        recipient: 'casa-refugio',
        survivorId: survivor,
        ...overrides,
      }),
      net.police,
    );

  const sealed = async (bundle: Partial<Bundle> | Promise<Bundle>): Promise<string> =>
    encryptMessage(await bundle, net.gatewayKey);

  const signatureInvalid = { status: 400, issue: 'security', code: 'ENLACE_SIGNATURE_INVALID' };

  it('refuses a message changed by one byte after signing', async () => {
    const bundle = await signed();
    const risk = bundle.entry?.[5]?.resource as RiskAssessment;
    risk.occurrenceDateTime = '2025-03-12T11:46:00Z';
    await expectRefusal(sealed(bundle), signatureInvalid);
  });

  it('refuses a signature whose protected header was changed by one byte', async () => {
    const bundle = withJws(await signed(), (jws) => {
      const [header = '', , signature = ''] = jws.split('.');
      return `${flipMiddle(header)}..${signature}`;
    });
    await expectRefusal(sealed(bundle), signatureInvalid);
  });

  it('refuses a valid signature by another partner, with the same answer', async () => {
    const bundle = signReferral(
      buildReferralBundle({
        sender: 'police-central',
        recipient: 'casa-refugio',
        survivorId: survivor,
      }),
      net.shelter,
    );
    await expectRefusal(sealed(bundle), signatureInvalid);
  });

  it('refuses an inner JWS with alg none', async () => {
    const bundle = withJws(await signed(), (jws) => {
      const header = base64url.encode(JSON.stringify({ alg: 'none', kid: 'police-central-sig-1' }));
      return `${header}..${jws.split('.')[2] ?? ''}`;
    });
    await expectRefusal(sealed(bundle), signatureInvalid);
  });

  it('refuses a header naming another sender than the caller', async () => {
    const bundle = signReferral(
      buildReferralBundle({
        sender: 'casa-refugio',
        recipient: 'police-central',
        survivorId: survivor,
      }),
      net.shelter,
    );
    await expectRefusal(sealed(bundle), {
      status: 403,
      issue: 'forbidden',
      code: 'ENLACE_SENDER_MISMATCH',
    });
  });

  it("refuses a JWE encrypted to a key that is not the gateway's", async () => {
    const { publicKey } = await generateKeyPair('ECDH-ES+A256KW', {
      crv: 'P-256',
      extractable: true,
    });
    const jwe = encryptMessage(await signed(), await exportJWK(publicKey), { withKid: false });
    await expectRefusal(jwe, { status: 400, issue: 'security', code: 'ENLACE_DECRYPTION_FAILED' });
  });

  for (const [part, index] of [
    ['encrypted key', 1],
    ['iv', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ] as const) {
    it(`answers one generic failure for a JWE with a tampered ${part}`, async () => {
      const jwe = withJwePart(await sealed(signed()), index);
      await expectRefusal(jwe, {
        status: 400,
        issue: 'security',
        code: 'ENLACE_DECRYPTION_FAILED',
      });
    });
  }

  it('refuses a compressed (zip) JWE before any key is used', async () => {
    const epk = await exportJWK(
      (await generateKeyPair('ECDH-ES', { extractable: true })).publicKey,
    );
    const jwe = craftedJwe({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', zip: 'DEF', epk });
    await expectRefusal(jwe, {
      status: 400,
      issue: 'not-supported',
      code: 'ENLACE_JWE_UNSUPPORTED',
    });
  });

  it('refuses a JWE with a forbidden key management algorithm', async () => {
    const jwe = craftedJwe({ alg: 'RSA1_5', enc: 'A256GCM' });
    await expectRefusal(jwe, {
      status: 400,
      issue: 'not-supported',
      code: 'ENLACE_JWE_UNSUPPORTED',
    });
  });

  it('refuses a Bundle that is not a message', async () => {
    const bundle = { ...(await signed()), type: 'collection' };
    await expectRefusal(sealed(bundle as Bundle), {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_MESSAGE_INVALID',
    });
  });

  it('refuses a message whose first entry is not a MessageHeader', async () => {
    const bundle = await signed();
    const entries = [...(bundle.entry ?? [])];
    await expectRefusal(sealed({ ...bundle, entry: entries.slice(1) }), {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_MESSAGE_INVALID',
    });
  });

  it('refuses a message that does not conform to the profile, one issue per problem', async () => {
    const bundle: Partial<Bundle> = await signed();
    delete bundle.timestamp;
    await expectRefusal(sealed(bundle), {
      status: 422,
      issue: 'required',
      code: 'ENLACE_PROFILE_INVALID',
    });
  });

  it('refuses a referral to a role the network policy forbids (police to court)', async () => {
    const bundle = signed({ recipient: 'juzgado-familia' });
    await expectRefusal(sealed(bundle), {
      status: 403,
      issue: 'forbidden',
      code: 'ENLACE_ROUTE_FORBIDDEN',
    });
  });

  it('refuses a referral no consent of hers permits, keeping the decision on record', async () => {
    const bundle = signed({ survivorId: `S-${randomUUID()}` });
    await expectRefusal(
      sealed(bundle),
      { status: 403, issue: 'forbidden', code: 'ENLACE_CONSENT_DENIED' },
      { audits: 2 },
    );
  });

  it('refuses an event this gateway has no handler for', async () => {
    const bundle = buildReferralBundle({
      sender: 'police-central',
      recipient: 'casa-refugio',
      survivorId: survivor,
    });
    const header = bundle.entry?.[0]?.resource;
    if (header?.resourceType !== 'MessageHeader' || header.eventCoding === undefined) {
      throw new Error('fixture');
    }
    header.eventCoding.code = 'consent-revoked';
    await expectRefusal(sealed(signReferral(bundle, net.police)), {
      status: 400,
      issue: 'not-supported',
      code: 'ENLACE_MESSAGE_EVENT_UNSUPPORTED',
    });
  });

  it('refuses a resubmission of the identifier with changed content (409)', async () => {
    const messageId = randomUUID();
    await submit(net, await sealed(signed({ messageId }))).expect(200);
    await expectRefusal(sealed(signed({ messageId, purpose: 'protection' })), {
      status: 409,
      issue: 'conflict',
      code: 'ENLACE_MESSAGE_CONFLICT',
    });
  });
});

describe('plain (unencrypted) submissions', () => {
  // application/json is FHIR JSON here as on every FHIR route (README, "The API's conventions").
  for (const type of ['application/fhir+json', 'application/json']) {
    it(`as ${type} are refused in a gateway configured to take only application/jose`, async () => {
      const net = await createReferralNetwork({
        env: { ENLACE_ALLOW_PLAIN_SUBMISSIONS: 'false' },
      });
      try {
        const bundle = await signReferral(
          buildReferralBundle({ sender: 'police-central', recipient: 'casa-refugio' }),
          net.police,
        );
        const res = await submit(net, JSON.stringify(bundle), type);
        assertOutcome(res, {
          status: 415,
          issue: 'not-supported',
          code: 'ENLACE_PLAIN_SUBMISSION_REFUSED',
        });
        assert.equal((await countRows(net.store)).referral, 0);
      } finally {
        await net.dispose();
      }
    });

    it(`as ${type} are accepted in development when signed and consented`, async () => {
      const net = await createReferralNetwork();
      try {
        const survivor = `S-${randomUUID()}`;
        await net.recordConsent(survivor);
        const bundle = await signReferral(
          buildReferralBundle({
            sender: 'police-central',
            recipient: 'casa-refugio',
            survivorId: survivor,
          }),
          net.police,
        );
        const res = await submit(net, JSON.stringify(bundle), type).expect(200);
        assert.equal((res.body as Bundle).type, 'message');
        assert.equal((await countRows(net.store)).referral, 1);
      } finally {
        await net.dispose();
      }
    });
  }

  it('refuses another media type with 415 and names the three it takes', async () => {
    const net = await createReferralNetwork();
    try {
      const res = await submit(net, '{}', 'text/plain');
      assertOutcome(res, {
        status: 415,
        issue: 'not-supported',
        code: 'ENLACE_UNSUPPORTED_MEDIA_TYPE',
      });
      assert.match(
        JSON.stringify(res.body),
        /application\/jose, application\/fhir\+json, application\/json/,
      );
    } finally {
      await net.dispose();
    }
  });
});
