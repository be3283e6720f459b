import assert from 'node:assert/strict';
import { startPeopleApp, type Enrolled, type PeopleApp } from './people-app.js';
import {
  assertAccountChangeAudit,
  assertLocked,
  assertSignInAudit,
  assertSignInFailed,
  postLogin,
  postTotp,
} from './sign-in-assertions.js';

const FIFTEEN_MINUTES = 15 * 60_000;

describe('people: lockout after repeated failed sign-ins', () => {
  let app: PeopleApp;

  before(async () => {
    app = await startPeopleApp();
  });

  after(async () => {
    await app.close();
  });

  async function failPasswords(person: Enrolled, times: number): Promise<void> {
    for (let attempt = 0; attempt < times; attempt += 1) {
      assertSignInFailed(await postLogin(app.url, person.username, 'a wrong password, again'));
    }
  }

  async function signIn(person: Enrolled): Promise<number> {
    const login = await postLogin(app.url, person.username, person.password);
    if (login.status !== 200) return login.status;
    const totp = await postTotp(
      app.url,
      (login.body as { mfa_token: string }).mfa_token,
      person.code(),
    );
    return totp.status;
  }

  it('locks the account on the fifth failure, says until when, and refuses correct credentials', async () => {
    const ana = await app.enrol('ana.lock');
    await failPasswords(ana, 4);
    const before = await app.auditCount();
    const fifth = await postLogin(app.url, ana.username, 'a wrong password, again');
    const until = new Date(app.now.getTime() + FIFTEEN_MINUTES).toISOString();
    assert.equal(
      assertLocked(fifth, 900),
      `Account locked after repeated failed sign-ins; try again after ${until} or ask another operator to unlock it.`,
    );
    const events = await app.auditAfter(before);
    assert.equal(events.length, 2);
    assertSignInAudit(events[0], { username: 'ana.lock', outcome: '4', detail: 'wrong password' });
    assertAccountChangeAudit(events[1], 'ana.lock', `account locked until ${until}`);

    // Fourteen minutes on, the right password is still refused, and so audited.
    app.advance(14 * 60_000);
    const refused = await postLogin(app.url, ana.username, ana.password);
    assertLocked(refused, 60);
    assertSignInAudit((await app.auditAfter(before + 2))[0], {
      username: 'ana.lock',
      outcome: '4',
      detail: 'ENLACE_SIGN_IN_LOCKED',
    });

    // Once the lock period is over, the correct password and code sign in.
    app.advance(60_000);
    assert.equal(await signIn(ana), 200);
  });

  it('counts wrong TOTP codes with wrong passwords, and the lock also stops the code step', async () => {
    const bea = await app.enrol('bea.lock');
    await failPasswords(bea, 2);
    const login = await postLogin(app.url, bea.username, bea.password);
    const mfaToken = (login.body as { mfa_token: string }).mfa_token;
    assertSignInFailed(await postTotp(app.url, mfaToken, '000000'));
    assertSignInFailed(await postTotp(app.url, mfaToken, '000001'));
    assertLocked(await postTotp(app.url, mfaToken, '000002'), 900);
    // The right code with a valid mfa_token is refused while the lock runs.
    assertLocked(await postTotp(app.url, mfaToken, bea.code()), 900);
  });

  it('resets the failure count after a successful sign-in', async () => {
    const cruz = await app.enrol('cruz.lock');
    await failPasswords(cruz, 4);
    assert.equal(await signIn(cruz), 200);
    app.advance(30_000);
    await failPasswords(cruz, 4);
    app.advance(30_000);
    assert.equal(await signIn(cruz), 200);
  });

  it('gives a fresh allowance once a lock has run out', async () => {
    const dora = await app.enrol('dora.lock');
    await failPasswords(dora, 4);
    assertLocked(await postLogin(app.url, dora.username, 'wrong again, fifth'), 900);
    app.advance(FIFTEEN_MINUTES);
    await failPasswords(dora, 1);
    assert.equal(await signIn(dora), 200);
  });

  it('lets an operator unlock the account before the lock ends, and audits who did', async () => {
    const eva = await app.enrol('eva.lock');
    await failPasswords(eva, 4);
    assertLocked(await postLogin(app.url, eva.username, 'wrong again, fifth'), 900);
    const before = await app.auditCount();
    await app.people.unlockPerson({ username: 'eva.lock', operator: 'ana.lock' });
    const events = await app.auditAfter(before);
    assert.equal(events.length, 1);
    assertAccountChangeAudit(events[0], 'eva.lock', 'account unlocked');
    assert.equal(events[0]?.agent[0]?.who?.identifier?.value, 'ana.lock');
    assert.equal(await signIn(eva), 200);
  });

  it('refuses to unlock an account that does not exist', async () => {
    await assert.rejects(
      app.people.unlockPerson({ username: 'nobody.here', operator: 'ana.lock' }),
      (err: unknown) => (err as { code?: string }).code === 'ENLACE_PERSON_NOT_FOUND',
    );
  });
});
