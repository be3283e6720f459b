// The streaming export writer the server uses: private files, manifest last, and refusals of misuse.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createExportWriter,
  ExportFormatError,
  readExportManifest,
  type ExportWriter,
} from '../../../src/audit/export-format/index.js';
import { EMPTY_ROOT, leafHash } from '../../../src/audit/merkle/index.js';
import { cosignedCheckpoint, newLogSigner } from '../../support/audit-export-fixture.js';
import { Scratch } from './verify-export-support.js';

const signer = newLogSigner();
const ENTRY = '{"resourceType":"AuditEvent"}';
const HASH = new Uint8Array(32).fill(7);
const note = (size: number): string => cosignedCheckpoint(signer, [], size, EMPTY_ROOT);
const finishInput = (size: number) => ({
  transactionTime: '2025-06-01T00:00:00Z',
  request: 'https://gateway.example.org/fhir/AuditEvent/$export?patient=x',
  filter: { patient: 'x' },
  checkpointNote: note(size),
});

async function assertMisuse(run: () => Promise<unknown>): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof ExportFormatError);
    assert.equal(error.code, 'ERR_EXPORT_WRITER_MISUSE');
    return true;
  });
}

describe('the audit export writer', () => {
  let scratch: Scratch;
  before(async () => (scratch = await Scratch.create()));
  after(() => scratch.remove());

  it('writes a 0700 directory of 0600 files, the manifest last', async () => {
    const dir = scratch.path();
    const writer = await createExportWriter(dir, { complete: true });
    await writer.writeEntry(ENTRY, 0);
    await writer.writeEntry(ENTRY, 1);
    await writer.writeConsistency({ size: 1, root: HASH, proof: [] });
    assert.deepEqual((await readdir(dir)).sort(), [
      'AuditEvent.ndjson',
      'consistency.ndjson',
      'leaf-hashes.bin',
    ]);
    const manifest = await writer.finish(finishInput(2));
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    for (const file of await readdir(dir))
      assert.equal((await stat(join(dir, file))).mode & 0o777, 0o600, file);
    assert.equal(manifest.output[0].count, 2);
    assert.deepEqual((await readExportManifest(dir)).manifest, manifest);
  }).timeout(10_000);

  it('writes each entry as one line and its leaf hash beside it (complete)', async () => {
    const dir = scratch.path();
    const writer = await createExportWriter(dir, { complete: true });
    await writer.writeEntry(ENTRY, 0);
    await writer.writeEntry('{"id":"ñandú"}', 1);
    await writer.finish(finishInput(2));
    assert.equal(
      await readFile(join(dir, 'AuditEvent.ndjson'), 'utf8'),
      `${ENTRY}\n{"id":"ñandú"}\n`,
    );
    const leaves = await readFile(join(dir, 'leaf-hashes.bin'));
    assert.deepEqual(new Uint8Array(leaves.subarray(32)), leafHash(Buffer.from('{"id":"ñandú"}')));
    const { audit } = await readExportManifest(dir);
    assert.deepEqual(audit, {
      version: 1,
      origin: 'enlace.example.org/audit-log',
      treeSize: 2,
      complete: true,
      checkpoint: 'checkpoint.txt',
      leafHashes: 'leaf-hashes.bin',
      consistency: 'consistency.ndjson',
      filter: { patient: 'x' },
    });
  });

  it('writes proof lines for a filtered export', async () => {
    const dir = scratch.path();
    const writer = await createExportWriter(dir, { complete: false });
    await writer.writeEntry(ENTRY, 3, [HASH, HASH]);
    await writer.finish(finishInput(5));
    const line = JSON.parse(await readFile(join(dir, 'proofs.ndjson'), 'utf8')) as unknown;
    assert.deepEqual(line, {
      index: 3,
      proof: [Buffer.from(HASH).toString('base64'), Buffer.from(HASH).toString('base64')],
    });
    assert.equal((await readExportManifest(dir)).audit.proofs, 'proofs.ndjson');
  });

  it('refuses to write into an existing directory', async () => {
    const dir = scratch.path();
    await mkdir(dir);
    await assert.rejects(createExportWriter(dir, { complete: true }), { code: 'EEXIST' });
  });

  it('refuses entries that are not canonical single lines', async () => {
    const writer = await createExportWriter(scratch.path(), { complete: true });
    for (const bad of ['{"b":1,"a":2}', '{ }', '{"a":"x\ny"}', '{"a":"\ud800"}', 'not json', '']) {
      await assertMisuse(() => writer.writeEntry(bad, 0));
    }
    await writer.abort();
  });

  it('refuses out-of-order indexes and missing or malformed proofs', async () => {
    const complete = await createExportWriter(scratch.path(), { complete: true });
    await assertMisuse(() => complete.writeEntry(ENTRY, 1));
    await assertMisuse(() => complete.writeEntry(ENTRY, 0, [HASH]));
    await complete.abort();
    const filtered = await createExportWriter(scratch.path(), { complete: false });
    await assertMisuse(() => filtered.writeEntry(ENTRY, 0));
    await assertMisuse(() => filtered.writeEntry(ENTRY, 0, [new Uint8Array(31)]));
    await assertMisuse(() => filtered.writeEntry(ENTRY, 0, Array<Uint8Array>(65).fill(HASH)));
    await filtered.writeEntry(ENTRY, 4, []);
    await assertMisuse(() => filtered.writeEntry(ENTRY, 4, []));
    await assertMisuse(() => filtered.writeEntry(ENTRY, -1, []));
    await filtered.abort();
  });

  it('refuses consistency lines out of order, forked or malformed, and writes a repeat once', async () => {
    const writer = await createExportWriter(scratch.path(), { complete: false });
    await assertMisuse(() => writer.writeConsistency({ size: 0, root: HASH, proof: [] }));
    await writer.writeConsistency({ size: 2, root: HASH, proof: [HASH] });
    // The same head twice (a checkpoint at shutdown and at start) is written once; a fork is refused.
    await writer.writeConsistency({ size: 2, root: HASH, proof: [HASH] });
    await assertMisuse(() =>
      writer.writeConsistency({ size: 2, root: new Uint8Array(32), proof: [HASH] }),
    );
    await assertMisuse(() => writer.writeConsistency({ size: 1, root: HASH, proof: [HASH] }));
    await assertMisuse(() =>
      writer.writeConsistency({ size: 3, root: new Uint8Array(3), proof: [] }),
    );
    await writer.finish(finishInput(4));
    const text = await readFile(join(writer.dir, 'consistency.ndjson'), 'utf8');
    assert.equal(text.split('\n').length, 2);
  });

  it('refuses to finish with entries or consistency lines that do not fit the checkpoint', async () => {
    const cases: [boolean, (writer: ExportWriter) => Promise<void>, number][] = [
      [true, (w) => w.writeEntry(ENTRY, 0), 2],
      [false, (w) => w.writeEntry(ENTRY, 5, []), 5],
      [false, (w) => w.writeConsistency({ size: 5, root: HASH, proof: [] }), 5],
    ];
    for (const [complete, write, size] of cases) {
      const writer = await createExportWriter(scratch.path(), { complete });
      await write(writer);
      await assertMisuse(() => writer.finish(finishInput(size)));
      await writer.abort();
    }
    const writer = await createExportWriter(scratch.path(), { complete: true });
    await assertMisuse(() => writer.finish({ ...finishInput(0), checkpointNote: 'not a note' }));
    await writer.abort();
  });

  it('refuses writes after finish, and abort removes the directory', async () => {
    const dir = scratch.path();
    const writer = await createExportWriter(dir, { complete: true });
    await writer.finish(finishInput(0));
    await assertMisuse(() => writer.writeEntry(ENTRY, 0));
    await assertMisuse(() => writer.finish(finishInput(0)));
    await writer.abort();
    await assert.rejects(stat(dir), { code: 'ENOENT' });
  });
});
