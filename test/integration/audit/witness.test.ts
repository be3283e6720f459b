import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCosignatures, registerWitness } from '../../../src/audit/ledger/index.js';
import {
  formatCheckpoint,
  generateCosignerKey,
  generateNoteKey,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../../src/audit/note/index.js';
import { WitnessAlarm, witnessOnce, type WitnessDeps } from '../../../src/audit/witness/index.js';
import { listenLocal, type LocalServer } from '../../support/test-app.js';
import { testEngines } from '../../support/test-database.js';
import { startLedgerHarness, type LedgerHarness } from './ledger-harness.js';

/** A gateway that lies: it serves the given checkpoint note and an empty consistency proof. */
async function liar(note: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/audit/checkpoint') === true) res.end(note);
    else res.end(JSON.stringify({ proof: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

for (const engine of testEngines()) {
  describe(`a witness of the audit log (${engine.name})`, function () {
    this.timeout(30_000);
    let h: LedgerHarness;
    let local: LocalServer;
    let stateDir: string;
    let deps: WitnessDeps;

    before(async () => {
      h = await startLedgerHarness(engine);
      local = await listenLocal(h.app);
      stateDir = await mkdtemp(join(tmpdir(), 'enlace-witness-'));
      const witness = generateCosignerKey('oversight.example.org/witness');
      await registerWitness(h.store.db, witness.verifierKey, new Date());
      deps = {
        gateway: local.url,
        logKey: parseVerifierKey(h.ledger.logKey.verifierKey),
        witnessKey: parseSignerKey(witness.signerKey),
        statePath: join(stateDir, 'state.json'),
        fetch,
        now: () => new Date(),
      };
    });
    after(async () => {
      await local.close();
      await rm(stateDir, { recursive: true, force: true });
      await h.dispose();
    });

    it('cosigns the first checkpoint it sees, then each one consistent with the last', async () => {
      await h.append(3);
      await h.ledger.checkpoint();
      assert.deepEqual(await witnessOnce(deps), { outcome: 'cosigned', size: 3 });
      assert.equal((await listCosignatures(h.store.db, 3)).length, 1);
      assert.deepEqual(await witnessOnce(deps), { outcome: 'unchanged', size: 3 });
      // Accepting the cosignature was itself recorded: the log is one entry longer than the appends.
      await h.append(4);
      const second = await h.ledger.checkpoint();
      assert.equal(second?.size, 8);
      assert.deepEqual(await witnessOnce(deps), { outcome: 'cosigned', size: 8, from: 3 });
      assert.equal((await listCosignatures(h.store.db, 8)).length, 1);
    });

    const forged = (size: number) =>
      signNote(
        formatCheckpoint({
          origin: h.ledger.origin,
          size,
          rootHash: new Uint8Array(randomBytes(32)),
        }),
        [h.ledger.logKey.signer],
      );

    for (const [name, size, alarm] of [
      ['a split view: the same size with another root', 8, /SPLIT VIEW/],
      ['a rollback to a smaller size', 5, /ROLLBACK/],
      ['a larger checkpoint that does not extend the last one', 12, /INCONSISTENT/],
    ] as const) {
      it(`raises the alarm on ${name}, even signed with the log key`, async () => {
        const fake = await liar(forged(size));
        try {
          await assert.rejects(witnessOnce({ ...deps, gateway: fake.url }), (error: unknown) => {
            assert.ok(error instanceof WitnessAlarm);
            assert.match(error.message, alarm);
            return true;
          });
        } finally {
          fake.server.close();
        }
      });
    }

    it('refuses a checkpoint not signed by the log key', async () => {
      // A key with the log's own name but another secret: what an impostor would sign with.
      const other = parseSignerKey(generateNoteKey(h.ledger.origin).signerKey);
      const fake = await liar(
        signNote(
          formatCheckpoint({ origin: h.ledger.origin, size: 8, rootHash: new Uint8Array(32) }),
          [other],
        ),
      );
      try {
        await assert.rejects(
          witnessOnce({ ...deps, gateway: fake.url }),
          /not signed by the log key/,
        );
      } finally {
        fake.server.close();
      }
    });
  });
}
