// The verifier's trust anchors: the log key's checkpoint, witness cosignatures, and the auditor's earlier checkpoint.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCheckpoint, parseVerifierKey, signNote } from '../../../src/audit/note/index.js';
import {
  cosignedCheckpoint,
  newLogSigner,
  newWitnessSigner,
  type ExportFixture,
} from '../../support/audit-export-fixture.js';
import {
  assertFailed,
  assertVerified,
  editLines,
  editManifest,
  Scratch,
  verifyWith,
  witnessKeysOf,
} from './verify-export-support.js';

const CHECKPOINT = 'checkpoint.txt';
const otherRoot = (root: Uint8Array): Uint8Array =>
  root.map((byte, i) => (i === 0 ? byte ^ 1 : byte));

/** A consistency line with its root, or its proof's first hash, changed by one bit. */
function alterHash(line: string, member: 'root' | 'proof'): string {
  const parsed = JSON.parse(line) as { root: string; proof: string[] };
  const alter = (hash: string) =>
    Buffer.from(otherRoot(Buffer.from(hash, 'base64'))).toString('base64');
  if (member === 'root') parsed.root = alter(parsed.root);
  else parsed.proof[0] = alter(parsed.proof[0]!);
  return JSON.stringify(parsed);
}

describe('verifying the checkpoint, witnesses and an earlier checkpoint of an export', function () {
  this.timeout(60_000);
  let scratch: Scratch;
  let complete: ExportFixture;
  let filtered: ExportFixture;

  before(async () => {
    scratch = await Scratch.create();
    const logSigner = newLogSigner();
    const witnessSigners = [
      newWitnessSigner('oversight.example.org'),
      newWitnessSigner('ministry.example.org'),
    ];
    const shared = { size: 50, checkpointSizes: [8, 20, 50], logSigner, witnessSigners };
    complete = await scratch.fixture(shared);
    filtered = await scratch.fixture({ ...shared, indexes: [0, 19, 20, 49] });
  });
  after(() => scratch.remove());

  describe('the checkpoint', () => {
    it('refuses a checkpoint signed by another key under the same name (forged)', async () => {
      for (const fixture of [complete, filtered]) {
        const dir = await scratch.copy(fixture);
        const forger = newLogSigner(fixture.logSigner.name);
        await writeFile(join(dir, CHECKPOINT), cosignedCheckpoint(forger, [], 50, fixture.root));
        const result = await verifyWith(fixture, dir);
        assertFailed(result, 'CHECKPOINT_INVALID', 'absent');
        assert.equal(result.message, 'the checkpoint is not signed by the log key');
        assert.equal(result.detail, 'signature verification failed');
      }
    });

    it('refuses a checkpoint whose root was changed under the log signature', async () => {
      const dir = await scratch.copy(complete);
      const note = await readFile(join(dir, CHECKPOINT), 'utf8');
      const [origin, size, root, ...rest] = note.split('\n');
      const changed = Buffer.from(otherRoot(Buffer.from(root!, 'base64'))).toString('base64');
      await writeFile(join(dir, CHECKPOINT), [origin, size, changed, ...rest].join('\n'));
      assertFailed(await verifyWith(complete, dir), 'CHECKPOINT_INVALID');
    });

    it('refuses entries that do not hash to a root the log key did sign', async () => {
      for (const [fixture, reason] of [
        [complete, 'ROOT_MISMATCH'],
        [filtered, 'ENTRY_NOT_INCLUDED'],
      ] as const) {
        const dir = await scratch.copy(fixture);
        const note = cosignedCheckpoint(fixture.logSigner, [], 50, otherRoot(fixture.root));
        await writeFile(join(dir, CHECKPOINT), note);
        assertFailed(await verifyWith(fixture, dir), reason);
      }
    });

    it('refuses a checkpoint that is not what the manifest says (size, origin)', async () => {
      const edits = [
        (audit: Record<string, unknown>) => (audit.treeSize = 51),
        (audit: Record<string, unknown>) => (audit.origin = 'other.example.org/log'),
      ];
      for (const edit of edits) {
        const dir = await scratch.copy(filtered);
        await editManifest(dir, (_, audit) => edit(audit));
        assertFailed(await verifyWith(filtered, dir), 'CHECKPOINT_MISMATCH');
      }
    });

    it('refuses a missing or malformed checkpoint note', async () => {
      for (const content of ['', 'enlace.example.org/audit-log\n50\n', 'not a note\n\n— x y\n']) {
        const dir = await scratch.copy(complete);
        await writeFile(join(dir, CHECKPOINT), content);
        assertFailed(await verifyWith(complete, dir), 'CHECKPOINT_INVALID');
      }
    });
  });

  describe('witness cosignatures', () => {
    it('reports each witness key that cosigned', async () => {
      const result = await verifyWith(complete, complete.dir, {
        witnessKeys: witnessKeysOf(complete),
      });
      assertVerified(result);
      assert.deepEqual(
        result.witnesses.map((w) => [w.name, w.ok]),
        [
          ['oversight.example.org', true],
          ['ministry.example.org', true],
        ],
      );
    });

    it('names a witness whose cosignature is missing, and keeps the others', async () => {
      const dir = await scratch.copy(complete);
      await editLines(dir, CHECKPOINT, (lines) =>
        lines.filter((line) => !line.includes('ministry')),
      );
      const result = await verifyWith(complete, dir, { witnessKeys: witnessKeysOf(complete) });
      assertFailed(result, 'WITNESS_COSIGNATURE_INVALID');
      assert.deepEqual(result.witnesses, [
        { name: 'oversight.example.org', ok: true, timestamp: 1_750_000_000 },
        { name: 'ministry.example.org', ok: false, problem: 'missing' },
      ]);
      assert.equal(result.detail, 'ministry.example.org: missing');
    });

    it('names a witness whose cosignature does not verify', async () => {
      const dir = await scratch.copy(complete);
      await editLines(dir, CHECKPOINT, (lines) =>
        lines.map((line) => {
          if (!line.includes('oversight')) return line;
          const payload = Buffer.from(line.slice(line.lastIndexOf(' ') + 1), 'base64');
          payload[20] = (payload[20] ?? 0) ^ 1;
          return `${line.slice(0, line.lastIndexOf(' ') + 1)}${payload.toString('base64')}`;
        }),
      );
      const result = await verifyWith(complete, dir, { witnessKeys: witnessKeysOf(complete) });
      assertFailed(result, 'WITNESS_COSIGNATURE_INVALID');
      assert.deepEqual(result.witnesses[0], {
        name: 'oversight.example.org',
        ok: false,
        problem: 'invalid',
      });
    });

    it('refuses a cosignature the witness made over another checkpoint', async () => {
      const dir = await scratch.copy(complete);
      const [oversight] = complete.witnessSigners;
      const elsewhere = cosignedCheckpoint(
        complete.logSigner,
        [oversight!],
        50,
        otherRoot(complete.root),
      );
      const stolen = elsewhere.split('\n').find((line) => line.includes('oversight'))!;
      const own = cosignedCheckpoint(complete.logSigner, [], 50, complete.root);
      await writeFile(join(dir, CHECKPOINT), `${own}${stolen}\n`);
      const result = await verifyWith(complete, dir, {
        witnessKeys: witnessKeysOf(complete).slice(0, 1),
      });
      assertFailed(result, 'WITNESS_COSIGNATURE_INVALID');
      assert.equal(result.witnesses[0]?.problem, 'invalid');
    });

    it('reports a witness key that never cosigned as missing', async () => {
      const stranger = parseVerifierKey(newWitnessSigner('stranger.example.org').verifierKey);
      const result = await verifyWith(complete, complete.dir, { witnessKeys: [stranger] });
      assertFailed(result, 'WITNESS_COSIGNATURE_INVALID');
      assert.deepEqual(result.witnesses, [
        { name: 'stranger.example.org', ok: false, problem: 'missing' },
      ]);
    });
  });

  describe('an earlier checkpoint the auditor kept', () => {
    it('is proven consistent at every size the log checkpointed, for both kinds of export', async () => {
      for (const fixture of [complete, filtered]) {
        for (const size of [8, 20, 50]) {
          const result = await verifyWith(fixture, fixture.dir, {
            earlierCheckpoint: fixture.earlierNotes.get(size)!,
          });
          assertVerified(result);
          assert.deepEqual(result.earlier, { size, ok: true });
        }
      }
    });

    it('detects a split view: same size, another root, both signed by the log key', async () => {
      for (const fixture of [complete, filtered]) {
        for (const size of [8, 50]) {
          const root = otherRoot(fixture.root);
          const fork = cosignedCheckpoint(fixture.logSigner, [], size, root);
          const result = await verifyWith(fixture, fixture.dir, { earlierCheckpoint: fork });
          assertFailed(result, 'EARLIER_CHECKPOINT_INCONSISTENT');
          assert.deepEqual(result.earlier, { size, ok: false });
        }
      }
    });

    it('refuses an earlier checkpoint larger than the export (a rollback)', async () => {
      const larger = cosignedCheckpoint(complete.logSigner, [], 51, complete.root);
      const result = await verifyWith(complete, complete.dir, { earlierCheckpoint: larger });
      assertFailed(result, 'EARLIER_CHECKPOINT_NEWER');
    });

    it('refuses an earlier checkpoint not signed by the log key, or of another log', async () => {
      const note = complete.earlierNotes.get(20)!;
      const forged = cosignedCheckpoint(newLogSigner(), [], 20, complete.root);
      const edited = note.replace('enlace.example.org/audit-log\n', 'other.example.org/log\n');
      const otherLog = signNote(
        formatCheckpoint({ origin: 'other.example.org/log', size: 20, rootHash: complete.root }),
        [complete.logSigner],
      );
      for (const earlier of [forged, edited, otherLog, 'garbage', Buffer.from([0xff, 0xfe])]) {
        const result = await verifyWith(complete, complete.dir, { earlierCheckpoint: earlier });
        assertFailed(result, 'EARLIER_CHECKPOINT_INVALID');
      }
    });

    it('refuses, for a filtered export, an earlier size it holds no consistency proof for', async () => {
      const dir = await scratch.copy(filtered);
      await editLines(dir, 'consistency.ndjson', (lines) =>
        lines.filter((line) => !line.includes('"size":20}')),
      );
      const result = await verifyWith(filtered, dir, {
        earlierCheckpoint: filtered.earlierNotes.get(20)!,
      });
      assertFailed(result, 'EARLIER_CHECKPOINT_UNPROVEN');
    });

    it('refuses a consistency line whose root or proof was altered, or whose size is out of order', async () => {
      const edits: ((lines: string[]) => string[])[] = [
        (lines) => lines.map((line, i) => (i === 0 ? alterHash(line, 'root') : line)),
        (lines) => lines.map((line, i) => (i === 1 ? alterHash(line, 'proof') : line)),
        (lines) => [...lines].reverse(),
        (lines) => [lines[0]!.replace('"size":8', '"size":50')],
        (lines) => [lines[0]!.replace('"size":8', '"size":0')],
        (lines) => [lines[0]!.replace('"size":8', '"size":8.5')],
        () => ['{"size":8}'],
      ];
      for (const edit of edits) {
        const dir = await scratch.copy(filtered);
        await editLines(dir, 'consistency.ndjson', edit);
        assertFailed(await verifyWith(filtered, dir), 'CONSISTENCY_INVALID');
      }
    });
  });
});
