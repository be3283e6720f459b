import assert from 'node:assert/strict';
import request from 'supertest';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { assertOutcome } from '../../support/outcome.js';
import { TEST_PUBLIC_URL } from '../../support/test-app.js';
import { startPeopleApp, WHOAMI_PATH, type PeopleApp } from './people-app.js';
import {
  assertAccountChangeAudit,
  assertNoSecrets,
  assertSignInAudit,
  postLogin,
  postTotp,
} from './sign-in-assertions.js';

describe('people: two-factor sign-in of an operator', () => {
  let app: PeopleApp;

  before(async () => {
    app = await startPeopleApp();
  });

  after(async () => {
    await app.close();
  });

  it('signs in with password then TOTP, and the session token verifies as the person', async () => {
    const ana = await app.enrol('ana.ruiz', 'operator');
    const before = await app.auditCount();

    const login = await postLogin(app.url, 'Ana.Ruiz', ana.password);
    assert.equal(login.status, 200, login.text);
    assert.match(String(login.headers['content-type']), /^application\/json/);
    assert.equal(login.headers['cache-control'], 'no-store');
    const challenge = login.body as { mfa_token: string; expires_in: number };
    assert.equal(challenge.expires_in, 300);
    assert.equal(decodeProtectedHeader(challenge.mfa_token).typ, 'enlace-mfa+jwt');

    const code = ana.code();
    const totp = await postTotp(app.url, challenge.mfa_token, code);
    assert.equal(totp.status, 200, totp.text);
    const session = totp.body as {
      access_token: string;
      token_type: string;
      expires_in: number;
      role: string;
    };
    assert.equal(session.token_type, 'Bearer');
    assert.equal(session.expires_in, 900);
    assert.equal(session.role, 'operator');
    assert.deepEqual(decodeProtectedHeader(session.access_token).alg, 'ES256');
    assert.equal(decodeProtectedHeader(session.access_token).typ, 'enlace-session+jwt');
    const claims = decodeJwt(session.access_token);
    assert.equal(claims.iss, TEST_PUBLIC_URL);
    assert.equal(claims.role, 'operator');
    assert.equal(typeof claims.jti, 'string');
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 900);

    const principal = await app.people.verifyPersonToken(session.access_token);
    assert.equal(principal.kind, 'person');
    assert.equal(principal.username, 'ana.ruiz');
    assert.equal(principal.role, 'operator');
    assert.equal(principal.userId, claims.sub);
    assert.equal(principal.tokenId, claims.jti);

    const events = await app.auditAfter(before);
    assert.equal(events.length, 1);
    assertSignInAudit(events[0], { username: 'ana.ruiz', outcome: '0' });
    assertNoSecrets(events, [ana.password, code, session.access_token, challenge.mfa_token]);
  });

  it('lets an authorizer that delegates to verifyPersonToken admit the person to a route', async () => {
    const luz = await app.enrol('luz.auditora', 'auditor');
    const login = await postLogin(app.url, luz.username, luz.password);
    const totp = await postTotp(
      app.url,
      (login.body as { mfa_token: string }).mfa_token,
      luz.code(),
    );
    const token = (totp.body as { access_token: string; role: string }).access_token;
    assert.equal((totp.body as { role: string }).role, 'auditor');

    const res = await request(app.url).get(WHOAMI_PATH).set('Authorization', `Bearer ${token}`);
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as { username: string }).username, 'luz.auditora');
    assert.equal((res.body as { role: string }).role, 'auditor');
  });

  it('records account creation in the audit log without the password or the TOTP secret', async () => {
    const before = await app.auditCount();
    const eva = await app.enrol('eva.mora', 'auditor');
    const events = await app.auditAfter(before);
    assert.equal(events.length, 1);
    assertAccountChangeAudit(events[0], 'eva.mora', 'auditor account created');
    const secret = new URL(eva.enrolmentUri).searchParams.get('secret') ?? '';
    assert.equal(secret.length, 32, 'a 20-byte secret is 32 base32 characters');
    assertNoSecrets(events, [eva.password, secret]);
  });

  it('stores the TOTP secret sealed, never in base32 or in the clear', async () => {
    const rosa = await app.enrol('rosa.diaz');
    const row = await app.store.db
      .selectFrom('person')
      .select(['totp_secret', 'password_hash'])
      .where('username', '=', 'rosa.diaz')
      .executeTakeFirstOrThrow();
    const secret = new URL(rosa.enrolmentUri).searchParams.get('secret') ?? '';
    assert.match(row.totp_secret, /^v1\./);
    assert.ok(!row.totp_secret.includes(secret));
    assert.match(row.password_hash, /^\$scrypt\$ln=15,r=8,p=1\$/);
  });

  it('refuses a second account with the same username, whatever its case', async () => {
    await app.enrol('dup.user');
    await assert.rejects(
      app.people.createPerson({
        username: 'DUP.user',
        role: 'auditor',
        password: 'another long password',
      }),
      (err: unknown) => (err as { code?: string }).code === 'ENLACE_PERSON_EXISTS',
    );
  });

  it('refuses to create an account with a short password or an unknown role', async () => {
    await assert.rejects(
      app.people.createPerson({ username: 'short.pw', role: 'operator', password: 'too short' }),
      (err: unknown) => (err as { code?: string }).code === 'ENLACE_PERSON_INVALID',
    );
    await assert.rejects(
      app.people.createPerson({
        username: 'bad.role',
        role: 'admin',
        password: 'long enough password',
      }),
      (err: unknown) => (err as { code?: string }).code === 'ENLACE_PERSON_INVALID',
    );
  });

  it('answers 400 to a login body without a password', async () => {
    const res = await request(app.url)
      .post('/auth/login')
      .set('Content-Type', 'application/json')
      .send({ username: 'ana.ruiz' });
    const outcome = assertOutcome(res, {
      status: 400,
      issue: 'invalid',
      code: 'ENLACE_INVALID_PARAMETER',
    });
    assert.deepEqual(outcome.issue[0]?.expression, ['password']);
  });

  it('answers 415 to a form-encoded login', async () => {
    const res = await request(app.url)
      .post('/auth/login')
      .type('form')
      .send({ username: 'ana.ruiz', password: 'whatever it is' });
    assertOutcome(res, {
      status: 415,
      issue: 'not-supported',
      code: 'ENLACE_UNSUPPORTED_MEDIA_TYPE',
    });
  });
});
