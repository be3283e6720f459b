import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import request from 'supertest';
import { leafHashOfStored } from '../../../src/audit/ledger-entry.js';
import { appendLeaf, compactRangeRoot, EMPTY_RANGE } from '../../../src/audit/merkle/index.js';
import {
  formatCheckpoint,
  generateNoteKey,
  parseSignerKey,
  signNote,
} from '../../../src/audit/note/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { startGateway } from '../../../src/gateway.js';
import { encodeFrontier } from '../../../src/store/shared/frontier.js';
import { silentLogger } from '../../support/memory-log.js';
import { testEngines } from '../../support/test-database.js';
import { startLedgerHarness, type LedgerHarness } from './ledger-harness.js';

const failure = (verdict: { ok: boolean; reason?: string }): string => {
  assert.equal(verdict.ok, false, 'the tampering went unnoticed');
  return verdict.reason ?? '';
};

for (const engine of testEngines()) {
  describe(`a superuser tampering with the audit log (${engine.name})`, function () {
    this.timeout(60_000);
    let h: LedgerHarness;

    beforeEach(async () => {
      h = await startLedgerHarness(engine);
      await h.append(6);
      await h.ledger.checkpoint();
    });
    afterEach(() => h.dispose());

    /** The counter row as it stands, to put back later as a restore would. */
    const counter = () =>
      h.store.db
        .selectFrom('audit_sequence')
        .select(['last_seq', 'frontier'])
        .executeTakeFirstOrThrow();

    it('an entry altered: the scan names its index, and readiness turns', async () => {
      await h.append(4);
      await h.tamper([
        `UPDATE audit_event SET resource = replace(resource, 'police-central', 'police-norte') WHERE seq = 3`,
      ]);
      const ledger = await h.reopen();
      assert.equal(ledger.integrity().ok, true, 'the quick check reads no entry');
      assert.match(failure(await ledger.scan()), /entry at index 2 does not hash to its leaf/);
      assert.match(failure(ledger.integrity()), /index 2/);
      assert.equal(await ledger.checkpoint(), undefined, 'no checkpoint over an altered log');
    });

    it('an entry deleted from the middle', async () => {
      await h.tamper(['DELETE FROM audit_event WHERE seq = 3']);
      assert.match(
        failure((await h.reopen()).integrity()),
        /holds 5 entries but the log counter says 6/,
      );
    });

    it('the tail truncated, counter and tree cut back too', async () => {
      await h.tamper([
        'DELETE FROM audit_event WHERE seq > 4',
        'DELETE FROM audit_event_ref WHERE seq > 4',
      ]);
      await rebuildNodes(h);
      assert.match(
        failure((await h.reopen()).integrity()),
        /holds 4 entries but the latest checkpoint in the database was signed at size 6: the log was rolled back or truncated/,
      );
    });

    it('an older state restored, its checkpoints too: the copy in the data directory remembers', async () => {
      const older = await counter();
      await h.append(5);
      await h.ledger.checkpoint();
      await h.tamper([
        'DELETE FROM audit_event WHERE seq > 6',
        'DELETE FROM audit_event_ref WHERE seq > 6',
        'DELETE FROM audit_tree_node WHERE (level = 0 AND idx >= 6) OR (level = 1 AND idx >= 3) OR (level = 2 AND idx >= 1) OR level >= 3',
        'DELETE FROM audit_checkpoint WHERE size > 6',
        `UPDATE audit_sequence SET last_seq = ${older.last_seq}, frontier = '${older.frontier}'`,
      ]);
      await rebuildNodes(h);
      assert.match(
        failure((await h.reopen()).integrity()),
        /the checkpoint kept in the data directory was signed at size 11: the log was rolled back/,
      );
    });

    if (engine.name === 'sqlite') {
      it('an older database file copied back over the current one', async () => {
        await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(h.store.db);
        const file = join(h.test.dataDir, 'enlace.db');
        await copyFile(file, `${file}.old`);
        await h.append(5);
        await h.ledger.checkpoint();
        await h.store.close();
        await copyFile(`${file}.old`, file);
        const { openStore } = await import('../../../src/store/index.js');
        const restored = await openStore({ dataDir: h.test.dataDir });
        try {
          const { openLedger } = await import('../../../src/audit/ledger/index.js');
          const ledger = await openLedger({
            store: restored,
            dataDir: h.test.dataDir,
            origin: h.test.services.config.auditLogOrigin,
            clock: () => new Date(),
          });
          assert.match(failure(ledger.integrity()), /signed at size 11: the log was rolled back/);
        } finally {
          await restored.close();
          await h.tamper([]).catch(() => undefined);
        }
      });
    }

    it('the whole log rewritten and re-signed without the log key', async () => {
      await h.tamper([
        `UPDATE audit_event SET resource = replace(resource, 'police-central', 'police-norte')`,
        'DELETE FROM audit_tree_node',
        'DELETE FROM audit_checkpoint',
      ]);
      const root = await rebuildNodes(h);
      const forger = parseSignerKey(
        generateNoteKey(h.test.services.config.auditLogOrigin).signerKey,
      );
      const note = signNote(formatCheckpoint({ origin: forger.name, size: 6, rootHash: root }), [
        forger,
      ]);
      await h.store.db
        .insertInto('audit_checkpoint')
        .values({ size: 6, root, note, created_at: new Date().toISOString() })
        .execute();
      assert.match(
        failure((await h.reopen()).integrity()),
        /the latest checkpoint in the database is not a checkpoint signed by this gateway's log key/,
      );
    });

    it('a gateway started on a rolled-back log stays unready and says why', async () => {
      await h.tamper(['DELETE FROM audit_checkpoint', 'DELETE FROM audit_event WHERE seq > 4']);
      await rebuildNodes(h);
      const { config } = loadConfig({
        ...(h.store.dialect === 'postgres'
          ? { ENLACE_DATABASE_URL: h.test.services.config.databaseUrl ?? '' }
          : {}),
        ENLACE_DATA_DIR: h.test.dataDir,
        ENLACE_PUBLIC_URL: h.test.services.config.publicUrl,
        ENLACE_PORT: '0',
        ENLACE_LOG_LEVEL: 'silent',
      });
      const gateway = await startGateway(config, silentLogger());
      try {
        const res = await request(gateway.url).get('/readyz');
        assert.equal(res.status, 503);
        assert.match(res.text, /audit-log: not ready/);
      } finally {
        await gateway.shutdown(500);
      }
    });
  });
}

/** Recomputes the tree and the frontier from the rows, as a superuser covering tracks would. */
async function rebuildNodes(h: LedgerHarness): Promise<Uint8Array> {
  const rows = await h.store.db
    .selectFrom('audit_event')
    .select(['seq', 'resource'])
    .orderBy('seq')
    .execute();
  let range = EMPTY_RANGE;
  await h.tamper(['DELETE FROM audit_tree_node']);
  for (const row of rows) {
    const appended = appendLeaf(range, leafHashOfStored(row.resource));
    range = appended.range;
    for (const node of appended.completed) {
      await h.store.db
        .insertInto('audit_tree_node')
        .values({ level: node.level, idx: node.index, hash: node.hash })
        .execute();
    }
  }
  await h.store.db
    .updateTable('audit_sequence')
    .set({ last_seq: range.size, frontier: encodeFrontier(range) })
    .execute();
  return compactRangeRoot(range);
}
