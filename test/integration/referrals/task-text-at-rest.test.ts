import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Bundle, MessageHeader, Task } from '@medplum/fhirtypes';
import request from 'supertest';
import { submissionRoutes } from '../../../src/http/submission-routes.js';
import { taskRoutes } from '../../../src/http/task-routes.js';
import { buildAcknowledgement } from '../../../src/referrals/submission/index.js';
import {
  dumpTables,
  filesHolding,
  sqliteFiles,
  tablesHolding,
} from '../../support/raw-database.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import {
  createReferralNetwork,
  encryptMessage,
  REFERRAL_T0,
  signReferral,
  submitReferral,
  type ReferralNetwork,
} from './referral-fixtures.js';

const PATCH = 'application/json-patch+json';

/** Words that appear only in what the partners write into the Tasks; none may reach the disk. */
const NOTE = 'Quetzalcoatl llamó desde Tlacotalpan';
const OUTPUT = 'Xochimilco habitación Zempoala';
const REASON = 'Huitzilopochtli sin cupo Ixtapaluca';
const CANCEL = 'Coyolxauhqui retirada Tepoztlan';
/** In the recipient's own acknowledgement message, which the gateway keeps as proof of receipt. */
const RECEIPT = 'Tenochtitlan recibida Mictlantecuhtli';
const WORDS = [
  'Quetzalcoatl',
  'Tlacotalpan',
  'Xochimilco',
  'Zempoala',
  'Huitzilopochtli',
  'Ixtapaluca',
  'Coyolxauhqui',
  'Tepoztlan',
  'Tenochtitlan',
  'Mictlantecuhtli',
];

