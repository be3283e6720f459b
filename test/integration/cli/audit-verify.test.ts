// `enlace audit verify` as an auditor runs it: a child process, no server, no database, no configuration.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newWitnessSigner, type ExportFixture } from '../../support/audit-export-fixture.js';
import { editLines, replaceMember, Scratch } from '../../support/audit-export-tamper.js';

const MAIN = resolve(fileURLToPath(import.meta.url), '../../../../src/cli/main.ts');
const TSX = import.meta.resolve('tsx');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('enlace audit verify (child process)', function () {
  this.timeout(120_000);
  let scratch: Scratch;
  let fixture: ExportFixture;
  /** An empty working directory: the command must leave it empty (no ./data, no config read). */
  let cwd: string;
  let keys: { log: string; witness: string; earlier: string };

  /** Runs the command with an environment holding nothing of Enlace's. */
  function enlace(...argv: string[]): Promise<Run> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        ['--import', TSX, MAIN, ...argv],
        { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd } },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          done({ code, stdout, stderr });
        },
      );
    });
  }

  before(async () => {
    scratch = await Scratch.create();
    fixture = await scratch.fixture({ size: 300, checkpointSizes: [100, 250], witnesses: 1 });
    cwd = scratch.path('cwd');
    await mkdir(cwd);
    keys = {
      log: scratch.path('log.vkey'),
      witness: scratch.path('w.vkey'),
      earlier: scratch.path('cp.txt'),
    };
    await writeFile(keys.log, `${fixture.logSigner.verifierKey}\n`);
    await writeFile(keys.witness, `  ${fixture.witnessSigners[0]!.verifierKey}\n\n`);
    await writeFile(keys.earlier, fixture.earlierNotes.get(100)!);
  });
  after(() => scratch.remove());

  afterEach(async () => {
    assert.deepEqual(await readdir(cwd), []);
  });

  it('verifies an export and prints one JSON object, exit 0', async () => {
    const run = await enlace(
      'audit',
      'verify',
      fixture.dir,
      '--log-key',
      keys.log,
      '--witness-key',
      keys.witness,
      '--checkpoint',
      keys.earlier,
      '--json',
    );
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(result.ok, true);
    assert.equal(result.entries, 300);
    assert.deepEqual(result.earlier, { size: 100, ok: true });
    assert.equal((result.witnesses as { ok: boolean }[])[0]?.ok, true);
    assert.equal(run.stderr, '', 'no progress bar when stderr is not a terminal');
  });

  it('prints a short summary without --json', async () => {
    const run = await enlace('audit', 'verify', fixture.dir, '--log-key', keys.log);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /: verified\n/);
    assert.match(run.stdout, /entries: +300 verified \(complete export\)/);
  });

  it('exits 1 on a tampered export and prints the first bad index', async () => {
    const dir = await scratch.copy(fixture);
    await editLines(dir, 'AuditEvent.ndjson', (lines) =>
      lines.map((line, i) => (i === 123 ? replaceMember(line, 'action', 'D') : line)),
    );
    const json = await enlace('audit', 'verify', dir, '--log-key', keys.log, '--json');
    assert.equal(json.code, 1, json.stderr);
    const result = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'ENTRY_MISMATCH');
    assert.equal(result.firstBadIndex, 123);
    const human = await enlace('audit', 'verify', dir, '--log-key', keys.log);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /FAILED verification/);
    assert.match(human.stdout, /first bad index: 123/);
  });

  it('exits 1 when a witness key given has not cosigned', async () => {
    const stranger = scratch.path('stranger.vkey');
    await writeFile(stranger, newWitnessSigner('stranger.example.org').verifierKey);
    const run = await enlace(
      'audit',
      'verify',
      fixture.dir,
      '--log-key',
      keys.log,
      '--witness-key',
      keys.witness,
      '--witness-key',
      stranger,
      '--json',
    );
    assert.equal(run.code, 1);
    const result = JSON.parse(run.stdout) as { witnesses: { name: string; ok: boolean }[] };
    assert.deepEqual(
      result.witnesses.map((w) => w.ok),
      [true, false],
    );
  });

  it('exits 2 on usage errors and unreadable inputs', async () => {
    const cases: string[][] = [
      ['audit', 'verify', fixture.dir],
      ['audit', 'verify', '--log-key', keys.log],
      ['audit', 'verify', fixture.dir, '--log-key', join(cwd, 'missing.vkey')],
      ['audit', 'verify', fixture.dir, '--log-key', keys.witness],
      ['audit', 'verify', fixture.dir, '--log-key', keys.log, '--witness-key', keys.log],
      ['audit', 'verify', join(cwd, 'no-such-export'), '--log-key', keys.log],
      [
        'audit',
        'verify',
        fixture.dir,
        '--log-key',
        keys.log,
        '--checkpoint',
        join(cwd, 'nope.txt'),
      ],
      ['audit', 'verify', fixture.dir, '--log-key', keys.log, '--bogus'],
    ];
    const runs = await Promise.all(cases.map((argv) => enlace(...argv)));
    runs.forEach((run, i) => {
      assert.equal(run.code, 2, `${cases[i]!.join(' ')}: ${run.stderr}`);
      assert.notEqual(run.stderr, '');
    });
  });

  it('explains itself with an example under --help', async () => {
    const run = await enlace('audit', 'verify', '--help');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /Example:\n {2}.*enlace audit verify/s);
    assert.match(run.stdout, /--witness-key <file>/);
  });
});
