// Two gateway processes on one database hold a caller to one budget: the rate-limit counters live in the database, not in either process.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../bench/gateway-process.js';
import { testEngines, type TestDatabase } from '../support/test-database.js';

interface Gateway {
  readonly base: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  output: string;
}

async function until(what: string, probe: () => boolean, seconds = 60): Promise<void> {
  for (let waited = 0; waited < seconds * 20; waited += 1) {
    if (probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env, ENLACE_PORT: String(port), ENLACE_LOG_LEVEL: 'info' },
  });
  const gateway: Gateway = {
    base: `http://127.0.0.1:${port}`,
    child,
    exited: new Promise((resolve) => child.once('exit', resolve)),
    output: '',
  };
  const collect = (chunk: string) => {
    gateway.output += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  await until('the gateway to listen', () => {
    if (child.exitCode !== null) throw new Error(`the gateway exited: ${gateway.output}`);
    return gateway.output.includes('Enlace is listening on');
  });
  return gateway;
}

for (const engine of testEngines()) {
  describe(`two gateway processes on one ${engine.name} database`, function () {
    this.timeout(120_000);
    let dataDir: string;
    let database: TestDatabase;
    const gateways: Gateway[] = [];

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-limits-e2e-'));
      database = await engine.create();
    });
    after(async () => {
      for (const gateway of gateways)
        if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('hold an anonymous caller to one budget between them, and each answers 429 past it', async () => {
      const env = {
        ...database.env,
        ENLACE_DATA_DIR: dataDir,
        ENLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '4',
      };
      // One after the other: the first applies the migrations and creates the keys.
      gateways.push(await startGateway(env));
      gateways.push(await startGateway(env));
      const [a, b] = gateways as [Gateway, Gateway];
      const statuses: number[] = [];
      for (const gateway of [a, b, a, b]) {
        statuses.push((await fetch(`${gateway.base}/fhir/metadata`)).status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 200]);
      for (const gateway of [a, b]) {
        const refused = await fetch(`${gateway.base}/fhir/metadata`);
        assert.equal(refused.status, 429);
        assert.ok(Number(refused.headers.get('retry-after')) >= 1);
        const outcome = (await refused.json()) as {
          issue: { code: string; details: { coding: { code: string }[] } }[];
        };
        assert.deepEqual(
          outcome.issue.map((issue) => [issue.code, ...issue.details.coding.map((c) => c.code)]),
          [['throttled', 'ENLACE_RATE_LIMITED']],
        );
      }
      // Liveness is never limited.
      assert.equal((await fetch(`${a.base}/healthz`)).status, 200);
      for (const gateway of gateways) gateway.child.kill('SIGTERM');
      assert.deepEqual(await Promise.all(gateways.map((gateway) => gateway.exited)), [0, 0]);
    });
  });
}
