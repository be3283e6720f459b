// The SDK's audit export against a scripted gateway: polling until complete, files as the manifest names them, unsafe names refused.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_EXPORT_EXTENSION } from '../../../src/audit/export-format/index.js';
import { exportAuditLog } from '../../../src/sdk/audit/export-audit-log.js';
import { EnlaceError, EnlaceProtocolError } from '../../../src/sdk/index.js';
import { createGatewayHttp } from '../../../src/sdk/transport/gateway-http.js';

const BASE = 'https://gateway.example.org';
const ID = '3a7c1e9b-2d4f-4a6b-8c0e-1f2a3b4c5d6e';

const manifestNaming = (names: { entries?: string; checkpoint?: string }) => ({
  transactionTime: '2026-12-01T00:00:00Z',
  request: `${BASE}/fhir/AuditEvent/$export`,
  requiresAccessToken: true,
  output: [{ type: 'AuditEvent', url: names.entries ?? 'AuditEvent.ndjson', count: 2 }],
  error: [],
  extension: {
    [AUDIT_EXPORT_EXTENSION]: {
      version: 1,
      origin: 'gateway.example.org/audit-log',
      treeSize: 2,
      complete: true,
      checkpoint: names.checkpoint ?? 'checkpoint.txt',
      leafHashes: 'leaf-hashes.bin',
      consistency: 'consistency.ndjson',
      filter: {},
    },
  },
});

const FILES: Record<string, string> = {
  'AuditEvent.ndjson': '{"resourceType":"AuditEvent"}\n{"resourceType":"AuditEvent"}\n',
  'checkpoint.txt': 'gateway.example.org/audit-log\n2\nAAAA\n\n— sig\n',
  'leaf-hashes.bin': 'x'.repeat(64),
  'consistency.ndjson': '',
};

interface Gateway {
  readonly requests: string[];
  readonly http: ReturnType<typeof createGatewayHttp>;
}

/** A gateway that answers 202 to the first `running` polls, then serves `manifest` and FILES. */
function scriptedGateway(manifest: unknown, running = 2, kickOffStatus = 202): Gateway {
  const requests: string[] = [];
  let polls = 0;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/fhir+json', ...headers },
    });
  const fetch = (input: Request): Promise<Response> => {
    const url = new URL(input.url);
    requests.push(`${input.method} ${url.pathname}${url.search}`);
    if (input.method === 'POST' && url.pathname === '/fhir/AuditEvent/$export') {
      return Promise.resolve(
        kickOffStatus === 202
          ? json(
              202,
              { resourceType: 'OperationOutcome', issue: [] },
              {
                'Content-Location': `${BASE}/audit/exports/${ID}`,
              },
            )
          : json(kickOffStatus, {
              resourceType: 'OperationOutcome',
              issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'not an auditor' }],
            }),
      );
    }
    if (url.pathname === `/audit/exports/${ID}`) {
      polls += 1;
      return Promise.resolve(
        polls <= running
          ? json(202, { resourceType: 'OperationOutcome', issue: [] }, { 'Retry-After': '0' })
          : json(200, manifest),
      );
    }
    const name = url.pathname.slice(`/audit/exports/${ID}/files/`.length);
    if (name === 'manifest.json') return Promise.resolve(json(200, manifest));
    const body = FILES[name];
    return Promise.resolve(
      body === undefined
        ? json(404, { resourceType: 'OperationOutcome', issue: [] })
        : new Response(body),
    );
  };
  return {
    requests,
    http: createGatewayHttp({
      baseUrl: BASE,
      fetch: fetch as typeof globalThis.fetch,
      accessToken: () => Promise.resolve('token'),
    }),
  };
}

describe("the SDK's audit export", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'enlace-sdk-export-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('polls until complete and streams every file the manifest names, the manifest last', async () => {
    const gateway = scriptedGateway(manifestNaming({}), 2);
    const progress: [number, number][] = [];
    const into = join(dir, 'export');
    const exported = await exportAuditLog(gateway.http, {
      into,
      since: '2026-11-01T00:00:00Z',
      patient: ['p1', 'p2'],
      pollIntervalMs: 1,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.equal(exported.id, ID);
    assert.equal(exported.entries, 2);
    assert.equal(
      gateway.requests[0],
      'POST /fhir/AuditEvent/$export?_since=2026-11-01T00%3A00%3A00Z&patient=p1&patient=p2',
    );
    assert.equal(gateway.requests.filter((r) => r === `GET /audit/exports/${ID}`).length, 3);
    assert.deepEqual((await readdir(into)).sort(), [...Object.keys(FILES), 'manifest.json'].sort());
    assert.equal(exported.files.at(-1), join(into, 'manifest.json'));
    for (const [name, body] of Object.entries(FILES)) {
      assert.equal(await readFile(join(into, name), 'utf8'), body);
      assert.equal((await stat(join(into, name))).mode & 0o777, 0o600);
    }
    assert.deepEqual(
      progress,
      [0, 1, 2, 3, 4, 5].map((done) => [done, 5]),
    );
  });

  for (const [what, names] of [
    ['a parent segment', { entries: '../AuditEvent.ndjson' }],
    ['an absolute path', { checkpoint: '/etc/passwd' }],
    ['a sub-directory', { checkpoint: 'sub/checkpoint.txt' }],
  ] as const) {
    it(`refuses a manifest naming ${what}, and writes nothing`, async () => {
      const gateway = scriptedGateway(manifestNaming(names), 0);
      const into = join(dir, 'export');
      await assert.rejects(
        exportAuditLog(gateway.http, { into, pollIntervalMs: 1 }),
        EnlaceProtocolError,
      );
      await assert.rejects(stat(into), { code: 'ENOENT' });
      assert.deepEqual(await readdir(dir), []);
    });
  }

  it("throws the gateway's refusal of the kick-off as an EnlaceError", async () => {
    const gateway = scriptedGateway(manifestNaming({}), 0, 403);
    await assert.rejects(
      exportAuditLog(gateway.http, { into: join(dir, 'export') }),
      (error: unknown) => error instanceof EnlaceError && error.status === 403,
    );
  });

  it('gives up when the export is not complete in time', async () => {
    const gateway = scriptedGateway(manifestNaming({}), Number.MAX_SAFE_INTEGER);
    await assert.rejects(
      exportAuditLog(gateway.http, { into: join(dir, 'export'), pollIntervalMs: 1, timeoutMs: 20 }),
      /did not complete in time/,
    );
  });
});
