import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import request from 'supertest';
import { GatewayError, type PersonPrincipal } from '../../../src/kernel/index.js';
import { assertOutcome } from '../../support/outcome.js';
import {
  CONSENT_DELETE_PATH,
  PERSON_PATH,
  PROTECTED_PATH,
  signAssertion,
  startAuthHarness,
  tokenForm,
  type AuthHarness,
  type TestClient,
} from './auth-harness.js';
import { postToken } from './expect-refusal.js';

const INVALID_TOKEN = { status: 401, issue: 'login', code: 'ENLACE_TOKEN_INVALID' } as const;
const CHALLENGE = 'Bearer realm="enlace", error="invalid_token"';

describe('protected routes (access-token Authorizer)', () => {
  let harness: AuthHarness;
  let police: TestClient;
  let partners = 0;

  const issue = async (client: TestClient, scope = 'system/Task.rs'): Promise<string> => {
    const answer = await postToken(
      harness,
      tokenForm(await signAssertion(harness, client), { scope }),
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return String(answer.body.access_token);
  };
  const call = (path: string, authorization?: string): request.Test => {
    const req = request(harness.url).get(path);
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  before(async () => {
    harness = await startAuthHarness({
      verifyPersonToken: (authorization, requirement) => {
        if (authorization !== 'Bearer person-ok') {
          return Promise.reject(
            new GatewayError('ENLACE_PERSON_TOKEN_INVALID', 'not a person token'),
          );
        }
        const person: PersonPrincipal = {
          kind: 'person',
          userId: 'u1',
          username: 'ana',
          role: requirement.roles[0] ?? 'auditor',
          tokenId: 't1',
        };
        return Promise.resolve(person);
      },
    });
    police = await harness.registerClient('police-1');
  });

  after(async () => {
    await harness.dispose();
  });

  it('lets a partner with the scope through, with its principal', async () => {
    const res = await call(PROTECTED_PATH, `Bearer ${await issue(police)}`);
    assert.equal(res.status, 200, res.text);
    const principal = res.body as Record<string, unknown>;
    assert.equal(principal.kind, 'partner');
    assert.equal(principal.clientId, police.clientId);
    assert.equal(principal.partnerId, 'police-1');
    assert.equal(principal.role, 'police');
    assert.deepEqual(principal.scopes, ['system/Task.rs']);
  });

  it('accepts the scheme name in any case', async () => {
    const res = await call(PROTECTED_PATH, `bearer ${await issue(police)}`);
    assert.equal(res.status, 200);
  });

  it('answers 401 with a bare challenge when no token is sent', async () => {
    const res = await call(PROTECTED_PATH);
    assertOutcome(res, INVALID_TOKEN);
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="enlace"');
  });

  it('answers 401 invalid_token for a malformed header or token', async () => {
    for (const header of [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer a b',
      'Bearer not.a.jwt',
      `Bearer ${'a'.repeat(9000)}`,
    ]) {
      const res = await call(PROTECTED_PATH, header);
      assertOutcome(res, INVALID_TOKEN);
      assert.equal(res.headers['www-authenticate'], CHALLENGE);
    }
  });

  it('refuses a token used after expiry (plus skew)', async () => {
    const token = await issue(police);
    harness.advance(300 + 30 + 1);
    try {
      const res = await call(PROTECTED_PATH, `Bearer ${token}`);
      assertOutcome(res, INVALID_TOKEN);
      assert.equal(res.headers['www-authenticate'], CHALLENGE);
    } finally {
      harness.advance(-(300 + 30 + 1));
    }
  });

  it('still accepts a token just inside the skew after expiry', async () => {
    const token = await issue(police);
    harness.advance(300 + 20);
    try {
      assert.equal((await call(PROTECTED_PATH, `Bearer ${token}`)).status, 200);
    } finally {
      harness.advance(-(300 + 20));
    }
  });

  it('refuses a client assertion presented as an access token', async () => {
    const assertion = await signAssertion(harness, police, {
      claims: { aud: `${harness.url}/fhir` },
    });
    const res = await call(PROTECTED_PATH, `Bearer ${assertion}`);
    assertOutcome(res, INVALID_TOKEN);
  });

  it('refuses a JWT signed by the gateway key that is not typed at+jwt', async () => {
    const now = Math.floor(harness.now().getTime() / 1000);
    const claims = {
      client_id: police.clientId,
      organization: 'Organization/police-1',
      scope: 'system/Task.rs',
    };
    for (const typ of [undefined, 'JWT', 'enlace-session+jwt']) {
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', ...(typ === undefined ? {} : { typ }) })
        .setIssuer(harness.url)
        .setAudience(`${harness.url}/fhir`)
        .setSubject(police.clientId)
        .setJti('forged')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(harness.keys.signing.privateKey);
      assertOutcome(await call(PROTECTED_PATH, `Bearer ${token}`), INVALID_TOKEN);
    }
  });

  it('refuses a token for another audience or issuer', async () => {
    const now = Math.floor(harness.now().getTime() / 1000);
    for (const [iss, aud] of [
      ['https://other.example', `${harness.url}/fhir`],
      [harness.url, harness.url],
    ] as const) {
      const token = await new SignJWT({
        client_id: police.clientId,
        organization: 'Organization/police-1',
        scope: 'system/Task.rs',
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
        .setIssuer(iss)
        .setAudience(aud)
        .setSubject(police.clientId)
        .setJti('forged')
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(harness.keys.signing.privateKey);
      assertOutcome(await call(PROTECTED_PATH, `Bearer ${token}`), INVALID_TOKEN);
    }
  });

  it('refuses an HS256 token keyed with the gateway public key', async () => {
    const now = Math.floor(harness.now().getTime() / 1000);
    const token = await new SignJWT({
      client_id: police.clientId,
      organization: 'Organization/police-1',
      scope: 'system/*.cruds',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setIssuer(harness.url)
      .setAudience(`${harness.url}/fhir`)
      .setSubject(police.clientId)
      .setJti('forged')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(new TextEncoder().encode(JSON.stringify(harness.keys.signing.publicJwk)));
    assertOutcome(await call(PROTECTED_PATH, `Bearer ${token}`), INVALID_TOKEN);
  });

  it('answers 403 insufficient_scope when the token lacks the route scope', async () => {
    const res = await call(
      CONSENT_DELETE_PATH,
      `Bearer ${await issue(police, 'system/Consent.crus')}`,
    );
    assertOutcome(res, { status: 403, issue: 'forbidden', code: 'ENLACE_SCOPE_INSUFFICIENT' });
    assert.equal(
      res.headers['www-authenticate'],
      'Bearer realm="enlace", error="insufficient_scope", scope="system/Consent.d"',
    );
  });

  it('answers 403 when the token holds only part of the permissions', async () => {
    const res = await call(PROTECTED_PATH, `Bearer ${await issue(police, 'system/Task.r')}`);
    assertOutcome(res, { status: 403, issue: 'forbidden', code: 'ENLACE_SCOPE_INSUFFICIENT' });
  });

  it("stops a suspended partner's live token at once, and lets it work again on re-activation", async () => {
    partners += 1;
    const partnerId = `shelter-${String(partners)}`;
    const client = await harness.registerClient(partnerId, { role: 'shelter' });
    const token = await issue(client);
    assert.equal((await call(PROTECTED_PATH, `Bearer ${token}`)).status, 200);
    await harness.setStatus(partnerId, 'suspended');
    assertOutcome(await call(PROTECTED_PATH, `Bearer ${token}`), INVALID_TOKEN);
    await harness.setStatus(partnerId, 'active');
    assert.equal((await call(PROTECTED_PATH, `Bearer ${token}`)).status, 200);
  });

  it('delegates person routes to the person verifier', async () => {
    const ok = await call(PERSON_PATH, 'Bearer person-ok');
    assert.equal(ok.status, 200);
    assert.equal((ok.body as { kind?: string }).kind, 'person');
  });

  it('does not accept a partner token on a person route', async () => {
    const res = await call(PERSON_PATH, `Bearer ${await issue(police)}`);
    assertOutcome(res, { status: 401, issue: 'login', code: 'ENLACE_PERSON_TOKEN_INVALID' });
  });
});

describe('protected routes without a person verifier', () => {
  let harness: AuthHarness;

  before(async () => {
    harness = await startAuthHarness();
  });

  after(async () => {
    await harness.dispose();
  });

  it('refuses person routes with 401', async () => {
    const res = await request(harness.url).get(PERSON_PATH).set('Authorization', 'Bearer anything');
    assertOutcome(res, INVALID_TOKEN);
  });
});
