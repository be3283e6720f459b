// A gateway process losing PostgreSQL under load: 503 with Retry-After (never 500, never a hang), /healthz alive,
// /readyz 503, recovery by itself when the database returns, and every acknowledged referral still there.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openLedger } from '../../src/audit/ledger/index.js';
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
import { startGatewayProcess, type GatewayProcess } from '../bench/gateway-process.js';
import { generateMessages } from '../bench/referral-messages.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import {
  createPostgresDatabase,
  POSTGRES_ADMIN_URL,
  selectRows,
  testEngines,
  type TestDatabase,
} from '../support/test-database.js';

const REFERRALS = 80;
const SENDERS = 6;
/** The connect timeout the gateway runs with: no answer may take much longer during the outage. */
const CONNECT_TIMEOUT_MS = 1_000;
const OUTAGE_MS = 3_000;

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: string;
  readonly ms: number;
}

async function call(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  const body = await res.text();
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body,
    ms: performance.now() - started,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const postgresRun = testEngines().some((engine) => engine.name === 'postgres');

(postgresRun ? describe : describe.skip)(
  'a gateway process losing PostgreSQL under load (PostgreSQL only: needs ENLACE_TEST_DATABASE_URL)',
  function () {
    this.timeout(300_000);
    let dataDir: string;
    let database: TestDatabase;
    let proxy: TcpProxy;
    let gateway: GatewayProcess | undefined;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-outage-'));
      database = await createPostgresDatabase(POSTGRES_ADMIN_URL ?? '');
      const direct = new URL(database.url ?? '');
      proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    });
    after(async () => {
      await gateway?.stop();
      await proxy.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('answers 503 while the database is gone, recovers, and loses no acknowledged referral', async () => {
      const env = { ENLACE_DATA_DIR: join(dataDir, 'data'), ...database.env };
      const network = await registerNetwork(env, dataDir);
      const proxied = new URL(database.url ?? '');
      proxied.port = String(proxy.port);
      const logFile = join(dataDir, 'gateway.log');
      gateway = await startGatewayProcess({
        env: {
          ...env,
          ENLACE_DATABASE_URL: proxied.toString(),
          ENLACE_DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
          ENLACE_WORKERS: '2',
        },
        gateway: 'source',
        logFile,
      });
      const base = gateway.base;
      const directory = await readGatewayDirectory(base);
      const token = await accessToken(base, directory, network.police, SCOPES.police);
      const survivors = survivorIds(8);
      await recordConsents(base, token, survivors);
      const { messages } = await generateMessages(
        REFERRALS,
        { curve: 'P-256', payload: 1024 },
        policeToShelter(network, directory, survivors),
      );

      // Each sender takes the next message; one refused with 503 goes back in the queue, as a
      // client honouring Retry-After would resend it (here sooner, to keep the test short).
      const queue = messages.map((_, index) => index);
      const acknowledged = new Map<number, Set<string>>();
      const unavailable: Answer[] = [];
      const unexpected: Answer[] = [];
      let outage: 'before' | 'during' | 'after' = 'before';
      let sent = 0;
      const sender = async (): Promise<void> => {
        for (;;) {
          const index = queue.shift();
          if (index === undefined) {
            if (acknowledged.size === REFERRALS) return;
            await sleep(50);
            continue;
          }
          sent += 1;
          const answer = await call(base, '/fhir/$process-message', {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/jose',
              accept: 'application/fhir+json',
            },
            body: messages[index] ?? '',
          }).catch((error: unknown) => ({
            status: 0,
            retryAfter: null,
            body: String(error),
            ms: 0,
          }));
          if (answer.status === 200) {
            const task = /"reference":"Task\/([0-9a-f-]{36})"/.exec(answer.body)?.[1] ?? 'none';
            acknowledged.set(index, (acknowledged.get(index) ?? new Set()).add(task));
            continue;
          }
          if (answer.status === 503) unavailable.push(answer);
          else unexpected.push(answer);
          queue.push(index);
          await sleep(outage === 'during' ? 100 : 20);
        }
      };
      const senders = Promise.all(Array.from({ length: SENDERS }, () => sender()));

      await (async () => {
        while (acknowledged.size < REFERRALS / 4) await sleep(10);
      })();
      const ackedBeforeCut = acknowledged.size;
      await proxy.cut();
      outage = 'during';
      const probes: { healthz: number[]; readyz: Answer[] } = { healthz: [], readyz: [] };
      const outageEnds = performance.now() + OUTAGE_MS;
      while (performance.now() < outageEnds) {
        probes.healthz.push((await call(base, '/healthz')).status);
        probes.readyz.push(await call(base, '/readyz'));
        await sleep(150);
      }
      const sentDuringOutage = sent;
      await proxy.restore();
      outage = 'after';
      await Promise.race([
        senders,
        sleep(120_000).then(() => {
          throw new Error(`only ${acknowledged.size} of ${REFERRALS} acknowledged after restore`);
        }),
      ]);

      // While the database was gone: alive, not ready, and refusals that a client may retry.
      assert.ok(probes.healthz.length > 3);
      assert.ok(
        probes.healthz.every((status) => status === 200),
        probes.healthz.join(),
      );
      const lastReadiness = probes.readyz.slice(-3);
      for (const answer of lastReadiness) {
        assert.equal(answer.status, 503, answer.body);
        assert.ok(Number(answer.retryAfter) > 0);
        assert.match(answer.body, /"resourceType":"OperationOutcome"/);
      }
      assert.ok(unavailable.length > 0, 'no submission met the outage');
      for (const answer of unavailable) {
        assert.ok(Number(answer.retryAfter) > 0, 'a 503 without Retry-After');
        assert.match(answer.body, /"resourceType":"OperationOutcome"/);
        assert.match(answer.body, /"code":"transient"/);
        assert.ok(
          answer.ms < CONNECT_TIMEOUT_MS + 4_000,
          `a refusal took ${Math.round(answer.ms)} ms`,
        );
      }
      assert.deepEqual(
        unexpected.map((answer) => `${answer.status} ${answer.body.slice(0, 200)}`),
        [],
      );
      assert.ok(ackedBeforeCut < REFERRALS && sentDuringOutage > ackedBeforeCut);

      // Recovered by itself: ready again on every worker the connections reach.
      for (let attempt = 0; attempt < 4; attempt += 1) {
        assert.equal((await call(base, '/readyz')).status, 200);
      }

      // Every acknowledgement named one Task, a resend the same one, and every one is stored.
      const tasks = [...acknowledged.values()].map((set) => {
        assert.equal(set.size, 1, 'a resent message got a second Task');
        return [...set][0] ?? 'none';
      });
      assert.equal(tasks.length, REFERRALS);
      assert.ok(!tasks.includes('none'), 'an acknowledgement named no Task');
      assert.equal(await gateway.stop(), 0, (await readFile(logFile, 'utf8')).slice(-3000));
      gateway = undefined;
      const rows = await selectRows<{ id: string }>(database, dataDir, 'SELECT id FROM referral');
      assert.deepEqual(rows.map((row) => row.id).sort(), [...tasks].sort());
      const store = await openStore({ databaseUrl: database.url, dataDir });
      try {
        const ledger = await openLedger({
          store,
          dataDir: env.ENLACE_DATA_DIR,
          origin: 'unused',
          originConfigured: false,
          clock: () => new Date(),
        });
        assert.deepEqual(await ledger.scan(), { ok: true });
      } finally {
        await store.close();
      }
      const log = await readFile(logFile, 'utf8');
      assert.doesNotMatch(log, /uncaughtException|unhandledRejection/i);
      assert.doesNotMatch(log, /"status":500/);
    });
  },
);
