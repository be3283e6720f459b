// With ENLACE_WORKERS=2, GET /metrics sums every process: whichever worker answers, the figures are the gateway's.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackageInfo } from '../../src/kernel/index.js';
import { freePort } from '../bench/gateway-process.js';
import { parseExposition, valueOf } from '../support/prometheus-text.js';
import { testEngines, type TestDatabase } from '../support/test-database.js';

const TOKEN = 'e2e-metrics-token-0123456789abcdefghijklmnop';
const PROBES = 24;
const SCRAPES = 4;

interface LogLine {
  readonly msg?: string;
  readonly route?: string | null;
  readonly pid?: number;
}

const logLines = (output: string): LogLine[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

async function until(what: string, probe: () => boolean, seconds = 60): Promise<void> {
  for (let waited = 0; waited < seconds * 20; waited += 1) {
    if (probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One GET on a connection of its own, so the primary hands each to the next worker in turn. */
function fetchAlone(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    }).on('error', reject);
  });
}

for (const engine of testEngines()) {
  describe(`GET /metrics of a gateway with ENLACE_WORKERS=2 on ${engine.name}`, function () {
    this.timeout(120_000);
    let dataDir: string;
    let database: TestDatabase;
    let gateway: ChildProcessWithoutNullStreams | undefined;

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-workers-metrics-'));
      database = await engine.create();
    });
    after(async () => {
      if (gateway?.exitCode === null) gateway.kill('SIGKILL');
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('gives the same sums over the primary and both workers, whichever worker answers', async () => {
      const port = await freePort();
      let output = '';
      const started = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...process.env,
          ...database.env,
          ENLACE_DATA_DIR: dataDir,
          ENLACE_PORT: String(port),
          ENLACE_WORKERS: '2',
          ENLACE_LOG_LEVEL: 'info',
          ENLACE_METRICS: 'on',
          ENLACE_METRICS_TOKEN: TOKEN,
        },
      });
      gateway = started;
      started.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      started.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const exitCode = new Promise<number | null>((resolve) => started.once('exit', resolve));
      await until('the gateway to listen', () => output.includes('Enlace is listening on'));
      const base = `http://127.0.0.1:${port}`;

      for (let probe = 0; probe < PROBES; probe += 1) {
        assert.equal((await fetchAlone(`${base}/healthz`)).status, 200);
      }
      const linesOf = (route: string): LogLine[] =>
        logLines(output).filter((line) => line.msg === 'request' && line.route === route);
      await until('a log line per probe', () => linesOf('/healthz').length >= PROBES);
      assert.equal(
        new Set(linesOf('/healthz').map((line) => line.pid)).size,
        2,
        'both workers served',
      );

      const refused = await fetchAlone(`${base}/metrics`);
      assert.equal(refused.status, 401);
      const probes = { method: 'GET', route: '/healthz', status_class: '2xx' };
      for (let scrape = 0; scrape < SCRAPES; scrape += 1) {
        const answer = await fetchAlone(`${base}/metrics`, { authorization: `Bearer ${TOKEN}` });
        assert.equal(answer.status, 200, answer.body.slice(0, 500));
        const samples = parseExposition(answer.body);
        // The primary and both workers, and every probe whichever worker served it.
        assert.equal(valueOf(samples, 'enlace_metrics_processes'), 3);
        assert.equal(
          valueOf(samples, 'enlace_http_request_duration_seconds_count', probes),
          PROBES,
        );
        assert.equal(
          valueOf(samples, 'enlace_http_request_duration_seconds_count', {
            method: 'GET',
            route: '/metrics',
            status_class: '4xx',
          }),
          1,
        );
        assert.equal(valueOf(samples, 'enlace_database_figures_up'), 1);
        assert.equal(valueOf(samples, 'enlace_info', { version: readPackageInfo().version }), 1);
      }
      await until('a log line per scrape', () => linesOf('/metrics').length >= SCRAPES + 1);
      const scrapers = new Set(
        linesOf('/metrics')
          .slice(1)
          .map((line) => line.pid),
      );
      assert.equal(scrapers.size, 2, 'both workers answered scrapes');

      started.kill('SIGTERM');
      assert.equal(await exitCode, 0, output.slice(-2000));
    });
  });
}
