// The export is untrusted input: a manifest that lies, names files outside the export, or is not one at all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportFixture } from '../../support/audit-export-fixture.js';
import { assertFailed, editManifest, Scratch, verifyWith } from './verify-export-support.js';

type Audit = Record<string, unknown>;

describe('verifying an export whose manifest is hostile', function () {
  this.timeout(60_000);
  let scratch: Scratch;
  let complete: ExportFixture;
  let filtered: ExportFixture;

  before(async () => {
    scratch = await Scratch.create();
    complete = await scratch.fixture({ size: 12 });
    filtered = await scratch.fixture({ size: 12, indexes: [3, 4] });
  });
  after(() => scratch.remove());

  it('answers EXPORT_UNREADABLE for a directory that does not exist or is a file', async () => {
    assertFailed(await verifyWith(complete, join(scratch.root, 'nowhere')), 'EXPORT_UNREADABLE');
    assertFailed(
      await verifyWith(complete, join(complete.dir, 'manifest.json')),
      'EXPORT_UNREADABLE',
    );
  });

  it('refuses a directory without a manifest, or with one that is not JSON', async () => {
    const dir = await scratch.copy(complete);
    await rm(join(dir, 'manifest.json'));
    assertFailed(await verifyWith(complete, dir), 'MANIFEST_INVALID');
    await writeFile(join(dir, 'manifest.json'), '{"transactionTime":');
    assertFailed(await verifyWith(complete, dir), 'MANIFEST_INVALID');
  });

  it('refuses manifests of another shape or version', async () => {
    const edits: ((manifest: Record<string, unknown>, audit: Audit) => void)[] = [
      (_, audit) => (audit.version = 2),
      (_, audit) => (audit.treeSize = -1),
      (_, audit) => (audit.treeSize = 2 ** 53),
      (_, audit) => (audit.complete = 'yes'),
      (_, audit) => (audit.proofs = 'proofs.ndjson'),
      (_, audit) => delete audit.leafHashes,
      (_, audit) => (audit.filter = null),
      (manifest) => (manifest.requiresAccessToken = false),
      (manifest) => (manifest.error = [{ type: 'OperationOutcome', url: 'errors.ndjson' }]),
      (manifest) => (manifest.output = []),
      (manifest) => ((manifest.output as Audit[])[0]!.type = 'Patient'),
      (manifest) => ((manifest.output as Audit[])[0]!.count = 11),
      (manifest) => (manifest.extension = {}),
      (manifest) => (manifest.transactionTime = 7),
    ];
    for (const edit of edits) {
      const dir = await scratch.copy(complete);
      await editManifest(dir, edit);
      assertFailed(await verifyWith(complete, dir), 'MANIFEST_INVALID');
    }
  });

  it('refuses file names that leave the export directory', async () => {
    const names = [
      '../x',
      '/etc/passwd',
      'a/../../x',
      '..',
      '.',
      'a//b',
      'a\\..\\x',
      'C:x',
      '',
      ' x',
      'x\n',
    ];
    const targets: [
      ExportFixture,
      (manifest: Record<string, unknown>, audit: Audit, name: string) => void,
    ][] = [
      [complete, (manifest, _, name) => ((manifest.output as Audit[])[0]!.url = name)],
      [complete, (_, audit, name) => (audit.checkpoint = name)],
      [complete, (_, audit, name) => (audit.leafHashes = name)],
      [complete, (_, audit, name) => (audit.consistency = name)],
      [filtered, (_, audit, name) => (audit.proofs = name)],
    ];
    for (const [fixture, edit] of targets) {
      for (const name of names) {
        const dir = await scratch.copy(fixture);
        await editManifest(dir, (manifest, audit) => {
          edit(manifest, audit, name);
        });
        const result = await verifyWith(fixture, dir);
        assertFailed(result, 'PATH_UNSAFE');
        assert.ok(result.detail, name);
      }
    }
  });

  it('refuses a file that is a symlink out of the export', async () => {
    const dir = await scratch.copy(complete);
    const outside = join(scratch.root, 'outside.ndjson');
    await writeFile(outside, '');
    await rm(join(dir, 'consistency.ndjson'));
    await symlink(outside, join(dir, 'consistency.ndjson'));
    assertFailed(await verifyWith(complete, dir), 'PATH_UNSAFE');
  });

  it('refuses a named file that is missing, a directory or a FIFO, without waiting on it', async () => {
    const dir = await scratch.copy(complete);
    await rm(join(dir, 'leaf-hashes.bin'));
    assertFailed(await verifyWith(complete, dir), 'FILE_INVALID');
    await mkdir(join(dir, 'leaf-hashes.bin'));
    assertFailed(await verifyWith(complete, dir), 'FILE_INVALID');
    await rm(join(dir, 'leaf-hashes.bin'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'leaf-hashes.bin')]);
    assertFailed(await verifyWith(complete, dir), 'FILE_INVALID');
  });

  it('refuses an entry line longer than 1 MiB without reading all of it', async () => {
    const dir = await scratch.copy(complete);
    await writeFile(join(dir, 'AuditEvent.ndjson'), Buffer.alloc(3 * 1024 * 1024, 0x61));
    const result = await verifyWith(complete, dir);
    assertFailed(result, 'ENTRY_NOT_CANONICAL', 0);
    assert.match(result.detail ?? '', /too long/);
  });
});
