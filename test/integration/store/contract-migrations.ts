// Contract: migrations apply once, are idempotent, roll back whole and refuse a newer schema.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { enlaceMigrations, migrateStore, StoreError } from '../../../src/store/index.js';
import type { Store, StoreMigration } from '../../../src/store/index.js';
import { buildAuditEvent } from './fixtures.js';
import type { HarnessSlot } from './store-harness.js';

type MigrationTables = { kysely_migration: { name: string; timestamp: string } };

const failing: StoreMigration = {
  name: '0999-test-fails-halfway',
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
    await sql`INSERT INTO kv_entry (key, value, expires_at) VALUES ('half', 'done', 1)`.execute(db);
    throw new Error('boom');
  },
};

const failingOnFreshDatabase: StoreMigration = {
  name: '0999-test-fails-halfway',
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
    throw new Error('boom');
  },
};

async function tableNames(store: Store): Promise<string[]> {
  const tables = await store.db.introspection.getTables({ withInternalKyselyTables: true });
  return tables.map((table) => table.name).sort();
}

async function appliedMigrations(store: Store): Promise<{ name: string; timestamp: string }[]> {
  return store.db
    .withTables<MigrationTables>()
    .selectFrom('kysely_migration')
    .select(['name', 'timestamp'])
    .orderBy('name')
    .execute();
}

async function schemaSnapshot(store: Store): Promise<unknown> {
  return {
    tables: await store.db.introspection.getTables({ withInternalKyselyTables: true }),
    migrations: await appliedMigrations(store),
    sequence: await store.db.selectFrom('audit_sequence').selectAll().execute(),
  };
}

function isMigrationFailure(error: unknown, migration: string): boolean {
  assert.ok(error instanceof StoreError);
  assert.equal(error.code, 'ENLACE_STORE_MIGRATION_FAILED');
  assert.match(error.message, new RegExp(`"${migration}" failed`));
  assert.ok(error.cause instanceof Error);
  assert.equal(error.cause.message, 'boom');
  return true;
}

export function defineMigrationContract(slot: HarnessSlot): void {
  describe('migrations', function () {
    it('applies every migration exactly once on a fresh database', async function () {
      const store = await slot.current().open();
      const applied = await appliedMigrations(store);
      assert.deepEqual(
        applied.map((row) => row.name),
        enlaceMigrations.map((migration) => migration.name),
      );
      const tables = await tableNames(store);
      for (const table of ['audit_event', 'audit_sequence', 'kv_entry', 'readiness_probe']) {
        assert.ok(tables.includes(table), `${table} exists`);
      }
    });

    it('changes nothing when the migrations run again', async function () {
      const store = await slot.current().open();
      const before = await schemaSnapshot(store);
      const report = await migrateStore(store);
      assert.deepEqual(report.applied, []);
      const reopened = await slot.current().open();
      assert.deepEqual(await schemaSnapshot(reopened), before);
      assert.deepEqual(await schemaSnapshot(store), before);
    });

    it('rolls back every pending migration when one of them fails', async function () {
      const harness = slot.current();
      await assert.rejects(
        harness.open({ migrations: [...enlaceMigrations, failingOnFreshDatabase] }),
        (error) => isMigrationFailure(error, failingOnFreshDatabase.name),
      );
      const inspector = await harness.open({ migrations: [] });
      const tables = await tableNames(inspector);
      assert.ok(!tables.includes('half_done'), 'the failing migration left no table');
      assert.ok(!tables.includes('audit_event'), 'the earlier pending migration was rolled back');
      assert.deepEqual(await appliedMigrations(inspector), []);
    });

    it('keeps the earlier schema and data when a later migration fails', async function () {
      const store = await slot.current().open();
      await store.audit.append(buildAuditEvent());
      const before = await schemaSnapshot(store);

      await assert.rejects(
        migrateStore(store, { migrations: [...enlaceMigrations, failing] }),
        (error) => isMigrationFailure(error, failing.name),
      );

      assert.deepEqual(await schemaSnapshot(store), before);
      assert.ok(!(await tableNames(store)).includes('half_done'));
      assert.equal(await store.kv.get('half', new Date(0)), undefined);
      assert.equal(await store.audit.count(), 1);
    });

    it('refuses a database whose schema is newer than this build', async function () {
      const harness = slot.current();
      const store = await harness.open();
      await store.db
        .withTables<MigrationTables>()
        .insertInto('kysely_migration')
        .values({ name: '0007-x', timestamp: new Date(0).toISOString() })
        .execute();

      const expected = (error: unknown): boolean => {
        assert.ok(error instanceof StoreError);
        assert.equal(error.code, 'ENLACE_STORE_SCHEMA_NEWER');
        assert.equal(
          error.message,
          'database schema is newer than this Enlace (unknown migration "0007-x"); ' +
            'upgrade Enlace or point ENLACE_DATABASE_URL at another database',
        );
        return true;
      };
      await assert.rejects(harness.open(), expected);
      await assert.rejects(migrateStore(store), expected);
    });
  });
}
