// Migration 0012 on a database with deliveries queued before it: numbered in the order they were queued, per referral and recipient.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { enlaceMigrations, migrateStore, openStore } from '../../../src/store/index.js';
import { testEngines } from '../../support/test-database.js';

const before0012 = enlaceMigrations.filter((migration) => migration.name < '0012');
const through0012 = enlaceMigrations.filter((migration) => migration.name < '0013');
const minute = (n: number) => `2025-03-12T12:0${n}:00.000Z`;

for (const engine of testEngines()) {
  describe(`migration 0012 on a database with queued deliveries (${engine.name})`, function () {
    this.timeout(60_000);

    it('numbers earlier deliveries per referral and recipient in queue order, and none about no referral', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'enlace-0012-'));
      const database = await engine.create();
      try {
        const store = await openStore({
          databaseUrl: database.env['ENLACE_DATABASE_URL'],
          dataDir,
          migrations: before0012,
        });
        try {
          // Through SQL: the tables as they stood before 0012, not as the schema types say now.
          const { db } = store;
          for (const id of ['police-central', 'casa-refugio']) {
            await sql`INSERT INTO partner (id, name, role, status, created_at, updated_at, version)
              VALUES (${id}, ${id}, 'police', 'active', ${minute(0)}, ${minute(0)}, 1)`.execute(db);
          }
          for (const id of ['r-1', 'r-2']) {
            await sql`INSERT INTO referral (id, message_key, content_hash, sender, recipient,
                pseudonym, event, purpose, data_classes, status, task, task_version,
                payload_key_id, payload, acknowledgement, created_at, updated_at)
              VALUES (${id}, ${`urn:test|${id}`}, 'h', 'police-central', 'casa-refugio', 'k1.p',
                'referral-request', 'shelter', '[]', 'accepted', '{}', 1, 'k', 'sealed', '{}',
                ${minute(0)}, ${minute(0)})`.execute(db);
          }
          // Inserted out of order: the queue time decides, not the insertion.
          for (const [id, recipient, referral, at] of [
            ['d-c', 'police-central', 'r-1', minute(3)],
            ['d-a', 'casa-refugio', 'r-1', minute(1)],
            ['d-b', 'police-central', 'r-1', minute(2)],
            ['d-d', 'police-central', 'r-2', minute(4)],
            ['d-e', 'casa-refugio', null, minute(5)],
          ] as const) {
            await sql`INSERT INTO delivery (id, idempotency_key, recipient, kind, referral_id,
                payload, status, attempts, next_attempt_at, created_at)
              VALUES (${id}, ${id}, ${recipient}, 'task-update', ${referral}, '{}', 'pending', 0, 0,
                ${at})`.execute(db);
          }
          assert.deepEqual((await migrateStore(store, { migrations: through0012 })).applied, [
            '0012-delivery-order',
          ]);
          const numbered = await store.db
            .selectFrom('delivery')
            .select(['id', 'referral_seq'])
            .orderBy('id')
            .execute();
          assert.deepEqual(numbered, [
            { id: 'd-a', referral_seq: 1 },
            { id: 'd-b', referral_seq: 1 },
            { id: 'd-c', referral_seq: 2 },
            { id: 'd-d', referral_seq: 1 },
            { id: 'd-e', referral_seq: null },
          ]);
          await assert.rejects(
            sql`UPDATE delivery SET referral_seq = 1 WHERE id = 'd-c'`.execute(store.db),
            'two deliveries of one referral and recipient cannot share a number',
          );
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
