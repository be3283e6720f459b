import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { silentLogger } from '../support/memory-log.js';
import { testEngines, type TestDatabase } from '../support/test-database.js';

const HEADERS_TIMEOUT_MS = 2000;
const MAX_CONNECTIONS = 16;

/** Resolves with the milliseconds until the server closed the socket. */
const closedAfter = (socket: Socket, started: number): Promise<number> =>
  new Promise((resolve) => {
    socket.on('close', () => {
      resolve(Date.now() - started);
    });
    socket.on('error', () => undefined);
  });

const open = (port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });

for (const engine of testEngines()) {
  describe(`slow and excess clients (${engine.name})`, function () {
    this.timeout(30_000);
    let database: TestDatabase;
    let dataDir: string;
    let gateway: Gateway;
    let port: number;

    before(async () => {
      database = await engine.create();
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-slow-'));
      const { config } = loadConfig({
        ...database.env,
        ENLACE_DATA_DIR: dataDir,
        ENLACE_PORT: '0',
        ENLACE_LOG_LEVEL: 'silent',
        ENLACE_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        ENLACE_REQUEST_TIMEOUT_MS: '4000',
        ENLACE_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      });
      gateway = await startGateway(config, silentLogger());
      port = Number(new URL(gateway.url).port);
    });
    after(async () => {
      await gateway.shutdown(1000);
      await rm(dataDir, { recursive: true, force: true });
      await database.drop();
    });

    it('cuts off a client that sends its headers too slowly within the timeout plus one second', async () => {
      const socket = await open(port);
      const started = Date.now();
      const closed = closedAfter(socket, started);
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      // One header byte every 300 ms: the request never completes on its own.
      const drip = setInterval(() => socket.write('X'), 300);
      const elapsed = await closed;
      clearInterval(drip);
      assert.ok(elapsed >= HEADERS_TIMEOUT_MS - 100, `closed after ${elapsed} ms`);
      assert.ok(elapsed <= HEADERS_TIMEOUT_MS + 1000, `closed after ${elapsed} ms`);
    });

    it('closes a connection beyond the limit at once instead of leaving it hanging', async () => {
      const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => open(port)));
      try {
        // Let the server count every held socket before the one too many arrives.
        await new Promise((resolve) => setTimeout(resolve, 100));
        const extra = await open(port);
        const elapsed = await closedAfter(extra, Date.now());
        assert.ok(elapsed < 1000, `closed after ${elapsed} ms`);
      } finally {
        for (const socket of held) socket.destroy();
      }
    });
  });
}
