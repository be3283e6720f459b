// Migration 0018 on both engines: the audit log's counter row moves forward only, and cannot be deleted.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { buildAuditEvent, auditType, auditSubtype } from '../../../src/audit/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';

const refused = (statement: string, store: Store): Promise<unknown> =>
  assert.rejects(sql.raw(statement).execute(store.db), /audit_sequence only moves forward/);

for (const engine of testEngines()) {
  describe(`the audit log counter (${engine.name})`, function () {
    let dataDir: string;
    let database: TestDatabase;
    let store: Store;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-counter-'));
      database = await engine.create();
      store = await openStore({ databaseUrl: database.env.ENLACE_DATABASE_URL, dataDir });
      for (let index = 0; index < 3; index += 1) {
        await store.audit.append(
          buildAuditEvent({
            type: auditType.rest,
            subtype: auditSubtype.read,
            action: 'R',
            outcome: '0',
            recorded: new Date(),
            agents: [{ reference: 'Organization/police-central' }],
            entities: [{ reference: 'Task/1' }],
          }),
        );
      }
    });
    after(async () => {
      await store.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('refuses an UPDATE that sets the count back', async () => {
      await refused('UPDATE audit_sequence SET last_seq = last_seq - 1', store);
      await refused('UPDATE audit_sequence SET last_seq = 0', store);
      assert.equal(await store.audit.count(), 3);
    });

    it('refuses deleting the counter row', async () => {
      await refused('DELETE FROM audit_sequence', store);
      if (engine.name === 'postgres') await refused('TRUNCATE audit_sequence', store);
    });

    it('counts the appends, and allows an UPDATE that does not set it back', async () => {
      const { rows } = await sql<{ last_seq: number }>`
        SELECT last_seq FROM audit_sequence
      `.execute(store.db);
      assert.equal(Number(rows[0]?.last_seq), 3);
      await sql`UPDATE audit_sequence SET frontier = frontier`.execute(store.db);
    });
  });
}
