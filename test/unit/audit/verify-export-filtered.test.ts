// The verifier on filtered exports: each line with its own inclusion proof into the checkpoint tree.
import assert from 'node:assert/strict';
import { toHashBase64 } from '../../../src/audit/export-format/index.js';
import type { ExportFixture } from '../../support/audit-export-fixture.js';
import {
  assertFailed,
  assertVerified,
  editLines,
  editManifest,
  replaceMember,
  Scratch,
  verifyWith,
  witnessKeysOf,
} from './verify-export-support.js';

const ENTRIES = 'AuditEvent.ndjson';
const PROOFS = 'proofs.ndjson';
const INDEXES = [2, 5, 17, 31, 32, 59];

/** Rewrites proofs line `k` through `edit` on its parsed form. */
const editProof =
  (k: number, edit: (line: { index: unknown; proof: unknown[] }) => unknown) =>
  (lines: string[]): string[] =>
    lines.map((line, i) =>
      i === k
        ? JSON.stringify(edit(JSON.parse(line) as { index: unknown; proof: unknown[] }))
        : line,
    );

const flipFirstChar = (hash: unknown): string => {
  const text = String(hash);
  return `${text[0] === 'A' ? 'B' : 'A'}${text.slice(1)}`;
};

describe('verifying a filtered audit export', function () {
  this.timeout(60_000);
  let scratch: Scratch;
  let fixture: ExportFixture;

  before(async () => {
    scratch = await Scratch.create();
    fixture = await scratch.fixture({
      size: 60,
      indexes: INDEXES,
      checkpointSizes: [7, 33],
      witnesses: 1,
    });
  });
  after(() => scratch.remove());

  it('verifies each entry by its inclusion proof, with witnesses and an earlier checkpoint', async () => {
    const result = await verifyWith(fixture, fixture.dir, {
      witnessKeys: witnessKeysOf(fixture),
      earlierCheckpoint: fixture.earlierNotes.get(33)!,
    });
    assertVerified(result);
    assert.equal(result.entries, INDEXES.length);
    assert.equal(result.complete, false);
    assert.equal(result.root, toHashBase64(fixture.root));
    assert.deepEqual(result.earlier, { size: 33, ok: true });
  });

  it('reports an altered line at its leaf index', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) =>
      lines.map((line, i) => (i === 2 ? replaceMember(line, 'outcome', '12') : line)),
    );
    const result = await verifyWith(fixture, dir);
    assertFailed(result, 'ENTRY_NOT_INCLUDED', 17);
    assert.equal(result.entries, 2);
  });

  it('reports a line removed from the middle at the index of the removed entry', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) => lines.filter((_, i) => i !== 2));
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_NOT_INCLUDED', 17);
  });

  it('reports a truncated tail at the index of the first entry missing', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) => lines.slice(0, 4));
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_MISSING', 32);
  });

  it('reports swapped lines at the first of them', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) => [
      lines[0]!,
      lines[3]!,
      lines[2]!,
      lines[1]!,
      ...lines.slice(4),
    ]);
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_NOT_INCLUDED', 5);
  });

  it('refuses a non-canonical line', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) => lines.map((line, i) => (i === 4 ? `${line} ` : line)));
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_NOT_CANONICAL', 32);
  });

  it('refuses wrong inclusion proofs at the index they claim', async () => {
    const wrong: [string, (lines: string[]) => string[], number?][] = [
      [
        'a sibling altered',
        editProof(1, (line) => ({
          ...line,
          proof: [flipFirstChar(line.proof[0]), ...line.proof.slice(1)],
        })),
      ],
      ['a sibling dropped', editProof(1, (line) => ({ ...line, proof: line.proof.slice(1) }))],
      [
        'a sibling added',
        editProof(1, (line) => ({ ...line, proof: [...line.proof, line.proof[0]] })),
      ],
      [
        'siblings swapped',
        editProof(1, (line) => ({
          ...line,
          proof: [line.proof[1], line.proof[0], ...line.proof.slice(2)],
        })),
      ],
      ['the proof emptied', editProof(1, (line) => ({ ...line, proof: [] }))],
      ['another index', editProof(1, (line) => ({ ...line, index: 6 })), 6],
      ['proofs swapped', (lines) => [lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)], 17],
    ];
    for (const [name, edit, index = 5] of wrong) {
      const dir = await scratch.copy(fixture);
      await editLines(dir, PROOFS, edit);
      const result = await verifyWith(fixture, dir);
      assert.equal(result.reason, 'ENTRY_NOT_INCLUDED', name);
      assert.equal(result.firstBadIndex, index, name);
      assert.equal(result.entries, 1, name);
    }
  });

  it('refuses malformed and out-of-order proof lines', async () => {
    const malformed: [(lines: string[]) => string[], number | 'absent'][] = [
      [editProof(1, (line) => ({ ...line, index: 60 })), 60],
      [editProof(1, (line) => ({ ...line, index: 2 })), 2],
      [editProof(1, (line) => ({ ...line, index: 1e300 })), 'absent'],
      [editProof(1, (line) => ({ ...line, index: -5 })), 'absent'],
      [editProof(1, (line) => ({ ...line, index: '5' })), 'absent'],
      [editProof(1, (line) => ({ ...line, proof: ['not base64!'] })), 'absent'],
      [
        editProof(1, (line) => ({ ...line, proof: [String(line.proof[0]).slice(0, 40)] })),
        'absent',
      ],
      [editProof(1, (line) => ({ ...line, proof: Array(65).fill(line.proof[0]) })), 'absent'],
      [editProof(1, () => [1, 2]), 'absent'],
      [(lines) => lines.map((line, i) => (i === 1 ? '{"index":5,' : line)), 'absent'],
    ];
    for (const [edit, firstBadIndex] of malformed) {
      const dir = await scratch.copy(fixture);
      await editLines(dir, PROOFS, edit);
      assertFailed(await verifyWith(fixture, dir), 'PROOF_INVALID', firstBadIndex);
    }
  });

  it('refuses an entry without a proof line', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, PROOFS, (lines) => lines.slice(0, 5));
    assertFailed(await verifyWith(fixture, dir), 'PROOF_INVALID');
  });

  it('refuses a count that contradicts the manifest (an entry and its proof both removed)', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) => lines.filter((_, i) => i !== 3));
    await editLines(dir, PROOFS, (lines) => lines.filter((_, i) => i !== 3));
    assertFailed(await verifyWith(fixture, dir), 'COUNT_MISMATCH');
  });

  it('says nothing about entries removed together with their proofs and the count', async () => {
    // The limit of a filtered export, documented: it proves each line is in the log, not that
    // the filter's result is whole; a complete export (or the log's search) answers that.
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) => lines.filter((_, i) => i !== 3));
    await editLines(dir, PROOFS, (lines) => lines.filter((_, i) => i !== 3));
    await editManifest(dir, (manifest) => {
      (manifest.output as { count: number }[])[0]!.count = INDEXES.length - 1;
    });
    assertVerified(await verifyWith(fixture, dir));
  });
});
