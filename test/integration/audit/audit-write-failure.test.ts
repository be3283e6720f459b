import assert from 'node:assert/strict';
import { sql } from 'kysely';
import request from 'supertest';
import { shelterConsent } from '../referrals/referral-fixtures.js';
import { testEngines } from '../../support/test-database.js';
import { startAttackNetwork, type AttackNetwork } from '../../security/attack-network.js';

/** Makes every audit append fail, as a full disk or a broken trigger would, leaving the rest writable. */
async function breakAuditWrites(net: AttackNetwork): Promise<void> {
  const db = net.store.db;
  if (net.store.dialect === 'sqlite') {
    await sql`
      CREATE TRIGGER audit_event_broken BEFORE INSERT ON audit_event
      BEGIN SELECT RAISE(ABORT, 'audit storage failed'); END
    `.execute(db);
    return;
  }
  await sql`
    CREATE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit storage failed'; END $$
  `.execute(db);
  await sql`
    CREATE TRIGGER audit_event_broken BEFORE INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_broken()
  `.execute(db);
}

for (const engine of testEngines()) {
  describe(`an audit record that cannot be written (${engine.name})`, function () {
    this.timeout(30_000);
    let net: AttackNetwork;

    before(async () => {
      net = await startAttackNetwork(engine);
    });
    after(async () => {
      await sql`DROP TRIGGER IF EXISTS audit_event_broken ${sql.raw(
        net.store.dialect === 'postgres' ? 'ON audit_event' : '',
      )}`.execute(net.store.db);
      await net.dispose();
    });

    it('fails the action with 503 and Retry-After, and leaves nothing written', async () => {
      const token = await net.token(net.police);
      await breakAuditWrites(net);
      const res = await request(net.app)
        .post('/fhir/Consent')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/fhir+json')
        .send(JSON.stringify(shelterConsent('55555555', net.police.id)));
      assert.equal(res.status, 503, res.text);
      assert.equal(res.get('Retry-After'), '5');
      assert.match(res.text, /ENLACE_STORE_AUDIT_FAILED/);
      const { count } = await net.store.db
        .selectFrom('consent')
        .select((eb) => eb.fn.countAll().as('count'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count), 0);
    });
  });
}
