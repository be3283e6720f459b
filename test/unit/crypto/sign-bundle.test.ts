import assert from 'node:assert/strict';
import type { Bundle, Task } from '@medplum/fhirtypes';
import {
  canonicalJson,
  signBundle,
  verifyBundleSignature,
  type JsonValue,
} from '../../../src/crypto/index.js';
import { GatewayError } from '../../../src/kernel/index.js';
import {
  NOW,
  SENDER,
  SIGNED_AT,
  assertSignatureRefused,
  makeSigner,
  recordingResolver,
  sampleBundle,
  type TestSigner,
} from './crypto-fixtures.js';

const ALGORITHMS = ['ES256', 'ES384', 'PS256', 'EdDSA'] as const;

const decodeJws = (bundle: Bundle): string =>
  Buffer.from(bundle.signature?.data ?? '', 'base64').toString('ascii');

/** Every string leaf of a JSON value, with a setter that replaces it in place. */
function stringLeaves(value: unknown, out: ((next: string) => void)[] = [], read: string[] = []) {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      if (typeof item === 'string') {
        read.push(item);
        out.push((next) => (value[index] = next));
      } else stringLeaves(item, out, read);
    });
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(record)) {
      if (typeof item === 'string') {
        read.push(item);
        out.push((next) => (record[key] = next));
      } else stringLeaves(item, out, read);
    }
  }
  return { setters: out, values: read };
}

