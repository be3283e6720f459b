import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunDatabase, type TestDatabase } from '../support/test-database.js';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function get(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

class GatewayProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(script: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...env },
    });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        resolve(code);
      }),
    );
  }

  /** Resolves with the first match of `pattern` in stdout, or rejects when the process ends first. */
  async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match !== null) return match;
      if (this.child.exitCode !== null) {
        throw new Error(`process exited before ${String(pattern)}: ${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('the gateway process', function () {
  this.timeout(30_000);
  let dataDir: string;
  let database: TestDatabase;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-lifecycle-'));
    database = await createRunDatabase();
  });
  afterEach(async () => {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = (extra: Record<string, string> = {}): GatewayProcess =>
    new GatewayProcess('test/fixtures/hold-gateway.ts', {
      ...database.env,
      ENLACE_PORT: '0',
      ENLACE_DATA_DIR: dataDir,
      ENLACE_LOG_LEVEL: 'info',
      ...extra,
    });

  it('finishes a request in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const gateway = start();
    const [, base] = await gateway.waitFor(/listening on (http:\/\/[^ ]+) /);
    assert.ok(base !== undefined);
    const held = get(`${base}/test/hold`);
    await gateway.waitFor(/HOLDING/);

    gateway.child.kill('SIGTERM');
    await gateway.waitFor(/"msg":"shutting down"/);
    await assert.rejects(get(`${base}/healthz`), { code: 'ECONNREFUSED' });

    const reply = await held;
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), { released: true });
    assert.equal(reply.headers.connection, 'close');
    assert.equal(await gateway.exited, 0);
    assert.match(gateway.stdout, /"msg":"shutdown complete"/);
  });

  it('cuts requests still running when the grace period ends, and still exits 0', async () => {
    const gateway = start({ HOLD_UNTIL: 'never', ENLACE_SHUTDOWN_GRACE_MS: '300' });
    const [, base] = await gateway.waitFor(/listening on (http:\/\/[^ ]+) /);
    const held = get(`${base ?? ''}/test/hold`);
    await gateway.waitFor(/HOLDING/);

    gateway.child.kill('SIGTERM');
    await assert.rejects(held, { code: 'ECONNRESET' });
    assert.equal(await gateway.exited, 0);
    assert.match(gateway.stdout, /grace period over/);
  });

  it('answers readiness 200 while serving', async () => {
    const gateway = start();
    const [, base] = await gateway.waitFor(/listening on (http:\/\/[^ ]+) /);
    const reply = await get(`${base ?? ''}/readyz`);
    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.body) as { status: string }).status, 'ready');
    gateway.child.kill('SIGTERM');
    assert.equal(await gateway.exited, 0);
  });

  describe('with ENLACE_WORKERS=2', () => {
    const logged = (gateway: GatewayProcess, msg: string): { pid?: number; workerPid?: number }[] =>
      gateway.stdout
        .split('\n')
        .filter((line) => line.includes(`"msg":"${msg}"`))
        .map((line) => JSON.parse(line) as { pid?: number; workerPid?: number });

    it('drains every worker on SIGTERM to the primary, finishing the request in flight, and exits 0', async () => {
      const gateway = start({ ENLACE_WORKERS: '2' });
      const [, base] = await gateway.waitFor(/listening on (http:\/\/[^ ]+) /);
      assert.ok(base !== undefined);
      const held = get(`${base}/test/hold`);
      await gateway.waitFor(/HOLDING/);

      gateway.child.kill('SIGTERM');
      const reply = await held;
      assert.equal(reply.status, 200);
      assert.deepEqual(JSON.parse(reply.body), { released: true });
      assert.equal(reply.headers.connection, 'close');
      await assert.rejects(get(`${base}/healthz`), { code: 'ECONNREFUSED' });
      assert.equal(await gateway.exited, 0);
      // Two workers, then the primary (its duties stop after the workers are gone).
      assert.equal(logged(gateway, 'shutdown complete').length, 3);
      assert.equal(logged(gateway, 'shutting down').length, 3);
    });

    it('restarts a worker that dies, logs it, and keeps answering readiness', async () => {
      const gateway = start({ ENLACE_WORKERS: '2' });
      const [, base] = await gateway.waitFor(/listening on (http:\/\/[^ ]+) /);
      const [first] = logged(gateway, 'worker listening');
      assert.ok(first?.workerPid !== undefined);
      process.kill(first.workerPid, 'SIGKILL');
      await gateway.waitFor(/"msg":"worker exited; restarting it"/);
      // The replacement listens: a third "worker listening" line.
      while (logged(gateway, 'worker listening').length < 3) {
        if (gateway.child.exitCode !== null) throw new Error(`gateway exited: ${gateway.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const exited = (
        logged(gateway, 'worker exited; restarting it') as {
          workerPid?: number;
          signal?: string;
          listened?: boolean;
        }[]
      ).at(0);
      assert.equal(exited?.workerPid, first.workerPid);
      assert.equal(exited.signal, 'SIGKILL');
      assert.equal(exited.listened, true);
      for (let i = 0; i < 4; i += 1) {
        const reply = await get(`${base ?? ''}/readyz`);
        assert.equal(reply.status, 200);
      }
      gateway.child.kill('SIGTERM');
      assert.equal(await gateway.exited, 0);
    });

    it('exits 1 when workers keep failing to start', async () => {
      const gateway = new GatewayProcess('test/fixtures/failing-worker-gateway.ts', {
        ...database.env,
        ENLACE_PORT: '0',
        ENLACE_DATA_DIR: dataDir,
        ENLACE_LOG_LEVEL: 'info',
        ENLACE_WORKERS: '2',
      });
      assert.equal(await gateway.exited, 1);
      assert.match(gateway.stdout, /3 workers in a row exited before listening; giving up/);
      assert.match(
        gateway.stderr,
        /enlace: start-up failed: 3 workers in a row exited before listening/,
      );
      assert.doesNotMatch(gateway.stdout, /Enlace is listening/);
    });
  });

  it('refuses to start on a bad variable with one line naming it, exit code 78', async () => {
    const gateway = start({ ENLACE_PORT: 'eighty' });
    assert.equal(await gateway.exited, 78);
    assert.equal(
      gateway.stderr.trim(),
      'enlace: invalid configuration: ENLACE_PORT must be an integer from 0 to 65535 (got "eighty")',
    );
  });
});
