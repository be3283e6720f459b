import assert from 'node:assert/strict';
import request from 'supertest';
import { listCosignatures, registerWitness } from '../../../src/audit/ledger/index.js';
import { verifyConsistency, verifyInclusion } from '../../../src/audit/merkle/index.js';
import {
  cosign,
  generateCosignerKey,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
} from '../../../src/audit/note/index.js';
import { testEngines } from '../../support/test-database.js';
import { startLedgerHarness, type LedgerHarness } from './ledger-harness.js';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

for (const engine of testEngines()) {
  describe(`the audit log's checkpoints and proofs (${engine.name})`, function () {
    this.timeout(30_000);
    let h: LedgerHarness;

    beforeEach(async () => {
      h = await startLedgerHarness(engine);
    });
    afterEach(() => h.dispose());

    async function checkpointNote(): Promise<string> {
      const res = await request(h.app).get('/audit/checkpoint').expect(200);
      assert.match(res.get('Content-Type') ?? '', /^text\/plain/);
      return res.text;
    }

    it('publishes the log key and a checkpoint only that key signed', async () => {
      await request(h.app).get('/audit/checkpoint').expect(404);
      await h.append(5);
      const signed = await h.ledger.checkpoint();
      assert.equal(signed?.size, 5);
      const vkey = (await request(h.app).get('/audit/log-key').expect(200)).text.trim();
      const verifier = parseVerifierKey(vkey);
      assert.equal(verifier.name, h.test.services.config.auditLogOrigin);
      const opened = openNote(await checkpointNote(), [verifier]);
      const checkpoint = parseCheckpoint(opened.text);
      assert.equal(checkpoint.origin, h.test.services.config.auditLogOrigin);
      assert.equal(checkpoint.size, 5);
      assert.equal(await h.ledger.checkpoint(), undefined, 'no new checkpoint without new entries');
    });

    it('proves each checkpoint consistent with the next, and refuses what it cannot prove', async () => {
      await h.append(3);
      const first = await h.ledger.checkpoint();
      await h.append(10);
      const second = await h.ledger.checkpoint();
      assert.ok(first !== undefined && second !== undefined);
      const res = await request(h.app).get('/audit/proof/consistency?from=3&to=13').expect(200);
      const proof = (res.body as { proof: string[] }).proof.map(bytes);
      assert.equal(verifyConsistency(3, 13, proof, first.root, second.root), true);
      await request(h.app).get('/audit/proof/consistency?from=3&to=14').expect(404);
      await request(h.app).get('/audit/proof/consistency?from=0&to=13').expect(400);
      await request(h.app).get('/audit/proof/consistency?from=5&to=4').expect(400);
      await request(h.app).get('/audit/proof/consistency?from=03&to=13').expect(400);
      const history = await request(h.app).get('/audit/checkpoints?_count=1').expect(200);
      const page = history.body as { checkpoints: { size: number }[]; next?: string };
      assert.deepEqual(
        page.checkpoints.map((c) => c.size),
        [13],
      );
      const rest = await request(h.app)
        .get(page.next ?? '')
        .expect(200);
      assert.deepEqual(
        (rest.body as typeof page).checkpoints.map((c) => c.size),
        [3],
      );
    });

    it('gives auditors inclusion proofs, by index or leaf hash, and audits each request', async () => {
      await h.append(7);
      const checkpoint = await h.ledger.checkpoint();
      assert.ok(checkpoint !== undefined);
      await request(h.app).get('/audit/proof/inclusion?index=2&size=7').expect(401);
      await request(h.app)
        .get('/audit/proof/inclusion?index=2&size=7')
        .set('Authorization', 'Bearer operator')
        .expect(403);
      const before = await h.store.audit.count();
      const res = await request(h.app)
        .get('/audit/proof/inclusion?index=2&size=7')
        .set('Authorization', 'Bearer auditor')
        .expect(200);
      const answer = res.body as { leafHash: string; proof: string[] };
      assert.equal(
        verifyInclusion(bytes(answer.leafHash), 2, 7, answer.proof.map(bytes), checkpoint.root),
        true,
      );
      const byHash = await request(h.app)
        .get(`/audit/proof/inclusion?leaf_hash=${encodeURIComponent(answer.leafHash)}&size=7`)
        .set('Authorization', 'Bearer auditor')
        .expect(200);
      assert.equal((byHash.body as { index: number }).index, 2);
      await request(h.app)
        .get('/audit/proof/inclusion?index=7&size=7')
        .set('Authorization', 'Bearer auditor')
        .expect(404);
      const audited = (await h.store.audit.list({ afterSeq: before })).map((r) => r.event);
      assert.deepEqual(
        audited.map((event) => event.outcome),
        ['0', '0', '4'],
      );
      assert.ok(audited.every((event) => event.agent[0]?.who?.identifier?.value === 'marta'));
    });

    it('keeps a registered witness’s cosignature and refuses any other', async () => {
      await h.append(4);
      await h.ledger.checkpoint();
      const witness = generateCosignerKey('oversight.example.org/witness');
      await registerWitness(h.store.db, witness.verifierKey, new Date());
      const text = openNote(await checkpointNote(), [h.ledger.logKey.signer]).text;
      const line = cosign(text, parseSignerKey(witness.signerKey), 1_760_000_000);
      const post = (cosignature: string, size = 4) =>
        request(h.app)
          .post(`/audit/checkpoints/${size}/cosignatures`)
          .set('Content-Type', 'application/json')
          .send({ cosignature });
      const stranger = generateCosignerKey('stranger.example.org/witness');
      await post(cosign(text, parseSignerKey(stranger.signerKey), 1_760_000_000)).expect(403);
      await post(line.replace(/.{6}\n$/, 'AAAAAA\n')).expect(400);
      await post('not a signature line').expect(400);
      await post(line, 5).expect(404);
      const accepted = await post(line).expect(201);
      assert.ok(accepted.text.endsWith(line));
      const cosigned = openNote(await checkpointNote(), [parseVerifierKey(witness.verifierKey)]);
      assert.deepEqual(cosigned.verifiedBy, ['oversight.example.org/witness']);
      assert.equal((await listCosignatures(h.store.db, 4)).length, 1);
    });
  });
}
