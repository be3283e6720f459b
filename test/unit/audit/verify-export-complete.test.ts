// The verifier on complete exports: every leaf 0..n-1, checked line by line and by the root.
import assert from 'node:assert/strict';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toHashBase64 } from '../../../src/audit/export-format/index.js';
import type { ExportFixture } from '../../support/audit-export-fixture.js';
import {
  assertFailed,
  assertVerified,
  editLines,
  replaceMember,
  Scratch,
  verifyWith,
  witnessKeysOf,
} from './verify-export-support.js';

const ENTRIES = 'AuditEvent.ndjson';

describe('verifying a complete audit export', function () {
  this.timeout(60_000);
  let scratch: Scratch;
  let fixture: ExportFixture;

  before(async () => {
    scratch = await Scratch.create();
    fixture = await scratch.fixture({ size: 40, checkpointSizes: [1, 10, 25, 32], witnesses: 2 });
  });
  after(() => scratch.remove());

  it('verifies every entry, the root, the witnesses and an earlier checkpoint', async () => {
    const progress: [number, number][] = [];
    const result = await verifyWith(fixture, fixture.dir, {
      witnessKeys: witnessKeysOf(fixture),
      earlierCheckpoint: fixture.earlierNotes.get(25)!,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.deepEqual(result, {
      ok: true,
      entries: 40,
      origin: 'enlace.example.org/audit-log',
      treeSize: 40,
      complete: true,
      root: toHashBase64(fixture.root),
      witnesses: fixture.witnessSigners.map((w) => ({
        name: w.name,
        ok: true,
        timestamp: 1_750_000_000,
      })),
      earlier: { size: 25, ok: true },
    });
    assert.deepEqual(progress.at(-1), [40, 40]);
  });

  it('verifies an empty log', async () => {
    const empty = await scratch.fixture({ size: 0 });
    assertVerified(await verifyWith(empty));
  });

  it('proves an earlier checkpoint from the entries themselves, without a consistency line', async () => {
    const dir = await scratch.copy(fixture);
    await writeFile(join(dir, 'consistency.ndjson'), '');
    const result = await verifyWith(fixture, dir, {
      earlierCheckpoint: fixture.earlierNotes.get(10)!,
    });
    assertVerified(result);
    assert.deepEqual(result.earlier, { size: 10, ok: true });
  });

  it('reports a line altered in place as the first bad index', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) =>
      lines.map((line, i) => (i === 7 ? replaceMember(line, 'outcome', '12') : line)),
    );
    const result = await verifyWith(fixture, dir);
    assertFailed(result, 'ENTRY_MISMATCH', 7);
    assert.equal(result.entries, 7);
    assert.equal(result.detail, 'AuditEvent.ndjson line 8');
  });

  it('reports a line removed from the middle at its index', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) => lines.filter((_, i) => i !== 12));
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_MISMATCH', 12);
  });

  it('reports a truncated tail at the first missing index', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) => lines.slice(0, 30));
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_MISSING', 30);
  });

  it('reports a tail cut mid-line at the index of the cut line', async () => {
    const dir = await scratch.copy(fixture);
    const text = await readFile(join(dir, ENTRIES), 'utf8');
    const cut = text.split('\n').slice(0, 30).join('\n').length + 1 + 20;
    await truncate(join(dir, ENTRIES), Buffer.byteLength(text.slice(0, cut)));
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_NOT_CANONICAL', 30);
  });

  it('reports two swapped lines at the first of them', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) =>
      lines.map((line, i) => (i === 5 ? lines[9]! : i === 9 ? lines[5]! : line)),
    );
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_MISMATCH', 5);
  });

  it('refuses a line that is valid JSON but not its canonical form', async () => {
    const rewrites = [
      (line: string) => line.replace('{', '{ '),
      (line: string) => JSON.stringify({ resourceType: 'AuditEvent', ...JSON.parse(line) }),
      (line: string) => line.replace('Organization/', 'Organization\\/'),
      (line: string) => `${line}\r`,
    ];
    for (const rewrite of rewrites) {
      const dir = await scratch.copy(fixture);
      await editLines(dir, ENTRIES, (lines) =>
        lines.map((line, i) => (i === 3 ? rewrite(line) : line)),
      );
      assertFailed(await verifyWith(fixture, dir), 'ENTRY_NOT_CANONICAL', 3);
    }
  });

  it('refuses a line that is not UTF-8, not JSON, or empty', async () => {
    for (const bad of [Buffer.from([0x7b, 0xff, 0x7d]), Buffer.from('{"a":'), Buffer.alloc(0)]) {
      const dir = await scratch.copy(fixture);
      const lines = (await readFile(join(dir, ENTRIES))).toString('latin1').split('\n');
      lines[4] = bad.toString('latin1');
      await writeFile(join(dir, ENTRIES), Buffer.from(lines.join('\n'), 'latin1'));
      assertFailed(await verifyWith(fixture, dir), 'ENTRY_NOT_CANONICAL', 4);
    }
  });

  it('reports an altered line before a later unreadable one', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) =>
      lines.map((line, i) => (i === 2 ? replaceMember(line, 'action', 'X') : i === 6 ? '{' : line)),
    );
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_MISMATCH', 2);
  });

  it('refuses an extra entry beyond the checkpoint size', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, ENTRIES, (lines) => [...lines, lines[0]!]);
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_EXTRA', 40);
  });

  it('answers ROOT_MISMATCH when entries and leaf hashes were rewritten together', async () => {
    const dir = await scratch.copy(fixture);
    const leaves = await readFile(join(dir, 'leaf-hashes.bin'));
    await editLines(dir, ENTRIES, (lines) => [
      ...lines.slice(0, 20),
      ...lines.slice(21, 40),
      lines[20]!,
    ]);
    const moved = Buffer.concat([
      leaves.subarray(0, 640),
      leaves.subarray(672),
      leaves.subarray(640, 672),
    ]);
    await writeFile(join(dir, 'leaf-hashes.bin'), moved);
    const result = await verifyWith(fixture, dir);
    assertFailed(result, 'ROOT_MISMATCH', 'absent');
    assert.equal(result.entries, 40);
  });

  it('refuses leaf hashes that are not one per leaf', async () => {
    const dir = await scratch.copy(fixture);
    await truncate(join(dir, 'leaf-hashes.bin'), 39 * 32);
    assertFailed(await verifyWith(fixture, dir), 'FILE_INVALID');
  });

  it('reports an altered leaf hash as the first bad index', async () => {
    const dir = await scratch.copy(fixture);
    const leaves = await readFile(join(dir, 'leaf-hashes.bin'));
    leaves[11 * 32] = (leaves[11 * 32] ?? 0) ^ 1;
    await writeFile(join(dir, 'leaf-hashes.bin'), leaves);
    assertFailed(await verifyWith(fixture, dir), 'ENTRY_MISMATCH', 11);
  });
});
