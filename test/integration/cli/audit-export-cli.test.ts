// `enlace audit export` against a real gateway: an oversight body downloads the log and verifies it; others are refused.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import { createSdkNetwork, type SdkNetwork } from '../sdk/sdk-network.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `enlace …` in this process, capturing what it writes; stderr a terminal or not. */
async function enlace(argv: readonly string[], tty = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const wasTty = process.stderr.isTTY;
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  };
  process.stderr.isTTY = tty;
  try {
    const code = await runCli(argv, { ENLACE_LOG_LEVEL: 'silent' });
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.stderr.isTTY = wasTty;
  }
}

interface Exported {
  readonly id: string;
  readonly directory: string;
  readonly entries: number;
  readonly files: string[];
  readonly manifest: { output: { url: string; count: number }[] };
  readonly verification?: { ok: boolean; entries: number };
}

for (const engine of testEngines()) {
  describe(`enlace audit export (${engine.name})`, function () {
    this.timeout(120_000);
    let database: TestDatabase;
    let network: SdkNetwork;
    let dir: string;

    before(async () => {
      database = await engine.create();
      network = await createSdkNetwork(database);
      dir = await mkdtemp(join(tmpdir(), 'enlace-audit-export-'));
    });

    after(async () => {
      await network.dispose();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('downloads the whole log as the manifest names it (0600 files) and verifies it', async () => {
      const out = join(dir, 'export');
      const run = await enlace([
        'audit',
        'export',
        '--out',
        out,
        '--verify',
        '--json',
        '--profile',
        network.oversight.profile,
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '', 'no progress bar with --json');
      const exported = JSON.parse(run.stdout) as Exported;
      assert.equal(exported.directory, out);
      assert.ok(exported.entries > 0);
      assert.equal(exported.manifest.output[0]?.url, 'AuditEvent.ndjson');
      assert.equal(exported.verification?.ok, true);
      assert.equal(exported.verification.entries, exported.entries);
      assert.equal(exported.files.at(-1), join(out, 'manifest.json'), 'the manifest comes last');
      assert.deepEqual(
        (await readdir(out)).sort(),
        exported.files.map((file) => file.slice(out.length + 1)).sort(),
      );
      assert.ok((await readdir(out)).includes('leaf-hashes.bin'), 'a complete export');
      assert.equal((await stat(out)).mode & 0o777, 0o700);
      for (const file of exported.files) assert.equal((await stat(file)).mode & 0o777, 0o600);
      const lines = (await readFile(join(out, 'AuditEvent.ndjson'), 'utf8')).trim().split('\n');
      assert.equal(lines.length, exported.entries);

      // `enlace audit verify` of the same directory, as its own command, agrees.
      const logKey = join(dir, 'log.pub');
      await writeFile(logKey, await (await fetch(`${network.url}/audit/log-key`)).text());
      const verify = await enlace(['audit', 'verify', out, '--log-key', logKey, '--json']);
      assert.equal(verify.code, 0, verify.stdout);
      assert.equal((JSON.parse(verify.stdout) as { ok: boolean }).ok, true);
    });

    it('draws a progress bar on a terminal, prints lines for people, and never overwrites a file', async () => {
      const out = join(dir, 'export-tty');
      const logKey = join(dir, 'log.pub');
      const run = await enlace(
        [
          'audit',
          'export',
          '--out',
          out,
          '--verify',
          '--log-key',
          logKey,
          '--profile',
          network.oversight.profile,
        ],
        true,
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /100% \d+\/\d+ files/);
      assert.match(run.stdout, new RegExp(`^\\d+ entries exported into ${out}\\n`));
      assert.match(run.stdout, /verified/i);

      const before = await readFile(join(out, 'manifest.json'), 'utf8');
      const again = await enlace([
        'audit',
        'export',
        '--out',
        out,
        '--profile',
        network.oversight.profile,
      ]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /^enlace: .*EEXIST/);
      assert.equal(await readFile(join(out, 'manifest.json'), 'utf8'), before);
    });

    it("refuses a partner without system/AuditEvent.rs, quoting the gateway's OperationOutcome", async () => {
      const out = join(dir, 'export-police');
      const run = await enlace([
        'audit',
        'export',
        '--out',
        out,
        '--json',
        '--profile',
        network.police.profile,
      ]);
      assert.equal(run.code, 1);
      const refusal = JSON.parse(run.stdout) as { error: { status: number } };
      assert.equal(refusal.error.status, 403);
      assert.match(run.stderr, /^enlace: 403 /);
      await assert.rejects(stat(out), { code: 'ENOENT' }, 'nothing was written');
    });

    it('--help ends with an example', async () => {
      const run = await enlace(['audit', 'export', '--help']);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /Example:\n {2}enlace audit export --out /);
    });
  });
}
