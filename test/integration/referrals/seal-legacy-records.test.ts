import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consent, Task } from '@medplum/fhirtypes';
import { sealLegacyConsents } from '../../../src/consent/index.js';
import { createPayloadVault, type PayloadVault } from '../../../src/crypto/index.js';
import {
  openRecipientAcknowledgement,
  openTask,
  sealLegacyReferralRecords,
} from '../../../src/referrals/index.js';
import { toReferralRecord } from '../../../src/referrals/referral-repository.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';

const AT = '2025-03-12T12:00:00.000Z';
const task: Task = {
  resourceType: 'Task',
  id: 'r-old',
  status: 'accepted',
  intent: 'order',
  note: [{ text: 'Nota escrita antes del sellado' }],
};
const receipt = { resourceType: 'Bundle', type: 'message', entry: [] };
const consent: Consent = {
  resourceType: 'Consent',
  id: 'c-old',
  status: 'inactive',
  scope: { text: 'privacy' },
  category: [{ text: 'Consentimiento antiguo' }],
  extension: [{ url: 'https://example.org/reason', valueString: 'Razón escrita en claro' }],
};

for (const engine of testEngines()) {
  describe(`records an earlier version stored in the clear are sealed at start (${engine.name})`, function () {
    let database: TestDatabase;
    let dataDir: string;
    let store: Store;
    let vault: PayloadVault;

    before(async () => {
      database = await engine.create();
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-legacy-'));
      store = await openStore({ databaseUrl: database.env['ENLACE_DATABASE_URL'], dataDir });
      vault = await createPayloadVault({
        current: 'kek-1',
        keks: [{ id: 'kek-1', key: new Uint8Array(32).fill(3) }],
      });
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
      await store.db
        .insertInto('referral')
        .values({
          id: 'r-old',
          message_key: 'urn:test|old',
          content_hash: 'hash',
          sender: 'police-central',
          recipient: 'casa-refugio',
          pseudonym: 'k1.p',
          event: 'referral-request',
          purpose: 'shelter',
          data_classes: '[]',
          status: 'accepted',
          task: JSON.stringify(task),
          task_version: 3,
          payload_key_id: 'kek-1',
          payload: 'sealed-elsewhere',
          acknowledgement: '{}',
          recipient_acknowledgement: JSON.stringify(receipt),
          created_at: AT,
          updated_at: AT,
        })
        .execute();
      await store.db
        .insertInto('task_version')
        .values({
          referral_id: 'r-old',
          version: 3,
          status: 'accepted',
          task: JSON.stringify(task),
          changed_at: AT,
          change: 'migrated',
        })
        .execute();
      await store.db
        .insertInto('consent')
        .values({
          id: 'c-old',
          version: 2,
          pseudonym: 'k1.p',
          key_id: 'k1',
          status: 'inactive',
          recorder: 'police-central',
          recorded_at: AT,
          updated_at: AT,
          resource: JSON.stringify(consent),
        })
        .execute();
      await store.db
        .insertInto('consent_version')
        .values(
          [1, 2].map((version) => ({
            id: 'c-old',
            version,
            resource: JSON.stringify(consent),
            changed_at: AT,
            changed_by: 'Organization/police-central',
            change: version === 1 ? 'create' : 'revoke',
          })),
        )
        .execute();
    });
    after(async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
      await database.drop();
    });

    it('seals each value under its own record and version, once', async () => {
      assert.equal(await sealLegacyReferralRecords(store, vault), 3);
      assert.equal(await sealLegacyConsents(store, vault), 3);
      assert.equal(await sealLegacyReferralRecords(store, vault), 0, 'nothing is sealed twice');
      assert.equal(await sealLegacyConsents(store, vault), 0);

      const row = await store.db.selectFrom('referral').selectAll().executeTakeFirstOrThrow();
      const record = toReferralRecord(row);
      assert.match(row.task, /^eyJ/);
      assert.deepEqual(await openTask(vault, record), task);
      assert.deepEqual(await openRecipientAcknowledgement(vault, record), receipt);
      const version = await store.db
        .selectFrom('task_version')
        .selectAll()
        .executeTakeFirstOrThrow();
      assert.deepEqual(await openTask(vault, { ...record, sealedTask: version.task }), task);

      const context = (id: string, v: number) => `consent:${id}:${v}`;
      const current = await store.db.selectFrom('consent').selectAll().executeTakeFirstOrThrow();
      const opened = await vault.open(current.resource, context('c-old', 2));
      assert.deepEqual(JSON.parse(new TextDecoder().decode(opened)), consent);
      for (const kept of await store.db.selectFrom('consent_version').selectAll().execute()) {
        assert.match(kept.resource, /^eyJ/);
        await vault.open(kept.resource, context(kept.id, kept.version));
      }
      // Bound to its version: a blob put back under another version does not open.
      await assert.rejects(vault.open(current.resource, context('c-old', 1)), {
        code: 'ENLACE_SEALED_RECORD_UNREADABLE',
      });
    });
  });
}
