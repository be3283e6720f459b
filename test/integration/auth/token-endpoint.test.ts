import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  jwtVerify,
} from 'jose';
import request from 'supertest';
import { CLIENT_ID_SYSTEM } from '../../../src/auth/index.js';
import {
  signAssertion,
  startAuthHarness,
  tokenForm,
  unsignedAssertion,
  TOKEN_PATH,
  type AuthHarness,
  type TestClient,
} from './auth-harness.js';
import { expectAssertionRefused, expectRefusal, postToken } from './expect-refusal.js';

describe('token endpoint (SMART Backend Services)', () => {
  let harness: AuthHarness;
  let police: TestClient;
  let partnerCount = 0;
  const newPartner = (): string => `partner-${String((partnerCount += 1))}`;

  before(async () => {
    harness = await startAuthHarness();
    police = await harness.registerClient(newPartner());
  });

  after(async () => {
    await harness.dispose();
  });

  describe('issuing a token', () => {
    it('answers an RFC 9068 access token narrowed to the role ceiling, and audits it', async () => {
      const assertion = await signAssertion(harness, police);
      const answer = await postToken(
        harness,
        tokenForm(assertion, { scope: 'system/Task.cruds system/Bundle.c system/Patient.r' }),
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.equal(answer.headers.pragma, 'no-cache');
      assert.equal(answer.body.token_type, 'Bearer');
      assert.equal(answer.body.expires_in, 300);
      assert.equal(answer.body.scope, 'system/Bundle.c system/Task.rus');
      const token = String(answer.body.access_token);
      const header = decodeProtectedHeader(token);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(header.alg, 'ES256');
      assert.equal(header.kid, harness.keys.signing.kid);
      const { payload } = await jwtVerify(
        token,
        await importJWK(harness.keys.signing.publicJwk, 'ES256'),
        {
          currentDate: harness.now(),
        },
      );
      assert.equal(payload.iss, harness.url);
      assert.equal(payload.aud, `${harness.url}/fhir`);
      assert.equal(payload.sub, police.clientId);
      assert.equal(payload.client_id, police.clientId);
      assert.equal(payload.organization, `Organization/${police.partnerId}`);
      assert.equal(payload.role, 'police');
      assert.equal(payload.scope, 'system/Bundle.c system/Task.rus');
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
      assert.equal(typeof payload.jti, 'string');

      assert.equal(answer.audit.length, 1);
      const [event] = answer.audit;
      assert.equal(event?.outcome, '0');
      assert.equal(event.subtype?.[0]?.code, 'ITI-71');
      assert.deepEqual(event.agent[0]?.who?.identifier, {
        system: CLIENT_ID_SYSTEM,
        value: police.clientId,
      });
      assert.equal(event.entity?.[0]?.what?.reference, `Organization/${police.partnerId}`);
      assert.equal(event.entity[1]?.what?.identifier?.value, payload.jti);
      const text = JSON.stringify(event);
      assert.equal(text.includes(token), false, 'the token is not audited');
      assert.equal(text.includes(assertion), false, 'the assertion is not audited');
    });

    it('accepts a client_id parameter that names the assertion issuer', async () => {
      const answer = await postToken(
        harness,
        tokenForm(await signAssertion(harness, police), { client_id: police.clientId }),
      );
      assert.equal(answer.status, 200);
    });

    it('accepts v1 scope syntax and grants it in v2 syntax', async () => {
      const answer = await postToken(
        harness,
        tokenForm(await signAssertion(harness, police), { scope: 'system/Task.read' }),
      );
      assert.equal(answer.status, 200);
      assert.equal(answer.body.scope, 'system/Task.rs');
    });

    it('tolerates partner clocks within the configured skew', async () => {
      const now = Math.floor(harness.now().getTime() / 1000);
      const assertion = await signAssertion(harness, police, {
        claims: { iat: now + 20, nbf: now + 20, exp: now + 300 + 20 },
      });
      assert.equal((await postToken(harness, tokenForm(assertion))).status, 200);
    });

    for (const alg of ['ES384', 'PS256', 'RS384', 'EdDSA'] as const) {
      it(`verifies a ${alg} assertion from a client allowed ${alg}`, async () => {
        const client = await harness.registerClient(newPartner(), { alg });
        const answer = await postToken(harness, tokenForm(await signAssertion(harness, client)));
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
      });
    }
  });

  describe('refusing the request itself', () => {
    it('refuses a grant type other than client_credentials', async () => {
      const answer = await postToken(
        harness,
        tokenForm(await signAssertion(harness, police), { grant_type: 'password' }),
      );
      expectRefusal(answer, {
        status: 400,
        error: 'unsupported_grant_type',
        code: 'ENLACE_GRANT_TYPE_UNSUPPORTED',
      });
    });

    for (const name of ['grant_type', 'client_assertion_type', 'client_assertion']) {
      it(`refuses a request without ${name}`, async () => {
        const answer = await postToken(
          harness,
          tokenForm(await signAssertion(harness, police), { [name]: undefined }),
        );
        expectRefusal(answer, {
          status: 400,
          error: 'invalid_request',
          code: 'ENLACE_TOKEN_REQUEST_INVALID',
        });
      });
    }

    it('refuses a repeated parameter before reading the assertion', async () => {
      const assertion = await signAssertion(harness, police);
      const body = `${new URLSearchParams(tokenForm(assertion)).toString()}&scope=system%2FTask.r`;
      const res = await request(harness.url)
        .post(TOKEN_PATH)
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(body);
      assert.equal(res.status, 400);
      assert.equal((res.body as { error?: string }).error, 'invalid_request');
    });

    it('refuses a client assertion type other than jwt-bearer', async () => {
      const answer = await postToken(
        harness,
        tokenForm(await signAssertion(harness, police), {
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
        }),
      );
      expectRefusal(answer, {
        status: 401,
        error: 'invalid_client',
        code: 'ENLACE_CLIENT_AUTH_FAILED',
      });
    });

    it('refuses a request without scope as invalid_scope', async () => {
      const answer = await postToken(
        harness,
        tokenForm(await signAssertion(harness, police), { scope: undefined }),
      );
      expectRefusal(answer, { status: 400, error: 'invalid_scope', code: 'ENLACE_SCOPE_INVALID' });
    });

    it('refuses scopes of which nothing may be granted to the role', async () => {
      const answer = await postToken(
        harness,
        tokenForm(await signAssertion(harness, police), {
          scope: 'system/AuditEvent.rs system/Consent.d patient/Task.rs',
        }),
      );
      const event = expectRefusal(answer, {
        status: 400,
        error: 'invalid_scope',
        code: 'ENLACE_SCOPE_INVALID',
      });
      assert.equal(event.entity?.[0]?.what?.reference, `Organization/${police.partnerId}`);
    });
  });

  describe('refusing the client assertion', () => {
    for (const alg of ['none', 'NONE', 'None']) {
      it(`refuses alg ${alg}`, async () => {
        await expectAssertionRefused(
          harness,
          unsignedAssertion(harness, police, alg),
          undefined,
          /alg not allowed/,
        );
      });
    }

    it('refuses HS256 keyed with the partner public key bytes', async () => {
      const client = await harness.registerClient(newPartner());
      const spki = await exportSPKI(
        (await importJWK(client.publicJwk, 'ES256')) as Parameters<typeof exportSPKI>[0],
      );
      for (const secret of [spki, JSON.stringify(client.publicJwk)]) {
        await expectAssertionRefused(
          harness,
          await signAssertion(harness, client, {
            alg: 'HS256',
            key: new TextEncoder().encode(secret),
          }),
          undefined,
          /alg not allowed/,
        );
      }
    });

    it('refuses ES512 even when the client registration allows it', async () => {
      const client = await harness.registerClient(newPartner(), { alg: 'ES512' });
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, client),
        undefined,
        /alg not allowed/,
      );
    });

    it('refuses RS256, outside the gateway allow-list', async () => {
      const client = await harness.registerClient(newPartner(), { alg: 'RS256' });
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, client),
        undefined,
        /alg not allowed/,
      );
    });

    it("refuses an allowed algorithm the client's registration does not allow", async () => {
      const client = await harness.registerClient(newPartner(), {
        alg: 'ES256',
        allowedAlgorithms: ['PS256'],
      });
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, client),
        undefined,
        /alg not allowed/,
      );
    });

    it('accepts an aud equal to the issuer identifier, as an unmodified OAuth library sends it', async () => {
      const issuer = (
        (await request(harness.url).get('/fhir/.well-known/smart-configuration')).body as {
          issuer: string;
        }
      ).issuer;
      const answer = await postToken(
        harness,
        tokenForm(await signAssertion(harness, police, { claims: { aud: issuer } })),
      );
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(typeof answer.body.access_token, 'string');
    });

    it('refuses an aud that is neither the token endpoint nor the issuer, compared exactly', async () => {
      for (const aud of [
        `${harness.url}/fhir`,
        `${harness.tokenEndpoint}/`,
        `${harness.url}/`,
        harness.tokenEndpoint.toUpperCase(),
        'https://elsewhere.example',
        '',
      ]) {
        await expectAssertionRefused(
          harness,
          await signAssertion(harness, police, { claims: { aud } }),
          undefined,
          /claim aud/,
        );
      }
    });

    it('refuses an aud that is a list, even of the token endpoint or the issuer alone', async () => {
      for (const aud of [
        [harness.tokenEndpoint],
        [harness.url],
        [harness.tokenEndpoint, harness.url],
        [harness.tokenEndpoint, 'https://elsewhere.example'],
      ]) {
        await expectAssertionRefused(
          harness,
          await signAssertion(harness, police, { claims: { aud } }),
          undefined,
          /aud is not a single string/,
        );
      }
    });

    it('refuses an aud that is neither a string nor a list', async () => {
      for (const aud of [42, { url: harness.tokenEndpoint }]) {
        await expectAssertionRefused(
          harness,
          await signAssertion(harness, police, { claims: { aud } }),
          undefined,
          /claim aud/,
        );
      }
    });

    it('refuses an assertion without exp', async () => {
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { claims: { exp: undefined } }),
        undefined,
        /claim exp missing/,
      );
    });

    it('refuses an exp ten minutes ahead', async () => {
      const now = Math.floor(harness.now().getTime() / 1000);
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { claims: { exp: now + 600 } }),
        undefined,
        /exp too far ahead/,
      );
    });

    it('refuses an expired assertion beyond the skew', async () => {
      const now = Math.floor(harness.now().getTime() / 1000);
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { claims: { iat: now - 120, exp: now - 31 } }),
        undefined,
        /ERR_JWT_EXPIRED/,
      );
    });

    it('refuses an iat or nbf beyond the skew in the future', async () => {
      const now = Math.floor(harness.now().getTime() / 1000);
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { claims: { iat: now + 60 } }),
        undefined,
        /iat in the future/,
      );
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { claims: { nbf: now + 60 } }),
        undefined,
        /claim nbf/,
      );
    });

    it('refuses an assertion without jti', async () => {
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { claims: { jti: undefined } }),
        undefined,
        /claim jti missing/,
      );
    });

    it('refuses a jti longer than 256 characters', async () => {
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { claims: { jti: 'j'.repeat(257) } }),
        undefined,
        /jti missing or out of bounds/,
      );
    });

    it('refuses a replayed jti', async () => {
      const assertion = await signAssertion(harness, police);
      assert.equal((await postToken(harness, tokenForm(assertion))).status, 200);
      await expectAssertionRefused(harness, assertion, undefined, /jti replayed/);
      const again = await signAssertion(harness, police, {
        claims: { jti: decodeJwt(assertion).jti },
      });
      await expectAssertionRefused(harness, again, undefined, /jti replayed/);
    });

    it('refuses iss and sub that differ', async () => {
      const other = await harness.registerClient(newPartner());
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { claims: { sub: other.clientId } }),
        undefined,
        /sub differs from iss/,
      );
    });

    it('refuses a client_id parameter that names another client', async () => {
      const other = await harness.registerClient(newPartner());
      const assertion = await signAssertion(harness, police);
      const answer = await postToken(harness, tokenForm(assertion, { client_id: other.clientId }));
      expectRefusal(
        answer,
        { status: 401, error: 'invalid_client', code: 'ENLACE_CLIENT_AUTH_FAILED' },
        /client_id parameter differs/,
        assertion,
      );
    });

    it('refuses an unknown client', async () => {
      const stranger = { ...police, clientId: 'client-nobody-knows' };
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, stranger),
        undefined,
        /unknown client/,
      );
    });

    it('refuses a signature by a key other than the registered one', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { key: privateKey }),
        undefined,
        /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/,
      );
    });

    it('refuses an assertion that is not a JWT at all', async () => {
      for (const junk of [
        'not-a-jwt',
        'a.b.c',
        `${'x'.repeat(40)}.${'y'.repeat(40)}.${'z'.repeat(40)}`,
      ]) {
        await expectAssertionRefused(harness, junk, undefined, /not a compact JWS/);
      }
    });

    it('refuses a suspended partner', async () => {
      const partnerId = newPartner();
      const client = await harness.registerClient(partnerId);
      await harness.setStatus(partnerId, 'suspended');
      const event = await expectAssertionRefused(
        harness,
        await signAssertion(harness, client),
        undefined,
        /partner suspended/,
      );
      assert.equal(event.entity?.[0]?.what?.reference, `Organization/${partnerId}`);
    });
  });

  describe('hostile kid values', () => {
    const hostile = [
      '../../etc/passwd',
      "' OR 1=1 --",
      '"; DROP TABLE partner_client; --',
      '%00',
      'x'.repeat(10 * 1024),
    ];
    for (const kid of hostile) {
      it(`refuses kid ${JSON.stringify(kid.slice(0, 24))}${kid.length > 24 ? '…' : ''}`, async () => {
        await expectAssertionRefused(
          harness,
          await signAssertion(harness, police, { header: { kid } }),
          undefined,
          /kid not registered|kid out of bounds/,
        );
      });
    }

    it('refuses an assertion with neither kid nor x5c', async () => {
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { header: { kid: undefined } }),
        undefined,
        /neither kid nor x5c/,
      );
    });

    it('still serves the registered client afterwards', async () => {
      const answer = await postToken(harness, tokenForm(await signAssertion(harness, police)));
      assert.equal(answer.status, 200);
    });
  });

  describe('keys named by the caller', () => {
    let keyServer: Server;
    let keyServerUrl: string;
    let fetches = 0;

    before(async () => {
      keyServer = createServer((_req, res) => {
        fetches += 1;
        res.setHeader('Content-Type', 'application/json');
        res.end('{"keys":[]}');
      });
      await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
      keyServerUrl = `http://127.0.0.1:${String((keyServer.address() as AddressInfo).port)}`;
    });

    after(async () => {
      await new Promise<void>((resolve) =>
        keyServer.close(() => {
          resolve();
        }),
      );
    });

    it('ignores an embedded jwk: an attacker key there does not verify', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const jwk = await exportJWK(publicKey);
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { key: privateKey, header: { jwk, kid: undefined } }),
        undefined,
        /neither kid nor x5c/,
      );
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { key: privateKey, header: { jwk } }),
        undefined,
        /SIGNATURE_VERIFICATION_FAILED/,
      );
    });

    it('never fetches a jku or x5u, and refuses keys only they could provide', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      for (const header of [
        { jku: `${keyServerUrl}/jwks.json`, kid: 'attacker' },
        { jku: `${keyServerUrl}/jwks.json` },
        { x5u: `${keyServerUrl}/cert.pem`, kid: undefined },
        { jku: `${keyServerUrl}/jwks.json`, x5u: `${keyServerUrl}/cert.pem` },
      ]) {
        await expectAssertionRefused(
          harness,
          await signAssertion(harness, police, { key: privateKey, header }),
        );
      }
      assert.equal(fetches, 0, 'no request reached the key server');
    });

    it('refuses an x5c header when no PKI validator accepts it', async () => {
      await expectAssertionRefused(
        harness,
        await signAssertion(harness, police, { header: { x5c: ['AAAA'] } }),
        undefined,
        /certificate chain refused/,
      );
    });
  });
});