for (const engine of testEngines()) {
  describe(`partners' free text in a Task is sealed at rest (${engine.name})`, function () {
    let database: TestDatabase;
    let network: ReferralNetwork;

    before(async () => {
      database = await engine.create();
      network = await createReferralNetwork({
        env: database.env,
        routes: (test) => [...submissionRoutes(test.services), ...taskRoutes(test.services)],
      });
    });
    after(async () => {
      await network.dispose();
      await database.drop();
    });

    const headerIds = new Map<string, string>();
    async function submit(survivorId: string): Promise<string> {
      await network.recordConsent(survivorId);
      const message = await network.referral(network.police, network.shelter, { survivorId });
      const id = await submitReferral(network.app, network.store, message, 'police-central');
      headerIds.set(id, (message.bundle.entry?.[0]?.resource as MessageHeader).id ?? '');
      return id;
    }

    /** The shelter's signed acknowledgement of a referral, carrying a note of its own. */
    async function acknowledge(id: string): Promise<void> {
      const receipt = buildAcknowledgement({
        respondsTo: headerIds.get(id) ?? '',
        to: 'police-central',
        toEndpoint: 'https://police-central.example.org/fhir',
        focus: `Task/${id}`,
        publicUrl: 'https://casa-refugio.example.org',
        at: new Date(REFERRAL_T0),
      });
      (receipt.entry?.[0]?.resource as MessageHeader).sender = {
        reference: 'Organization/casa-refugio',
      };
      receipt.entry?.push({
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'information', code: 'informational', diagnostics: RECEIPT }],
        },
      });
      const jwe = await encryptMessage(
        await signReferral(receipt, network.shelter),
        network.gatewayKey,
      );
      const res = await request(network.app)
        .post('/fhir/$process-message')
        .set('Authorization', 'Bearer casa-refugio')
        .set('Content-Type', 'application/jose')
        .send(jwe);
      assert.equal(res.status, 200, res.text);
    }

    const patch = (id: string, as: string, version: number, body: unknown) =>
      request(network.app)
        .patch(`/fhir/Task/${id}`)
        .set('Authorization', `Bearer ${as}`)
        .set('Content-Type', PATCH)
        .set('If-Match', `W/"${version}"`)
        .send(JSON.stringify(body))
        .expect(200);

    const read = async (id: string, as: string): Promise<Task> =>
      (
        await request(network.app)
          .get(`/fhir/Task/${id}`)
          .set('Authorization', `Bearer ${as}`)
          .expect(200)
      ).body as Task;

    let completed: string;
    let rejected: string;
    let cancelled: string;

    it('returns notes, statusReason and output text to both parties as written', async () => {
      completed = await submit('text-1');
      await acknowledge(completed);
      await patch(completed, 'casa-refugio', 1, [
        { op: 'replace', path: '/status', value: 'accepted' },
        { op: 'add', path: '/note/-', value: { text: NOTE } },
      ]);
      await patch(completed, 'casa-refugio', 2, [
        { op: 'replace', path: '/status', value: 'in-progress' },
      ]);
      await patch(completed, 'casa-refugio', 3, [
        { op: 'replace', path: '/status', value: 'completed' },
        {
          op: 'add',
          path: '/output/-',
          value: { type: { text: `${OUTPUT} (type)` }, valueString: OUTPUT },
        },
      ]);
      rejected = await submit('text-2');
      await patch(rejected, 'casa-refugio', 1, [
        { op: 'replace', path: '/status', value: 'rejected' },
        {
          op: 'replace',
          path: '/statusReason',
          value: {
            coding: [{ code: 'no-capacity', display: `${REASON} (display)` }],
            text: REASON,
          },
        },
      ]);
      cancelled = await submit('text-3');
      await patch(cancelled, 'police-central', 1, [
        { op: 'replace', path: '/status', value: 'cancelled' },
        { op: 'replace', path: '/statusReason', value: { text: CANCEL } },
      ]);

      for (const party of ['police-central', 'casa-refugio']) {
        const done = await read(completed, party);
        assert.equal(done.status, 'completed');
        assert.equal(done.note?.[0]?.text, NOTE);
        assert.deepEqual(done.note[0].authorReference, { reference: 'Organization/casa-refugio' });
        assert.equal(done.output?.[0]?.valueString, OUTPUT);
        assert.equal((await read(rejected, party)).statusReason?.text, REASON);
        assert.equal((await read(cancelled, party)).statusReason?.text, CANCEL);
      }
      const search = await request(network.app)
        .get('/fhir/Task?owner=Organization/casa-refugio&status=completed')
        .set('Authorization', 'Bearer casa-refugio')
        .expect(200);
      const found = (search.body as Bundle<Task>).entry?.map((entry) => entry.resource);
      assert.deepEqual(
        found?.map((task) => [task?.id, task?.note?.[0]?.text]),
        [[completed, NOTE]],
      );
    });

    it('leaves none of those words in any table, the outbox included', async () => {
      const dump = await dumpTables(database, network.test.dataDir);
      assert.ok((dump.get('referral') ?? []).length >= 3, 'the referrals are there');
      assert.ok((dump.get('delivery') ?? []).length >= 3, 'and their task-update notices');
      // The scan does read text: the partner ids in the clear columns are found.
      assert.deepEqual(tablesHolding(dump, ['casa-refugio']).referral, ['casa-refugio']);
      assert.deepEqual(tablesHolding(dump, WORDS), {});
    });

    if (engine.name === 'sqlite') {
      it('leaves none of them in the database file or its write-ahead log', async () => {
        const open = await sqliteFiles(network.test.dataDir);
        assert.ok((open.get('enlace.db-wal') ?? Buffer.alloc(0)).length > 0, 'the WAL is read');
        assert.ok(Object.keys(filesHolding(open, ['casa-refugio'])).length > 0, 'bytes are read');
        assert.deepEqual(filesHolding(open, WORDS), {});
        // Closing checkpoints the log into the file: read both again afterwards.
        await network.test.closeStore();
        assert.deepEqual(filesHolding(await sqliteFiles(network.test.dataDir), WORDS), {});
      });
    }
  });
}
