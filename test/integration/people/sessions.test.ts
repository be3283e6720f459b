import assert from 'node:assert/strict';
import type { AuditEvent } from '@medplum/fhirtypes';
import request from 'supertest';
import { runCli } from '../../../src/cli/main.js';
import { USERNAME_SYSTEM } from '../../../src/people/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { testEngines } from '../../support/test-database.js';
import { startPeopleApp, WHOAMI_PATH, type Enrolled, type PeopleApp } from './people-app.js';
import { assertAccountChangeAudit, postLogin, postTotp } from './sign-in-assertions.js';

/** Routes a person's session opens, each behind the gateway's own authorizer. */
const OPERATOR_ROUTES = [WHOAMI_PATH, '/admin/partners', '/admin/certificates'];

for (const engine of testEngines()) {
  describe(`people: sessions end on sign-out and on an operator's revocation (${engine.name})`, () => {
    let app: PeopleApp;

    before(async () => {
      app = await startPeopleApp({ engine, gatewayAuthorizer: true });
    });

    after(async () => {
      await app.close();
    });

    async function signIn(person: Enrolled): Promise<string> {
      const login = await postLogin(app.url, person.username, person.password);
      assert.equal(login.status, 200, login.text);
      const totp = await postTotp(
        app.url,
        (login.body as { mfa_token: string }).mfa_token,
        person.code(),
      );
      assert.equal(totp.status, 200, totp.text);
      // The next sign-in must use a code of a later step.
      app.advance(30_000);
      return (totp.body as { access_token: string }).access_token;
    }

    const get = (path: string, token: string) =>
      request(app.url).get(path).set('Authorization', `Bearer ${token}`);
    const post = (path: string, token: string) =>
      request(app.url).post(path).set('Authorization', `Bearer ${token}`);

    async function assertAdmitted(token: string): Promise<void> {
      for (const path of OPERATOR_ROUTES) {
        const res = await get(path, token);
        assert.equal(res.status, 200, `${path}: ${res.text}`);
      }
    }

    async function assertRefusedEverywhere(token: string): Promise<void> {
      for (const path of OPERATOR_ROUTES) {
        const res = await get(path, token);
        assertOutcome(res, { status: 401, issue: 'login', code: 'ENLACE_PERSON_TOKEN_INVALID' });
        assert.match(String(res.headers['www-authenticate']), /invalid_token/);
      }
      const again = await post('/auth/logout', token);
      assert.equal(again.status, 401, 'an ended session cannot sign out twice');
    }

    function assertSignOutAudit(event: AuditEvent | undefined, username: string): void {
      assert.ok(event !== undefined, 'an AuditEvent was written');
      assert.equal(event.type.code, '110114');
      assert.equal(event.subtype?.[0]?.code, '110123', 'DCM Logout');
      assert.equal(event.outcome, '0');
      assert.deepEqual(event.agent[0]?.who?.identifier, {
        system: USERNAME_SYSTEM,
        value: username,
      });
    }

    it('signs out: the token is refused on every route at once, and the sign-out is audited', async () => {
      const ana = await app.enrol('ana.session');
      const token = await signIn(ana);
      const otherDevice = await signIn(ana);
      await assertAdmitted(token);

      const before = await app.auditCount();
      const res = await post('/auth/logout', token);
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
      const events = await app.auditAfter(before);
      assert.equal(events.length, 1);
      assertSignOutAudit(events[0], 'ana.session');

      await assertRefusedEverywhere(token);
      // Only the session that signed out ended.
      await assertAdmitted(otherDevice);
    });

    it('lets an operator revoke every session of a person, at once and audited; she may sign in again', async () => {
      const admin = await app.enrol('admin.session');
      const bea = await app.enrol('bea.session');
      const adminToken = await signIn(admin);
      const first = await signIn(bea);
      const second = await signIn(bea);
      await assertAdmitted(first);

      const before = await app.auditCount();
      const res = await post('/admin/people/bea.session/revoke-sessions', adminToken);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { username: 'bea.session', sessionsRevoked: 2 });
      const events = await app.auditAfter(before);
      assert.equal(events.length, 1);
      assertAccountChangeAudit(events[0], 'bea.session', '2 session(s) revoked');
      assert.deepEqual(events[0]?.agent[0]?.who?.identifier, {
        system: USERNAME_SYSTEM,
        value: 'admin.session',
      });

      await assertRefusedEverywhere(first);
      await assertRefusedEverywhere(second);
      await assertAdmitted(adminToken);
      await assertAdmitted(await signIn(bea));
    });

    it('revokes sessions from the command line too', async () => {
      const carla = await app.enrol('carla.session');
      const token = await signIn(carla);
      let stdout = '';
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = (chunk: string | Uint8Array) => {
        stdout += chunk.toString();
        return true;
      };
      let code: number;
      try {
        code = await runCli(['user', 'revoke-sessions', 'carla.session'], {
          ...app.env,
          ENLACE_LOG_LEVEL: 'silent',
        });
      } finally {
        process.stdout.write = write;
      }
      assert.equal(code, 0);
      assert.deepEqual(JSON.parse(stdout), { username: 'carla.session', sessionsRevoked: 1 });
      await assertRefusedEverywhere(token);
    });

    it('refuses to revoke the sessions of no one, and lets no auditor revoke them', async () => {
      const admin = await app.enrol('dora.session');
      const auditor = await app.enrol('eva.session', 'auditor');
      const unknown = await post(
        '/admin/people/nadie.session/revoke-sessions',
        await signIn(admin),
      );
      assertOutcome(unknown, { status: 404, issue: 'not-found', code: 'ENLACE_PERSON_NOT_FOUND' });
      const auditorToken = await signIn(auditor);
      const refused = await post('/admin/people/dora.session/revoke-sessions', auditorToken);
      assert.equal(refused.status, 403, refused.text);
      // An auditor signs out like anyone.
      assert.equal((await post('/auth/logout', auditorToken)).status, 204);
    });

    it('refuses sign-out without a session token', async () => {
      const res = await request(app.url).post('/auth/logout');
      assert.equal(res.status, 401, res.text);
    });
  });
}
