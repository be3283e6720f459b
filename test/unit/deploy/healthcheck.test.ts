// bin/healthcheck.js, the image's HEALTHCHECK: exit 0 only when /healthz answers 200, over HTTP or native TLS.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subtle, x509 } from '../../../src/pki/x509.js';

const SCRIPT = fileURLToPath(new URL('../../../bin/healthcheck.js', import.meta.url));
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

interface Probe {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the script as the container would, with only the gateway's own variables set. */
function probe(env: Record<string, string>): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stderr });
    });
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });

/** A self-signed server certificate for localhost, as PEM files in `dir`. */
async function selfSigned(dir: string): Promise<{ cert: string; key: string }> {
  const keys = await subtle.generateKey(EC, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=localhost',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    keys,
    signingAlgorithm: EC,
  });
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  writeFileSync(cert, certificate.toString('pem'));
  // Generated here and written to a temporary folder only: no key material is kept in the repository.
  const pem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' });
  writeFileSync(key, pem, { mode: 0o600 });
  return { cert, key };
}

describe('the container health check (bin/healthcheck.js)', function () {
  this.timeout(20_000);
  let status = 200;
  const paths: string[] = [];
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    paths.push(request.url ?? '');
    response.statusCode = request.url === '/healthz' ? status : 404;
    response.end('{}');
  };

  it('passes while /healthz answers 200 and fails on any other status', async () => {
    const server = createHttpServer(answer);
    const port = String(await listen(server));
    try {
      status = 200;
      assert.equal((await probe({ ENLACE_PORT: port, ENLACE_HOST: '0.0.0.0' })).code, 0);
      status = 503;
      assert.equal((await probe({ ENLACE_PORT: port, ENLACE_HOST: '0.0.0.0' })).code, 1);
      assert.deepEqual(paths.slice(-2), ['/healthz', '/healthz']);
    } finally {
      await close(server);
    }
  });

  it('fails, saying why, when nothing listens on the port', async () => {
    const server = createHttpServer(answer);
    const port = String(await listen(server));
    await close(server);
    const result = await probe({ ENLACE_PORT: port, ENLACE_HOST: '127.0.0.1' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /ECONNREFUSED/);
  });

  it('fails when the gateway accepts the connection but never answers', async () => {
    const server = createHttpServer(() => undefined);
    const port = String(await listen(server));
    try {
      const started = Date.now();
      const result = await probe({ ENLACE_PORT: port });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /timed out/);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      server.closeAllConnections();
      await close(server);
    }
  });

  it('speaks TLS when the gateway serves it natively (ENLACE_TLS_CERT_FILE)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enlace-healthcheck-'));
    try {
      const files = await selfSigned(dir);
      const server = createHttpsServer(
        { cert: readFileSync(files.cert), key: readFileSync(files.key) },
        answer,
      );
      const port = String(await listen(server));
      try {
        status = 200;
        assert.equal(
          (await probe({ ENLACE_PORT: port, ENLACE_TLS_CERT_FILE: files.cert })).code,
          0,
        );
        // Over plain HTTP the TLS server does not answer 200: the script must choose HTTPS itself.
        assert.equal((await probe({ ENLACE_PORT: port })).code, 1);
      } finally {
        server.closeAllConnections();
        await close(server);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
