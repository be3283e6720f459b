// Task free text told to the other party waits in the outbox sealed: a copy of the database shows none of it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Task } from '@medplum/fhirtypes';
import pg from 'pg';
import request from 'supertest';
import { openDeliveryPayload } from '../../../src/referrals/index.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import {
  createReferralNetwork,
  submitReferral,
  type ReferralNetwork,
} from './referral-fixtures.js';

/** Words that appear nowhere but in what the partners wrote into the Task. */
const WORDS = ['Quetzalcoatlus', 'zarzamora', 'Ornitorrinco'];
const NOTE = `${WORDS[0] ?? ''} dijo que la esperan en la ${WORDS[1] ?? ''}`;
const OUTPUT = `Plaza asignada: ${WORDS[2] ?? ''}`;

for (const engine of testEngines()) {
  describe(`Task updates in the outbox, at rest (${engine.name})`, function () {
    let database: TestDatabase;
    let net: ReferralNetwork;
    let referralId: string;

    const patch = (version: number, operations: unknown[]) =>
      request(net.app)
        .patch(`/fhir/Task/${referralId}`)
        .set('Authorization', `Bearer ${net.shelter.id}`)
        .set('Content-Type', 'application/json-patch+json')
        .set('If-Match', `W/"${version}"`)
        .send(JSON.stringify(operations))
        .expect(200);

    before(async () => {
      database = await engine.create();
      net = await createReferralNetwork({ env: database.env });
      const survivor = `S-${randomUUID()}`;
      await net.recordConsent(survivor);
      referralId = await submitReferral(
        net.app,
        net.store,
        await net.referral(net.police, net.shelter, { survivorId: survivor }),
        net.police.id,
      );
      await patch(1, [
        { op: 'replace', path: '/status', value: 'accepted' },
        { op: 'add', path: '/note', value: [{ text: NOTE }] },
      ]);
      await patch(2, [{ op: 'replace', path: '/status', value: 'in-progress' }]);
      await patch(3, [
        { op: 'replace', path: '/status', value: 'completed' },
        {
          op: 'add',
          path: '/output/-',
          value: { type: { text: 'placement' }, valueString: OUTPUT },
        },
      ]);
    });
    after(async () => {
      await net.dispose();
      await database.drop();
    });

    it('queued each update for the station with its free text, sealed', async () => {
      const rows = await net.store.db
        .selectFrom('delivery')
        .selectAll()
        .where('kind', '=', 'task-update')
        .where('referral_id', '=', referralId)
        .orderBy('referral_seq')
        .execute();
      assert.deepEqual(
        rows.map((row) => [row.recipient, row.referral_seq]),
        [
          [net.police.id, 1],
          [net.police.id, 2],
          [net.police.id, 3],
        ],
      );
      // The test could fail: the words are in what is queued, once opened with the vault.
      const last = (await openDeliveryPayload(
        net.test.services.vault,
        rows[2] ?? rows[0] ?? { id: '', payload: '' },
      )) as Task;
      assert.equal(last.note?.[0]?.text, NOTE);
      assert.equal(last.output?.[0]?.valueString, OUTPUT);
      for (const row of rows) assert.match(row.payload, /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\./);
    });

    if (engine.name === 'sqlite') {
      it('leaves none of their words in the database file or its write-ahead log', async () => {
        const file = join(net.test.dataDir, 'enlace.db');
        const bytes = Buffer.concat([
          await readFile(file),
          await readFile(`${file}-wal`).catch(() => Buffer.alloc(0)),
        ]);
        assert.ok(bytes.length > 0);
        for (const word of WORDS) {
          for (const encoding of ['utf8', 'utf16le'] as const) {
            assert.equal(
              bytes.indexOf(Buffer.from(word, encoding)),
              -1,
              `"${word}" (${encoding}) is readable in the database files`,
            );
          }
        }
      });
    } else {
      it('leaves none of their words in a text dump of the outbox table', async () => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          const { rows } = await client.query<{ line: string }>(
            'SELECT delivery::text AS line FROM delivery ORDER BY id',
          );
          assert.ok(rows.length >= 4, 'the referral and its three updates');
          const dump = rows.map((row) => row.line).join('\n');
          for (const word of WORDS) assert.ok(!dump.includes(word), `"${word}" is in the dump`);
        } finally {
          await client.end();
        }
      });
    }
  });
}