describe('signBundle and verifyBundleSignature', () => {
  const signers = new Map<string, TestSigner>();
  before(async () => {
    for (const alg of ALGORITHMS) signers.set(alg, await makeSigner(alg));
  });
  const signerOf = (alg: string): TestSigner => {
    const found = signers.get(alg);
    assert.ok(found !== undefined);
    return found;
  };

  for (const alg of ALGORITHMS) {
    it(`verifies a Bundle signed with ${alg}`, async () => {
      const signer = signerOf(alg);
      const signed = await signBundle(sampleBundle(), signer.signer, SENDER, SIGNED_AT);
      const { resolve, requests } = recordingResolver(signer);
      const verified = await verifyBundleSignature(signed, resolve, { now: NOW });
      assert.deepEqual(verified.header, { alg, kid: signer.signer.kid });
      assert.deepEqual(verified.key, { partner: 'policia-central' });
      assert.deepEqual(verified.who, SENDER);
      assert.equal(verified.when.toISOString(), SIGNED_AT.toISOString());
      assert.deepEqual(requests, [{ alg, kid: signer.signer.kid, now: NOW }]);
    });
  }

  it('sets the FHIR Signature element: type, when, who, sigFormat and base64 data', async () => {
    const signed = await signBundle(sampleBundle(), signerOf('ES256').signer, SENDER, SIGNED_AT);
    const signature = signed.signature;
    assert.ok(signature !== undefined);
    assert.deepEqual(signature.type, [
      {
        system: 'urn:iso-astm:E1762-95:2013',
        code: '1.2.840.10065.1.12.1.1',
        display: "Author's Signature",
      },
    ]);
    assert.equal(signature.when, '2026-03-08T10:15:00.000Z');
    assert.deepEqual(signature.who, SENDER);
    assert.equal(signature.sigFormat, 'application/jose');
    assert.match(signature.data ?? '', /^[A-Za-z0-9+/]+={0,2}$/);
  });

  it('writes a compact detached JWS whose header holds only alg and kid', async () => {
    const { signer } = signerOf('ES256');
    const jws = decodeJws(await signBundle(sampleBundle(), signer, SENDER, SIGNED_AT));
    const [header, payload, signature] = jws.split('.');
    assert.equal(payload, '', 'the payload section is empty');
    assert.ok(signature !== undefined && signature.length > 0);
    assert.deepEqual(JSON.parse(Buffer.from(header ?? '', 'base64url').toString()), {
      alg: 'ES256',
      kid: signer.kid,
    });
  });

  it('names the key by x5c when the signer has a certificate chain', async () => {
    const { signer, publicKey } = signerOf('ES256');
    const chain = ['MIIBszCCAVmgAwIBAgIUQm9ndXM='];
    const signed = await signBundle(
      sampleBundle(),
      { privateKey: signer.privateKey, alg: 'ES256', x5c: chain },
      SENDER,
      SIGNED_AT,
    );
    let seen: readonly string[] | undefined;
    const verified = await verifyBundleSignature(
      signed,
      (request) => {
        seen = request.x5c;
        return Promise.resolve({ key: publicKey, info: 'certificate' });
      },
      { now: NOW },
    );
    assert.deepEqual(seen, chain);
    assert.deepEqual(verified.header, { alg: 'ES256', x5c: chain });
  });

  it('signs the JCS form of the Bundle without its signature, so member order does not matter', async () => {
    const signed = await signBundle(sampleBundle(), signerOf('ES256').signer, SENDER, SIGNED_AT);
    // The same Bundle as a partner's JSON library might write it: members in reverse order.
    const reversed = JSON.parse(
      JSON.stringify(Object.fromEntries(Object.entries(signed).reverse())),
    ) as Bundle;
    assert.notEqual(JSON.stringify(reversed), JSON.stringify(signed));
    await verifyBundleSignature(reversed, recordingResolver(signerOf('ES256')).resolve, {
      now: NOW,
    });
    const unsigned: Record<string, unknown> = { ...signed };
    delete unsigned.signature;
    assert.equal(
      canonicalJson(unsigned as JsonValue),
      canonicalJson(sampleBundle() as unknown as JsonValue),
    );
  });

  it('fails when any character of any string in the Bundle is changed', async () => {
    const signer = signerOf('ES256');
    const signed = await signBundle(sampleBundle(), signer.signer, SENDER, SIGNED_AT);
    const probe = structuredClone(signed);
    delete probe.signature;
    const count = stringLeaves(probe).values.length;
    assert.ok(count > 20, `the sample has ${count} strings`);
    for (let index = 0; index < count; index += 1) {
      const tampered = structuredClone(signed);
      const signature = tampered.signature;
      delete tampered.signature;
      const { setters, values } = stringLeaves(tampered);
      const original = values[index] ?? '';
      const position = Math.floor(original.length / 2);
      const flipped = String.fromCharCode((original.charCodeAt(position) || 0x40) ^ 1);
      setters[index]?.(`${original.slice(0, position)}${flipped}${original.slice(position + 1)}`);
      if (signature !== undefined) tampered.signature = signature;
      await assertSignatureRefused(
        verifyBundleSignature(tampered, recordingResolver(signer).resolve, { now: NOW }),
      );
    }
  });

  it('fails when a number, a member or an entry is changed, added or removed', async () => {
    const signer = signerOf('ES256');
    const signed = await signBundle(sampleBundle(), signer.signer, SENDER, SIGNED_AT);
    const edits: ((bundle: Bundle) => void)[] = [
      (b) => {
        const risk = b.entry?.[2]?.resource;
        if (risk?.resourceType === 'RiskAssessment' && risk.prediction?.[0]) {
          risk.prediction[0].probabilityDecimal = 0.84;
        }
      },
      (b) => {
        (b.entry?.[1]?.resource as Task).note = [{ text: 'added' }];
      },
      (b) => b.entry?.pop(),
      (b) => b.entry?.reverse(),
      (b) => {
        delete b.id;
      },
    ];
    for (const edit of edits) {
      const tampered = structuredClone(signed);
      edit(tampered);
      await assertSignatureRefused(
        verifyBundleSignature(tampered, recordingResolver(signer).resolve, { now: NOW }),
      );
    }
  });

  it('fails when one character of the protected header is changed', async () => {
    const signer = signerOf('ES256');
    const signed = await signBundle(sampleBundle(), signer.signer, SENDER, SIGNED_AT);
    const [header = '', , signature = ''] = decodeJws(signed).split('.');
    for (const position of [0, Math.floor(header.length / 2), header.length - 2]) {
      const character = header[position] === 'A' ? 'B' : 'A';
      const altered = `${header.slice(0, position)}${character}${header.slice(position + 1)}`;
      const tampered = structuredClone(signed);
      if (tampered.signature) {
        tampered.signature.data = Buffer.from(`${altered}..${signature}`).toString('base64');
      }
      await assertSignatureRefused(
        verifyBundleSignature(tampered, recordingResolver(signer).resolve, { now: NOW }),
      );
    }
  });

  it('fails when the signature was made by another key than the one the kid resolves to', async () => {
    const impostor = await makeSigner('ES256');
    const genuine = signerOf('ES256');
    const signed = await signBundle(
      sampleBundle(),
      { privateKey: impostor.signer.privateKey, alg: 'ES256', kid: genuine.signer.kid },
      SENDER,
      SIGNED_AT,
    );
    await assertSignatureRefused(
      verifyBundleSignature(signed, recordingResolver(genuine).resolve, { now: NOW }),
    );
  });

  it('fails when the resolver knows no key for the kid, with the reason only in cause', async () => {
    const signed = await signBundle(sampleBundle(), signerOf('ES256').signer, SENDER, SIGNED_AT);
    const resolver = recordingResolver();
    await assertSignatureRefused(verifyBundleSignature(signed, resolver.resolve, { now: NOW }));
    await verifyBundleSignature(signed, resolver.resolve, { now: NOW }).catch((err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.match((err.cause as Error).message, /no such key/);
    });
  });

  it('fails when the key type does not fit the algorithm (an EdDSA key for ES256)', async () => {
    const signed = await signBundle(sampleBundle(), signerOf('ES256').signer, SENDER, SIGNED_AT);
    const wrong = signerOf('EdDSA');
    await assertSignatureRefused(
      verifyBundleSignature(signed, () => Promise.resolve({ key: wrong.publicKey, info: 'x' }), {
        now: NOW,
      }),
    );
  });

  it('refuses the signing of a Bundle with alg none or HMAC', async () => {
    const { signer } = signerOf('ES256');
    for (const alg of ['none', 'HS256']) {
      await assert.rejects(
        signBundle(
          sampleBundle(),
          { privateKey: signer.privateKey, alg, kid: 'k' },
          SENDER,
          SIGNED_AT,
        ),
        TypeError,
      );
    }
  });
});
