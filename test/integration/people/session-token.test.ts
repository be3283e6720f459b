import assert from 'node:assert/strict';
import request from 'supertest';
import { isGatewayError } from '../../../src/kernel/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { startPeopleApp, WHOAMI_PATH, type Enrolled, type PeopleApp } from './people-app.js';
import { postLogin, postTotp } from './sign-in-assertions.js';

const tokenInvalid = (err: unknown): boolean =>
  isGatewayError(err) &&
  err.code === 'ENLACE_PERSON_TOKEN_INVALID' &&
  err.status === 401 &&
  err.headers['WWW-Authenticate'] === 'Bearer error="invalid_token"';

describe('people: session tokens', () => {
  let app: PeopleApp;

  before(async () => {
    app = await startPeopleApp();
  });

  after(async () => {
    await app.close();
  });

  async function signIn(person: Enrolled): Promise<{ mfaToken: string; accessToken: string }> {
    const login = await postLogin(app.url, person.username, person.password);
    const mfaToken = (login.body as { mfa_token: string }).mfa_token;
    const totp = await postTotp(app.url, mfaToken, person.code());
    assert.equal(totp.status, 200, totp.text);
    app.advance(30_000);
    return { mfaToken, accessToken: (totp.body as { access_token: string }).access_token };
  }

  it('refuses an mfa_token presented as a session token', async () => {
    const ana = await app.enrol('ana.token');
    const login = await postLogin(app.url, ana.username, ana.password);
    const mfaToken = (login.body as { mfa_token: string }).mfa_token;
    await assert.rejects(app.people.verifyPersonToken(mfaToken), tokenInvalid);

    const res = await request(app.url).get(WHOAMI_PATH).set('Authorization', `Bearer ${mfaToken}`);
    assertOutcome(res, { status: 401, issue: 'login', code: 'ENLACE_PERSON_TOKEN_INVALID' });
    assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
  });

  it('accepts a session token until it expires after 15 minutes, then refuses it', async () => {
    const bea = await app.enrol('bea.token');
    const { accessToken } = await signIn(bea);
    app.advance(14 * 60_000);
    assert.equal((await app.people.verifyPersonToken(accessToken)).username, 'bea.token');
    app.advance(60_000);
    await assert.rejects(app.people.verifyPersonToken(accessToken), tokenInvalid);
  });

  it('refuses the session token of an account locked after it was issued', async () => {
    const cruz = await app.enrol('cruz.token');
    const { accessToken } = await signIn(cruz);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await postLogin(app.url, cruz.username, 'somebody guessing here');
    }
    await assert.rejects(app.people.verifyPersonToken(accessToken), tokenInvalid);
  });

  it('refuses the session token of a disabled account, and its sign-in', async () => {
    const dora = await app.enrol('dora.token');
    const { accessToken } = await signIn(dora);
    await app.people.disablePerson({ username: 'dora.token', operator: 'ana.token' });
    await assert.rejects(app.people.verifyPersonToken(accessToken), tokenInvalid);
    const login = await postLogin(app.url, dora.username, dora.password);
    assertOutcome(login, { status: 401, issue: 'login', code: 'ENLACE_SIGN_IN_FAILED' });
  });

  it('refuses garbage and tampered tokens with the same answer', async () => {
    const eva = await app.enrol('eva.token');
    const { accessToken } = await signIn(eva);
    const [header, payload, signature] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'auditor' })).toString(
      'base64url',
    );
    for (const token of ['', 'not.a.jwt', `${header}.${elevated}.${signature}`]) {
      await assert.rejects(app.people.verifyPersonToken(token), tokenInvalid, token.slice(0, 20));
    }
  });
});
