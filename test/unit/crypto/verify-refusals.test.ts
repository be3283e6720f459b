import assert from 'node:assert/strict';
import type { Bundle } from '@medplum/fhirtypes';
import { GatewayError } from '../../../src/kernel/index.js';
import {
  signBundle,
  unsignedBundleBytes,
  verifyBundleSignature,
} from '../../../src/crypto/index.js';
import {
  NOW,
  SENDER,
  SIGNED_AT,
  assertSignatureRefused,
  craftDetached,
  makeSigner,
  recordingResolver,
  sampleBundle,
  withSignatureData,
  type TestSigner,
} from './crypto-fixtures.js';

describe('verifyBundleSignature refusals', () => {
  let signer: TestSigner;
  before(async () => {
    signer = await makeSigner('ES256');
  });

  /** A Bundle carrying a detached JWS with `header`, really signed by the test key. */
  const bundleWithHeader = (header: Readonly<Record<string, unknown>>): Bundle => {
    const bundle = sampleBundle();
    return withSignatureData(
      bundle,
      craftDetached(header, unsignedBundleBytes(bundle), signer.signer.privateKey),
    );
  };

  /** Refused with the uniform error, and the key resolver was never asked. */
  const assertRefusedBeforeLookup = async (bundle: Bundle): Promise<void> => {
    const resolver = recordingResolver(signer);
    await assertSignatureRefused(verifyBundleSignature(bundle, resolver.resolve, { now: NOW }));
    assert.deepEqual(resolver.requests, [], 'the key resolver was not asked');
  };

  it('accepts a crafted header that is correct, so the refusals below are the header alone', async () => {
    const bundle = bundleWithHeader({ alg: 'ES256', kid: signer.signer.kid });
    const verified = await verifyBundleSignature(bundle, recordingResolver(signer).resolve, {
      now: NOW,
    });
    assert.equal(verified.header.alg, 'ES256');
  });

  for (const alg of ['none', 'NONE', 'None', ' none']) {
    it(`refuses alg ${JSON.stringify(alg)} before any key lookup`, async () => {
      await assertRefusedBeforeLookup(bundleWithHeader({ alg, kid: signer.signer.kid }));
      const bundle = sampleBundle();
      const unsigned = `${Buffer.from(JSON.stringify({ alg, kid: signer.signer.kid })).toString('base64url')}..`;
      await assertRefusedBeforeLookup(withSignatureData(bundle, unsigned));
    });
  }

  for (const alg of ['HS256', 'HS384', 'HS512']) {
    it(`refuses HMAC ${alg} even when the allow-list names it`, async () => {
      const resolver = recordingResolver(signer);
      await assertSignatureRefused(
        verifyBundleSignature(bundleWithHeader({ alg, kid: signer.signer.kid }), resolver.resolve, {
          now: NOW,
          algorithms: [alg, 'ES256'],
        }),
      );
      assert.deepEqual(resolver.requests, []);
    });
  }

  it('refuses an algorithm outside the allow-list', async () => {
    const resolver = recordingResolver(signer);
    await assertSignatureRefused(
      verifyBundleSignature(
        bundleWithHeader({ alg: 'ES256', kid: signer.signer.kid }),
        resolver.resolve,
        {
          now: NOW,
          algorithms: ['PS256'],
        },
      ),
    );
    assert.deepEqual(resolver.requests, []);
  });

  it('refuses RS256 and ES512, which the default allow-list does not name', async () => {
    for (const alg of ['RS256', 'ES512']) {
      await assertRefusedBeforeLookup(bundleWithHeader({ alg, kid: signer.signer.kid }));
    }
  });

  it('refuses a crit header, whatever it names', async () => {
    await assertRefusedBeforeLookup(
      bundleWithHeader({ alg: 'ES256', kid: signer.signer.kid, crit: ['exp'], exp: 1 }),
    );
    await assertRefusedBeforeLookup(
      bundleWithHeader({ alg: 'ES256', kid: signer.signer.kid, crit: [] }),
    );
  });

  it('refuses b64 in any value (unencoded payloads)', async () => {
    for (const b64 of [false, true]) {
      await assertRefusedBeforeLookup(
        bundleWithHeader({ alg: 'ES256', kid: signer.signer.kid, b64, crit: ['b64'] }),
      );
      await assertRefusedBeforeLookup(
        bundleWithHeader({ alg: 'ES256', kid: signer.signer.kid, b64 }),
      );
    }
  });

  it('refuses embedded jwk, jku and x5u instead of using them as key sources', async () => {
    const { kid } = signer.signer;
    await assertRefusedBeforeLookup(bundleWithHeader({ alg: 'ES256', kid, jwk: signer.publicJwk }));
    await assertRefusedBeforeLookup(
      bundleWithHeader({ alg: 'ES256', kid, jku: 'https://evil.example/jwks' }),
    );
    await assertRefusedBeforeLookup(
      bundleWithHeader({ alg: 'ES256', kid, x5u: 'https://evil.example/cert' }),
    );
  });

  it('refuses a header that names no key, or names it badly', async () => {
    await assertRefusedBeforeLookup(bundleWithHeader({ alg: 'ES256' }));
    await assertRefusedBeforeLookup(bundleWithHeader({ alg: 'ES256', kid: 42 }));
    await assertRefusedBeforeLookup(bundleWithHeader({ alg: 'ES256', x5c: [] }));
    await assertRefusedBeforeLookup(bundleWithHeader({ alg: 'ES256', x5c: ['not base64!'] }));
  });

  it('refuses a header with a duplicate member name', async () => {
    const bundle = sampleBundle();
    const header = Buffer.from(
      `{"alg":"ES256","kid":"${signer.signer.kid}","alg":"none"}`,
    ).toString('base64url');
    await assertRefusedBeforeLookup(withSignatureData(bundle, `${header}..AAAA`));
  });

  it('refuses an attached payload, even the right one', async () => {
    const bundle = sampleBundle();
    const detached = craftDetached(
      { alg: 'ES256', kid: signer.signer.kid },
      unsignedBundleBytes(bundle),
      signer.signer.privateKey,
    );
    const [header, , signature] = detached.split('.');
    const payload = Buffer.from(unsignedBundleBytes(bundle)).toString('base64url');
    await assertRefusedBeforeLookup(
      withSignatureData(bundle, `${header ?? ''}.${payload}.${signature ?? ''}`),
    );
  });

  it('refuses data that is not a compact detached JWS', async () => {
    for (const data of ['', 'abc', 'a.b', 'a..b..c', 'a..', '..b', 'a..b c', '{"protected":"a"}']) {
      await assertRefusedBeforeLookup(withSignatureData(sampleBundle(), data));
    }
  });

  it('refuses signature data that is not strict base64', async () => {
    const signed = await signBundle(sampleBundle(), signer.signer, SENDER, SIGNED_AT);
    const data = signed.signature?.data ?? '';
    for (const bad of [
      `${data}!`,
      data.replace(/=+$/, ''),
      ` ${data}`,
      data.replaceAll('+', '-'),
    ]) {
      if (bad === data) continue;
      const tampered = structuredClone(signed);
      if (tampered.signature) tampered.signature.data = bad;
      await assertRefusedBeforeLookup(tampered);
    }
  });

  it('refuses a Bundle with no signature, another sigFormat, or no who', async () => {
    const signed = await signBundle(sampleBundle(), signer.signer, SENDER, SIGNED_AT);
    await assertRefusedBeforeLookup(sampleBundle());
    const xml = structuredClone(signed);
    if (xml.signature) xml.signature.sigFormat = 'application/signature+xml';
    await assertRefusedBeforeLookup(xml);
    const anonymous = structuredClone(signed) as unknown as { signature: Record<string, unknown> };
    delete anonymous.signature.who;
    await assertRefusedBeforeLookup(anonymous as unknown as Bundle);
  });

  it('refuses a signature dated beyond the clock skew, and accepts one within it', async () => {
    const later = new Date(NOW.getTime() + 61_000);
    const future = await signBundle(sampleBundle(), signer.signer, SENDER, later);
    await assertRefusedBeforeLookup(future);
    const soon = await signBundle(
      sampleBundle(),
      signer.signer,
      SENDER,
      new Date(NOW.getTime() + 30_000),
    );
    await verifyBundleSignature(soon, recordingResolver(signer).resolve, { now: NOW });
  });

  it('lets a resolver failure that is the gateway’s own (5xx) pass through unchanged', async () => {
    const signed = await signBundle(sampleBundle(), signer.signer, SENDER, SIGNED_AT);
    const outage = new GatewayError('ENLACE_INTERNAL', 'database unavailable');
    await assert.rejects(
      verifyBundleSignature(signed, () => Promise.reject(outage), { now: NOW }),
      (err) => err === outage,
    );
  });

  it('answers a revoked or unknown key with the same error, the reason in cause', async () => {
    const signed = await signBundle(sampleBundle(), signer.signer, SENDER, SIGNED_AT);
    const revoked = new GatewayError('ENLACE_CERTIFICATE_INVALID', 'certificate revoked');
    await assertSignatureRefused(
      verifyBundleSignature(signed, () => Promise.reject(revoked), { now: NOW }),
    );
    await verifyBundleSignature(signed, () => Promise.reject(revoked), { now: NOW }).catch(
      (err: unknown) => {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.cause, revoked);
      },
    );
  });
});
