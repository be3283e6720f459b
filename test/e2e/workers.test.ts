// A gateway of two worker processes takes concurrent referrals from many connections: each is acknowledged
// once, stored once, audited in one gapless log that verifies, and the requests were served by both workers.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestCheckpoint, openLedger, readLogHead } from '../../src/audit/ledger/index.js';
import { openStore } from '../../src/store/index.js';
import {
  accessToken,
  policeToShelter,
  readGatewayDirectory,
  recordConsents,
  registerNetwork,
  SCOPES,
  survivorIds,
} from '../bench/bench-network.js';
import { runLoad } from '../bench/http-load.js';
import { generateMessages } from '../bench/referral-messages.js';
import { freePort } from '../bench/gateway-process.js';
import { selectRows, testEngines, type TestDatabase } from '../support/test-database.js';

const REFERRALS = 60;
/** Every fifth message is sent a second time on another connection, as a client retrying would. */
const REPEATED_EVERY = 5;
const CONNECTIONS = 12;

interface LogLine {
  readonly msg?: string;
  readonly route?: string | null;
  readonly worker?: number;
  readonly pid?: number;
  readonly status?: number | null;
}

function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

async function until(what: string, probe: () => boolean, seconds = 60): Promise<void> {
  for (let waited = 0; waited < seconds * 20; waited += 1) {
    if (probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const engine of testEngines()) {
  describe(`a gateway with ENLACE_WORKERS=2 on ${engine.name}`, function () {
    this.timeout(240_000);
    let dataDir: string;
    let database: TestDatabase;
    let gateway: ChildProcessWithoutNullStreams;
    let output = '';
    let exitCode: Promise<number | null>;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-workers-'));
      database = await engine.create();
    });
    after(async () => {
      if (gateway.exitCode === null) gateway.kill('SIGKILL');
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('acknowledges each concurrent referral once, from both workers, in one log that verifies', async () => {
      const port = await freePort();
      const env = { ...database.env, ENLACE_DATA_DIR: dataDir, ENLACE_PORT: String(port) };
      const network = await registerNetwork(env, dataDir);
      gateway = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { ...process.env, ...env, ENLACE_WORKERS: '2', ENLACE_LOG_LEVEL: 'info' },
      });
      gateway.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      gateway.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      exitCode = new Promise((resolve) => gateway.once('exit', resolve));
      await until('the gateway to listen', () => output.includes('Enlace is listening on'));
      const base = `http://127.0.0.1:${port}`;

      const directory = await readGatewayDirectory(base);
      const token = await accessToken(base, directory, network.police, SCOPES.police);
      const survivors = survivorIds(6);
      await recordConsents(base, token, survivors);
      const batch = await generateMessages(
        REFERRALS,
        { curve: 'P-256', payload: 2048 },
        policeToShelter(network, directory, survivors),
      );
      // The original and its repeat sit next to each other, so two connections carry them at once.
      const sends = batch.messages.flatMap((message, index) =>
        index % REPEATED_EVERY === 0 ? [message, message] : [message],
      );
      const taskOf = new Map<string, Set<string>>();
      const result = await runLoad(
        base,
        sends.length,
        CONNECTIONS,
        (index) => ({
          method: 'POST',
          path: '/fhir/$process-message',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/jose',
            accept: 'application/fhir+json',
          },
          body: sends[index] ?? '',
        }),
        {
          expect: 200,
          onAnswer: (body, index) => {
            const task = /"reference":"Task\/([0-9a-f-]{36})"/.exec(body)?.[1] ?? 'none';
            const message = sends[index] ?? '';
            taskOf.set(message, (taskOf.get(message) ?? new Set()).add(task));
          },
        },
      );
      assert.equal(result.errors, 0, result.errorSamples.join(' | '));
      // Each message, sent once or twice, was answered with one Task, and no two share one.
      assert.equal(taskOf.size, REFERRALS);
      const tasks = [...taskOf.values()].map((set) => {
        assert.equal(set.size, 1, 'a repeated message got a second Task');
        return [...set][0] ?? '';
      });
      assert.ok(!tasks.includes('none'), 'an acknowledgement named no Task');
      assert.equal(new Set(tasks).size, REFERRALS);

      const submissions = (): LogLine[] =>
        logLines(output).filter(
          (line) => line.msg === 'request' && line.route === '/fhir/$process-message',
        );
      // A request's log line is written as its response finishes, so the last may trail the answer.
      await until('a log line per submission', () => submissions().length >= sends.length);
      const served = submissions();
      assert.equal(served.length, sends.length);
      const workers = new Set(served.map((line) => line.pid));
      assert.equal(workers.size, 2, 'both workers served submissions');

      gateway.kill('SIGTERM');
      assert.equal(await exitCode, 0, output.slice(-2000));
      const lines = logLines(output);
      assert.equal(lines.filter((line) => line.msg === 'shutdown complete').length, 3);

      const rows = await selectRows<{ id: string }>(database, dataDir, 'SELECT id FROM referral');
      assert.deepEqual(rows.map((row) => row.id).sort(), [...tasks].sort());

      const store = await openStore({ databaseUrl: database.env.ENLACE_DATABASE_URL, dataDir });
      try {
        const ledger = await openLedger({
          store,
          dataDir,
          origin: 'unused',
          originConfigured: false,
          clock: () => new Date(),
        });
        assert.deepEqual(ledger.integrity(), { ok: true });
        // Every entry hashes to its leaf and the sequence has no gap (scan-log.ts checks both).
        assert.deepEqual(await ledger.scan(), { ok: true });
        const head = await readLogHead(store.db);
        assert.ok(head.size > REFERRALS, `the log holds ${head.size} entries`);
        // The primary signed last, after both workers had stopped: its checkpoint covers all.
        assert.equal((await latestCheckpoint(store.db))?.size, head.size);
      } finally {
        await store.close();
      }
    });
  });
}
