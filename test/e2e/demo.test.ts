// `npm run demo` runs the whole loop against a gateway process of its own and leaves nothing behind: no process, no directory.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TEST_ENGINE } from '../support/test-database.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FINAL_LINE =
  /^demo: ok — Task\/[0-9a-f-]{36} sent, pushed, verified, accepted and completed; consent revoked and the shelter told; (\d+) audit entries verified offline in [\d.]+ s \(gateway pid (\d+), (\S+) removed\)$/;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `command`, calling `onStdout` with all output so far at each chunk; resolves when it exits. */
function run(
  command: string,
  args: readonly string[],
  onStdout: (soFar: string, child: ReturnType<typeof spawn>) => void = () => undefined,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      onStdout(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('npm run demo', function () {
  this.timeout(120_000);

  before(function () {
    // The demo always runs on the embedded SQLite database; the PostgreSQL pass would repeat it.
    if (TEST_ENGINE === 'postgres') this.skip();
  });

  it('runs the whole loop quietly, prints one final line, and leaves no process or directory', async () => {
    const result = await run('npm', ['run', '--silent', 'demo', '--', '--quiet']);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1, `quiet prints one line, got:\n${result.stdout}`);
    assert.equal(result.stderr, '');
    const match = FINAL_LINE.exec(lines[0] ?? '');
    assert.ok(match, lines[0]);
    const [, entries, pid, dir] = match;
    assert.ok(Number(entries) > 10, `only ${entries} audit entries`);
    assert.equal(isRunning(Number(pid)), false, `the gateway (pid ${pid}) is still running`);
    assert.equal(existsSync(dir!), false, `${dir} is still there`);
  });

  it('tells each step with the HTTP exchanges behind it', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'scripts/demo/demo.ts']);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    for (const exchange of [
      /police +POST +\/oauth2\/token → 200/,
      /received \{"access_token":"<redacted>"/,
      /police +POST +\/fhir\/Consent → 201/,
      /police +POST +\/fhir\/\$process-message → 200/,
      /gateway→ +POST +\/enlace → 200/,
      /shelter +PATCH +\/fhir\/Task\/[0-9a-f-]{36} → 200/,
      /police +PATCH +\/fhir\/Consent\/[\w-]+ → 200/,
      /oversight +POST +\/fhir\/AuditEvent\/\$export → 202/,
      /: verified\n/,
    ]) {
      assert.match(result.stdout, exchange);
    }
    assert.match(result.stdout.trim().split('\n').at(-1) ?? '', FINAL_LINE);
  });

  it('stops the gateway and removes the directory when interrupted', async () => {
    let dir: string | undefined;
    let pid: number | undefined;
    let interrupted = false;
    const result = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/demo/demo.ts'],
      (soFar, child) => {
        dir ??= /^ {4}(\/\S*enlace-demo-\S+)$/m.exec(soFar)?.[1];
        pid ??= Number(/\(pid (\d+)\)/.exec(soFar)?.[1] ?? Number.NaN) || undefined;
        // Interrupted once the gateway listens, in the middle of the story.
        if (!interrupted && pid !== undefined && soFar.includes('Enlace is listening on')) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    );
    assert.ok(interrupted, `the demo ended before its gateway listened:\n${result.stdout}`);
    assert.equal(result.code, 130, result.stderr);
    assert.match(result.stderr, /demo: SIGINT during step \d+/);
    assert.ok(dir !== undefined && pid !== undefined);
    assert.equal(isRunning(pid), false, `the gateway (pid ${pid}) is still running`);
    assert.equal(existsSync(dir), false, `${dir} is still there`);
  });
});
