// A gateway process started as `npm start` starts it, with nothing configured, trusts the anchors in ./certs/anchors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunDatabase, type TestDatabase } from '../support/test-database.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TEST_ROOT = fileURLToPath(
  new URL('../../certs/test/anchors/enlace-test-national-root.pem', import.meta.url),
);
// Resolved here, since the process runs in another working directory where `tsx` is not installed.
const TSX = import.meta.resolve('tsx');

interface AnchorsLine {
  readonly msg: string;
  readonly certsDir: string | null;
  readonly anchors: readonly { readonly source: string; readonly subject: string }[];
}

/** Runs the gateway in `cwd` until it listens, then stops it; returns its 'trust anchors loaded' line. */
async function anchorsAtStart(cwd: string, env: Record<string, string>): Promise<AnchorsLine> {
  // Only what the test names: an ENLACE_* variable of the developer's shell must not decide the outcome.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('ENLACE_')),
  );
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd,
    env: { ...inherited, ENLACE_PORT: '0', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    let url: string | undefined;
    while ((url = /Enlace is listening on (\S+)/.exec(stdout)?.[1]) === undefined) {
      if (child.exitCode !== null) throw new Error(`the gateway exited: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // An answer means the start-up has run to its end, signal handlers included.
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, stderr);
  const line = stdout
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as AnchorsLine)
    .find((entry) => entry.msg === 'trust anchors loaded');
  assert.ok(line !== undefined, stdout);
  return line;
}

describe('npm start and the certs folder', function () {
  this.timeout(60_000);
  let cwd: string;
  let database: TestDatabase;

  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'enlace-certs-'));
    await mkdir(join(cwd, 'certs', 'anchors'), { recursive: true });
    await copyFile(TEST_ROOT, join(cwd, 'certs', 'anchors', 'national-root.pem'));
    database = await createRunDatabase();
  });
  afterEach(async () => {
    await database.drop();
    await rm(cwd, { recursive: true, force: true });
  });

  it('trusts ./certs/anchors of its working directory in development with nothing configured', async () => {
    const line = await anchorsAtStart(cwd, {
      ...database.env,
      ENLACE_DATA_DIR: join(cwd, 'data'),
    });
    assert.equal(line.certsDir, join(cwd, 'certs'));
    assert.deepEqual(
      line.anchors.map((anchor) => anchor.source),
      ['external'],
    );
    assert.match(line.anchors[0]?.subject ?? '', /CN=Enlace Test National Root CA/);
  });

  it('does not read ./certs in the production profile unless ENLACE_CERTS_DIR names it', async () => {
    const production = {
      ...database.env,
      ENLACE_DATA_DIR: join(cwd, 'data'),
      ENLACE_PROFILE: 'production',
    };
    const unnamed = await anchorsAtStart(cwd, production);
    assert.equal(unnamed.certsDir, null);
    assert.deepEqual(unnamed.anchors, []);
    const named = await anchorsAtStart(cwd, { ...production, ENLACE_CERTS_DIR: 'certs' });
    assert.equal(named.certsDir, join(cwd, 'certs'));
    assert.equal(named.anchors.length, 1);
  });
});
