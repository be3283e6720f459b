import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import request from 'supertest';
import {
  CURRENT_SCRYPT_PARAMS,
  parsePasswordHash,
  verifyPassword,
} from '../../../src/people/password-hash.js';
import { testEngines } from '../../support/test-database.js';
import { startPeopleApp, type PeopleApp } from './people-app.js';
import {
  assertAccountChangeAudit,
  assertLocked,
  assertSignInAudit,
  assertSignInFailed,
} from './sign-in-assertions.js';

const WRONG = 'not the password at all';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Every password comparison the gateway makes: the stored hash it compared against. */
interface HashCall {
  readonly storedHash: string;
}

for (const engine of testEngines()) {
  describe(`people: sign-in tells nothing of whether an account exists (${engine.name})`, () => {
    let app: PeopleApp;
    const calls: HashCall[] = [];

    before(async () => {
      app = await startPeopleApp({
        engine,
        checkPassword: (password, storedHash) => {
          calls.push({ storedHash });
          return verifyPassword(password, storedHash);
        },
      });
    });

    after(async () => {
      await app.close();
    });

    /** A login with a fixed request id, so two answers can be compared byte for byte. */
    const login = (username: string, password: string, requestId = 'probe-1') => {
      return request(app.url)
        .post('/auth/login')
        .set('Content-Type', 'application/json')
        .set('X-Request-Id', requestId)
        .send({ username, password });
    };

    /** The password comparisons one login made. */
    const hashWorkOf = async (username: string, password = WRONG, requestId?: string) => {
      const before = calls.length;
      const res = await login(username, password, requestId);
      return { res, work: calls.slice(before) };
    };

    it('answers an unknown name exactly as a known name with a wrong password', async () => {
      const known = await app.enrol('ana.probe');
      const wrong = await login(known.username, WRONG);
      const unknown = await login('nadie.probe', WRONG);
      assertSignInFailed(wrong);
      assertSignInFailed(unknown);
      assert.equal(unknown.status, wrong.status);
      assert.equal(unknown.text, wrong.text, 'the same body');
      for (const header of ['content-type', 'retry-after', 'www-authenticate', 'cache-control']) {
        assert.equal(unknown.headers[header], wrong.headers[header], header);
      }
    });

    it('runs the password hash for an unknown name, against a dummy hash of the same cost', async () => {
      const known = await app.enrol('bea.probe');
      const forKnown = await hashWorkOf(known.username);
      const forUnknown = await hashWorkOf('nadie.hash');
      assert.equal(forKnown.work.length, 1, 'one comparison for a known name');
      assert.equal(forUnknown.work.length, 1, 'one comparison for an unknown name');
      const [knownCall] = forKnown.work;
      const [unknownCall] = forUnknown.work;
      assert.ok(knownCall !== undefined && unknownCall !== undefined);
      assert.notEqual(unknownCall.storedHash, knownCall.storedHash);
      // The same scrypt parameters: the same memory and CPU, so the same time.
      assert.deepEqual(parsePasswordHash(unknownCall.storedHash).params, CURRENT_SCRYPT_PARAMS);
      assert.deepEqual(
        parsePasswordHash(unknownCall.storedHash).params,
        parsePasswordHash(knownCall.storedHash).params,
      );
      // A malformed name is no exception.
      assert.equal((await hashWorkOf('NOT A NAME!')).work.length, 1);
    });

    it('locks an unknown name after five failures exactly as an account, and checks no password while locked', async () => {
      const known = await app.enrol('carla.probe');
      const unknownName = 'nadie.lock';
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        assertSignInFailed(await login(known.username, WRONG));
        assertSignInFailed(await login(unknownName, WRONG));
      }
      const before = await app.auditCount();
      const knownFifth = await login(known.username, WRONG, 'probe-lock');
      const unknownFifth = await login(unknownName, WRONG, 'probe-lock');
      assertLocked(knownFifth, 900);
      assertLocked(unknownFifth, 900);
      assert.equal(unknownFifth.text, knownFifth.text, 'the same 423 body');
      const events = await app.auditAfter(before);
      assert.equal(events.length, 4, 'a failure and a lock alert each');
      assertAccountChangeAudit(events[1], known.username, 'account locked until');
      assertSignInAudit(events[2], {
        username: unknownName,
        outcome: '4',
        detail: 'unknown username',
      });
      assertAccountChangeAudit(events[3], unknownName, 'sign-in name (no such account) locked');

      // Locked: neither checks a password (not even the right one), both answer the same.
      app.advance(MINUTE);
      const lockedKnown = await hashWorkOf(known.username, known.password, 'probe-locked');
      const lockedUnknown = await hashWorkOf(unknownName, known.password, 'probe-locked');
      assert.deepEqual([lockedKnown.work.length, lockedUnknown.work.length], [0, 0]);
      assertLocked(lockedKnown.res, 840);
      assertLocked(lockedUnknown.res, 840);
      assert.equal(lockedUnknown.res.text, lockedKnown.res.text);

      // When the lock ends both are checked again, from a fresh count.
      app.advance(14 * MINUTE);
      const afterKnown = await hashWorkOf(known.username);
      const afterUnknown = await hashWorkOf(unknownName);
      assert.deepEqual([afterKnown.work.length, afterUnknown.work.length], [1, 1]);
      assertSignInFailed(afterKnown.res);
      assertSignInFailed(afterUnknown.res);
    });

    it('forgets failures a day old, for accounts and unknown names alike', async () => {
      const known = await app.enrol('dora.probe');
      const unknownName = 'nadie.day';
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        assertSignInFailed(await login(known.username, WRONG));
        assertSignInFailed(await login(unknownName, WRONG));
      }
      app.advance(DAY);
      // A fifth failure a day later starts a new count: no lock for either.
      assertSignInFailed(await login(known.username, WRONG));
      assertSignInFailed(await login(unknownName, WRONG));
    });

    it('keeps unknown names only as hashes, and deletes them once their failures stop counting', async () => {
      const unknownName = 'nadie.stored';
      assertSignInFailed(await login(unknownName, WRONG));
      const hash = createHash('sha256').update(unknownName).digest('hex');
      const rows = await app.rows<{ name_hash: string; failed_attempts: number }>(
        'SELECT name_hash, failed_attempts FROM sign_in_name',
      );
      assert.ok(rows.some((row) => row.name_hash === hash && row.failed_attempts === 1));
      assert.equal(JSON.stringify(rows).includes(unknownName), false);

      app.advance(DAY + MINUTE);
      assertSignInFailed(await login('nadie.later', WRONG));
      const later = await app.rows<{ name_hash: string }>('SELECT name_hash FROM sign_in_name');
      assert.deepEqual(
        later.map((row) => row.name_hash),
        [createHash('sha256').update('nadie.later').digest('hex')],
      );
    });
  });
}
