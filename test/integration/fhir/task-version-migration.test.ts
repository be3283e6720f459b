import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enlaceMigrations, migrateStore, openStore } from '../../../src/store/index.js';
import { testEngines } from '../../support/test-database.js';

const AT = '2025-03-12T12:00:00.000Z';
const LATER = '2025-03-12T13:00:00.000Z';
const before0014 = enlaceMigrations.filter((migration) => migration.name < '0014');
const through0014 = enlaceMigrations.filter((migration) => migration.name < '0015');

for (const engine of testEngines()) {
  describe(`migration 0014 on a database with referrals (${engine.name})`, function () {
    this.timeout(60_000);

    it('keeps the current Task version of each referral recorded before it, as it was stored', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'enlace-0014-'));
      const database = await engine.create();
      try {
        const store = await openStore({
          databaseUrl: database.env['ENLACE_DATABASE_URL'],
          dataDir,
          migrations: before0014,
        });
        try {
          await store.db
            .insertInto('partner')
            .values(
              ['police-central', 'casa-refugio'].map((id) => ({
                id,
                name: id,
                role: id === 'police-central' ? 'police' : 'shelter',
                status: 'active',
                created_at: AT,
                updated_at: AT,
                version: 1,
              })),
            )
            .execute();
          for (const [id, version, status] of [
            ['r-new', 1, 'requested'],
            ['r-moved', 3, 'accepted'],
          ] as const) {
            await store.db
              .insertInto('referral')
              .values({
                id,
                message_key: `urn:test|${id}`,
                content_hash: 'hash',
                sender: 'police-central',
                recipient: 'casa-refugio',
                pseudonym: 'k1.p',
                event: 'referral-request',
                purpose: 'shelter',
                data_classes: '[]',
                status,
                task: `sealed-task-${id}`,
                task_version: version,
                payload_key_id: 'k',
                payload: 'sealed',
                acknowledgement: '{}',
                recipient_acknowledgement: null,
                message_header_id: null,
                created_at: AT,
                updated_at: version === 1 ? AT : LATER,
              })
              .execute();
          }
          assert.deepEqual((await migrateStore(store, { migrations: through0014 })).applied, [
            '0014-fhir-versions',
          ]);
          const kept = await store.db
            .selectFrom('task_version')
            .selectAll()
            .orderBy('referral_id')
            .execute();
          assert.deepEqual(kept, [
            {
              referral_id: 'r-moved',
              version: 3,
              status: 'accepted',
              task: 'sealed-task-r-moved',
              changed_at: LATER,
              change: 'migrated',
            },
            {
              referral_id: 'r-new',
              version: 1,
              status: 'requested',
              task: 'sealed-task-r-new',
              changed_at: AT,
              change: 'create',
            },
          ]);
          const identifiers = await store.db.selectFrom('consent_identifier').selectAll().execute();
          assert.deepEqual(identifiers, []);
        } finally {
          await store.close();
        }
      } finally {
        await database.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
