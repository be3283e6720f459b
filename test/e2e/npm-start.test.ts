// `npm start` (bin/start.js) compiles only when src/ changed since the last build, in a package root with a stand-in compiler.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const START_SCRIPT = fileURLToPath(new URL('../../bin/start.js', import.meta.url));

/** Stands in for `typescript/bin/tsc`: records each run, then writes dist/main.js or fails. */
const FAKE_TSC = `
const { appendFileSync, mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
appendFileSync(join(process.cwd(), 'builds.log'), process.argv.slice(2).join(' ') + '\\n');
if (process.env.FAKE_TSC_FAIL === '1') { process.stderr.write('src/main.ts(1,1): error TS1005\\n'); process.exit(2); }
mkdirSync(join(process.cwd(), 'dist'), { recursive: true });
writeFileSync(join(process.cwd(), 'dist', 'main.js'),
  "export async function main(env) { process.stdout.write('gateway started ' + (env.ENLACE_PORT ?? '') + '\\\\n'); }\\n");
`;

const HOUR_S = 3600;
const now = (): number => Math.floor(Date.now() / 1000);

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly builds: number;
}

describe('npm start', function () {
  this.timeout(30_000);
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'enlace-start-'));
    await mkdir(join(root, 'bin'));
    await copyFile(START_SCRIPT, join(root, 'bin', 'start.js'));
    await writeFile(join(root, 'package.json'), '{"type":"module"}\n');
    await mkdir(join(root, 'src', 'http'), { recursive: true });
    await writeFile(join(root, 'src', 'main.ts'), 'export {};\n');
    await writeFile(join(root, 'src', 'http', 'app.ts'), 'export {};\n');
    await writeFile(join(root, 'tsconfig.json'), '{}\n');
    await writeFile(join(root, 'tsconfig.build.json'), '{}\n');
    await installCompiler();
    // Sources an hour old; each test decides whether dist/ is newer.
    for (const path of ['src/main.ts', 'src/http/app.ts', 'src/http', 'src']) {
      await utimes(join(root, path), now() - HOUR_S, now() - HOUR_S);
    }
    for (const path of ['tsconfig.json', 'tsconfig.build.json']) {
      await utimes(join(root, path), now() - HOUR_S, now() - HOUR_S);
    }
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function installCompiler(): Promise<void> {
    const dir = join(root, 'node_modules', 'typescript');
    await mkdir(join(dir, 'bin'), { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"name":"typescript","version":"0.0.0"}\n');
    await writeFile(join(dir, 'bin', 'tsc'), FAKE_TSC);
  }

  async function writeBuilt(ageSeconds: number): Promise<void> {
    await mkdir(join(root, 'dist'), { recursive: true });
    const main = join(root, 'dist', 'main.js');
    await writeFile(
      main,
      "export async function main() { process.stdout.write('gateway started from the old build\\n'); }\n",
    );
    await utimes(main, now() - ageSeconds, now() - ageSeconds);
  }

  async function start(env: Record<string, string> = {}): Promise<Run> {
    const result = spawnSync(process.execPath, [join(root, 'bin', 'start.js')], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ENLACE_PORT: '0', ...env },
      encoding: 'utf8',
    });
    const log = await readFile(join(root, 'builds.log'), 'utf8').catch(() => '');
    return {
      status: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      builds: log.split('\n').filter((line) => line !== '').length,
    };
  }

  it('builds dist/ once in a fresh clone that has none, then runs the gateway', async () => {
    const first = await start();
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.builds, 1);
    assert.match(first.stderr, /building dist\/ \(dist\/main\.js does not exist\)/);
    assert.equal(first.stdout, 'gateway started 0\n');
    const again = await start();
    assert.equal(again.builds, 1, 'the second start compiles nothing');
    assert.equal(again.stdout, 'gateway started 0\n');
  });

  it('runs dist/ as it is when nothing changed since the build', async () => {
    await writeBuilt(60);
    const run = await start();
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.builds, 0);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, 'gateway started from the old build\n');
  });

  for (const [what, path] of [
    ['a source file', 'src/http/app.ts'],
    ['a tsconfig', 'tsconfig.build.json'],
  ] as const) {
    it(`rebuilds when ${what} changed after the build`, async () => {
      await writeBuilt(60);
      await utimes(join(root, path), now() - 10, now() - 10);
      const run = await start();
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.builds, 1);
      assert.match(
        run.stderr,
        new RegExp(`${path.replace('.', '\\.')} changed after the last build`),
      );
      assert.equal(run.stdout, 'gateway started 0\n');
    });
  }

  it('rebuilds when a source file was removed, which only its folder records', async () => {
    await writeBuilt(60);
    await rm(join(root, 'src', 'http', 'app.ts'));
    const run = await start();
    assert.equal(run.builds, 1);
    assert.match(run.stderr, /src\/http changed after the last build/);
  });

  it('does not start when the build fails, and tries again next time', async () => {
    await writeBuilt(60);
    await utimes(join(root, 'src', 'main.ts'), now() - 10, now() - 10);
    const failed = await start({ FAKE_TSC_FAIL: '1' });
    assert.equal(failed.status, 2);
    assert.equal(failed.stdout, '', 'the old build is not started');
    assert.match(failed.stderr, /error TS1005/);
    assert.match(failed.stderr, /the build failed; fix the errors above and start again/);
    const retried = await start();
    assert.equal(retried.builds, 2);
    assert.equal(retried.stdout, 'gateway started 0\n');
  });

  it('without TypeScript starts a stale dist/ with a warning, and refuses when there is none', async () => {
    await rm(join(root, 'node_modules'), { recursive: true });
    const none = await start();
    assert.equal(none.status, 1);
    assert.match(none.stderr, /dist\/ has never been built and TypeScript is not installed/);
    await writeBuilt(60);
    await utimes(join(root, 'src', 'main.ts'), now() - 10, now() - 10);
    const stale = await start();
    assert.equal(stale.status, 0, stale.stderr);
    assert.match(stale.stderr, /TypeScript is not installed \(production install\?\)/);
    assert.equal(stale.stdout, 'gateway started from the old build\n');
  });
});

describe('package.json', () => {
  it('starts through bin/start.js and builds at install, not before every start', async () => {
    const pkg = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.start, 'node --enable-source-maps bin/start.js');
    assert.equal(pkg.scripts.prestart, undefined);
    assert.equal(pkg.scripts.prepare, 'npm run build');
  });
});
