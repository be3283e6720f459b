import assert from 'node:assert/strict';
import { startPeopleApp, type PeopleApp } from './people-app.js';
import {
  assertNoSecrets,
  assertSignInAudit,
  assertSignInFailed,
  postLogin,
  postTotp,
  SIGN_IN_FAILED_TEXT,
} from './sign-in-assertions.js';

/** A six-digit code that differs from the right one in its last digit. */
const wrongCode = (code: string): string => `${code.slice(0, 5)}${(Number(code[5]) + 1) % 10}`;

describe('people: refused sign-in steps', () => {
  let app: PeopleApp;

  before(async () => {
    app = await startPeopleApp();
  });

  after(async () => {
    await app.close();
  });

  it('refuses a wrong password with 401 and audits the failure without the password', async () => {
    const ana = await app.enrol('ana.ruiz');
    const before = await app.auditCount();
    const res = await postLogin(app.url, ana.username, 'not the password at all');
    assert.equal(assertSignInFailed(res), SIGN_IN_FAILED_TEXT);
    const events = await app.auditAfter(before);
    assert.equal(events.length, 1);
    assertSignInAudit(events[0], {
      username: 'ana.ruiz',
      outcome: '4',
      detail: 'ENLACE_SIGN_IN_FAILED: wrong password',
    });
    assertNoSecrets(events, ['not the password at all']);
  });

  it('answers an unknown username exactly as a wrong password, after comparable work', async () => {
    const bea = await app.enrol('bea.soto');
    const known = Date.now();
    const wrong = await postLogin(app.url, bea.username, 'a wrong password here');
    const knownMs = Date.now() - known;
    const before = await app.auditCount();
    const unknown = Date.now();
    const missing = await postLogin(app.url, 'nadie.aqui', 'a wrong password here');
    const unknownMs = Date.now() - unknown;

    assert.equal(assertSignInFailed(missing), assertSignInFailed(wrong));
    assert.equal(missing.headers['www-authenticate'], wrong.headers['www-authenticate']);
    // Both ran scrypt: the unknown user is not answered in a fraction of the known user's time.
    assert.ok(unknownMs > knownMs / 3, `unknown user took ${unknownMs} ms, known ${knownMs} ms`);
    const events = await app.auditAfter(before);
    assertSignInAudit(events[0], {
      username: 'nadie.aqui',
      outcome: '4',
      detail: 'ENLACE_SIGN_IN_FAILED: unknown username',
    });
  });

  it('refuses a wrong TOTP code with the same 401 and audits it', async () => {
    const cruz = await app.enrol('cruz.vega');
    const login = await postLogin(app.url, cruz.username, cruz.password);
    assert.equal(login.status, 200);
    const before = await app.auditCount();
    const res = await postTotp(
      app.url,
      (login.body as { mfa_token: string }).mfa_token,
      wrongCode(cruz.code()),
    );
    assert.equal(assertSignInFailed(res), SIGN_IN_FAILED_TEXT);
    const events = await app.auditAfter(before);
    assert.equal(events.length, 1);
    assertSignInAudit(events[0], {
      username: 'cruz.vega',
      outcome: '4',
      detail: 'ENLACE_SIGN_IN_FAILED: wrong TOTP code',
    });
  });

  it('refuses a TOTP code already used, even within its window', async () => {
    const dora = await app.enrol('dora.paz');
    const code = dora.code();
    const first = await postLogin(app.url, dora.username, dora.password);
    const accepted = await postTotp(app.url, (first.body as { mfa_token: string }).mfa_token, code);
    assert.equal(accepted.status, 200, accepted.text);

    // Ten seconds later the same code is still inside its ±1 step window, but was used.
    app.advance(10_000);
    const second = await postLogin(app.url, dora.username, dora.password);
    const before = await app.auditCount();
    const replayed = await postTotp(
      app.url,
      (second.body as { mfa_token: string }).mfa_token,
      code,
    );
    assertSignInFailed(replayed);
    assertSignInAudit((await app.auditAfter(before))[0], {
      username: 'dora.paz',
      outcome: '4',
      detail: 'TOTP code already used',
    });

    // The next step's code is fresh and works with the same mfa_token.
    app.advance(30_000);
    const fresh = await postTotp(
      app.url,
      (second.body as { mfa_token: string }).mfa_token,
      dora.code(),
    );
    assert.equal(fresh.status, 200, fresh.text);
  });

  it('accepts one code once when two sign-ins race with it', async () => {
    const hana = await app.enrol('hana.race');
    const logins = await Promise.all([
      postLogin(app.url, hana.username, hana.password),
      postLogin(app.url, hana.username, hana.password),
    ]);
    const code = hana.code();
    const answers = await Promise.all(
      logins.map((login) =>
        postTotp(app.url, (login.body as { mfa_token: string }).mfa_token, code),
      ),
    );
    assert.deepEqual(answers.map((res) => res.status).sort(), [200, 401]);
  });

  it('spends an mfa_token on the sign-in it completes', async () => {
    const elsa = await app.enrol('elsa.gil');
    const login = await postLogin(app.url, elsa.username, elsa.password);
    const mfaToken = (login.body as { mfa_token: string }).mfa_token;
    assert.equal((await postTotp(app.url, mfaToken, elsa.code())).status, 200);
    app.advance(30_000);
    assertSignInFailed(await postTotp(app.url, mfaToken, elsa.code()));
  });

  it('refuses an expired mfa_token', async () => {
    const fina = await app.enrol('fina.leon');
    const login = await postLogin(app.url, fina.username, fina.password);
    app.advance(5 * 60_000 + 10_000); // past expiry and the 5 s tolerance
    const res = await postTotp(
      app.url,
      (login.body as { mfa_token: string }).mfa_token,
      fina.code(),
    );
    assert.match(assertSignInFailed(res), /expired/);
  });

  it('refuses a session token presented as an mfa_token', async () => {
    const gala = await app.enrol('gala.rios');
    const login = await postLogin(app.url, gala.username, gala.password);
    const session = await postTotp(
      app.url,
      (login.body as { mfa_token: string }).mfa_token,
      gala.code(),
    );
    app.advance(30_000);
    const res = await postTotp(
      app.url,
      (session.body as { access_token: string }).access_token,
      gala.code(),
    );
    assert.match(assertSignInFailed(res), /expired/);
  });
});
