// A real gateway (two workers) serving native TLS with mutual TLS required of partners: HTTPS only, TLS 1.2+, HSTS,
// https URLs, certificate-bound tokens, and refusals of missing, foreign, revoked and mismatched certificates.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { decodeJwt, SignJWT } from 'jose';
import { freePort } from '../bench/gateway-process.js';
import { enlaceJson, pemToX5c, registerWithCsr } from '../support/enlace-cli.js';
import { testEngines, type TestDatabase } from '../support/test-database.js';
import {
  createTlsCa,
  httpsRequest,
  issueTlsLeaf,
  toKeyPem,
  type HttpsAnswer,
  type HttpsCall,
  type TlsIdentity,
} from '../support/tls-fixtures.js';
import type { RegisteredPartner } from '../support/enlace-cli.js';

const HSTS = 'max-age=31536000; includeSubDomains';
const POLICE_SCOPE = 'system/Organization.rs';

class GatewayProcess {
  readonly child: ChildProcessWithoutNullStreams;
  output = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...env },
    });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
  }

  async until(what: string, probe: () => boolean, seconds = 90): Promise<void> {
    for (let waited = 0; waited < seconds * 20; waited += 1) {
      if (probe()) return;
      if (this.child.exitCode !== null)
        throw new Error(`gateway exited before ${what}: ${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
}

/** A partner's certificate and key as its TLS client presents them. */
const clientOf = (partner: RegisteredPartner) => ({
  cert: `-----BEGIN CERTIFICATE-----\n${partner.x5c[0] ?? ''}\n-----END CERTIFICATE-----\n`,
  key: toKeyPem(partner.signingKey),
});

const outcomeCode = (answer: HttpsAnswer): string | undefined => {
  const outcome = JSON.parse(answer.body) as {
    resourceType: string;
    issue: { details?: { coding?: { code?: string }[] } }[];
  };
  assert.equal(outcome.resourceType, 'OperationOutcome');
  return outcome.issue[0]?.details?.coding?.[0]?.code;
};

const sha256Thumbprint = (x5c: string): string =>
  createHash('sha256').update(Buffer.from(x5c, 'base64')).digest('base64url');

describe('a gateway started with only one of the TLS files', function () {
  this.timeout(60_000);

  it('exits 78 naming the missing variable', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'enlace-tls-config-'));
    try {
      const gateway = new GatewayProcess({
        ENLACE_DATA_DIR: dataDir,
        ENLACE_PORT: String(await freePort()),
        ENLACE_TLS_CERT_FILE: join(dataDir, 'server.pem'),
      });
      assert.equal(await gateway.exited, 78);
      assert.match(
        gateway.stderr,
        /invalid configuration: ENLACE_TLS_CERT_FILE is set without ENLACE_TLS_KEY_FILE/,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a key that is not the certificate’s', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'enlace-tls-config-'));
    try {
      const ca = await createTlsCa('Mismatch CA');
      const one = await issueTlsLeaf(ca, 'server', 'one');
      const other = await issueTlsLeaf(ca, 'server', 'other');
      await writeFile(join(dataDir, 'server.pem'), one.certificatePem);
      await writeFile(join(dataDir, 'server.key'), other.keyPem, { mode: 0o600 });
      const gateway = new GatewayProcess({
        ENLACE_DATA_DIR: dataDir,
        ENLACE_PORT: String(await freePort()),
        ENLACE_CERTS_DIR: join(dataDir, 'certs'),
        ENLACE_TLS_CERT_FILE: join(dataDir, 'server.pem'),
        ENLACE_TLS_KEY_FILE: join(dataDir, 'server.key'),
      });
      assert.equal(await gateway.exited, 1);
      assert.match(
        gateway.stderr,
        /start-up failed: ENLACE_TLS_KEY_FILE is not the key of the certificate in ENLACE_TLS_CERT_FILE/,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

for (const engine of testEngines()) {
  describe(`native TLS with ENLACE_TLS_CLIENT_AUTH=require and two workers on ${engine.name}`, function () {
    this.timeout(240_000);
    let dataDir: string;
    let database: TestDatabase;
    let env: Record<string, string>;
    let gateway: GatewayProcess;
    let base: string;
    let port: number;
    let serverCa: TlsIdentity;
    let police: RegisteredPartner;
    let shelter: RegisteredPartner;
    let stranger: { cert: string; key: string };
    let issuingCa: string;

    const call = (path: string, options: Omit<HttpsCall, 'ca'> = {}) =>
      httpsRequest(`${base}${path}`, { ...options, ca: serverCa.certificatePem });

    /** A SMART Backend Services token request, over a connection with `client`'s certificate. */
    const requestToken = async (
      partner: RegisteredPartner,
      client: { cert: string; key: string } | undefined,
    ): Promise<HttpsAnswer> => {
      const tokenEndpoint = `${base}/oauth2/token`;
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', x5c: [partner.x5c[0] ?? '', issuingCa] })
        .setIssuer(partner.clientId)
        .setSubject(partner.clientId)
        .setAudience(tokenEndpoint)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(partner.signingKey);
      return call('/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
          scope: POLICE_SCOPE,
        }).toString(),
        ...(client === undefined ? {} : { client }),
      });
    };

    const searchOrganizations = (token: string, client?: { cert: string; key: string }) =>
      call('/fhir/Organization', {
        headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
        ...(client === undefined ? {} : { client }),
      });

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'enlace-tls-'));
      database = await engine.create();
      port = await freePort();
      base = `https://127.0.0.1:${port}`;
      env = {
        ...database.env,
        ENLACE_DATA_DIR: dataDir,
        ENLACE_PORT: String(port),
        ENLACE_CERTS_DIR: join(dataDir, 'certs'),
      };
      await mkdir(join(dataDir, 'certs'));
      await enlaceJson(env, 'pki', 'init', '--network-name', 'Red Enlace TLS');
      police = await registerWithCsr(env, dataDir, { id: 'comisaria-tls', role: 'police' });
      shelter = await registerWithCsr(env, dataDir, { id: 'refugio-tls', role: 'shelter' });
      // A client certificate of a CA this gateway has never heard of.
      const foreignCa = await createTlsCa('Foreign CA');
      const foreign = await issueTlsLeaf(foreignCa, 'client', 'comisaria-tls');
      stranger = { cert: foreign.certificatePem, key: foreign.keyPem };

      serverCa = await createTlsCa('Enlace TLS test CA');
      const server = await issueTlsLeaf(serverCa, 'server', 'gateway');
      await writeFile(join(dataDir, 'server.pem'), server.certificatePem);
      await writeFile(join(dataDir, 'server.key'), server.keyPem, { mode: 0o600 });
      gateway = new GatewayProcess({
        ...env,
        ENLACE_WORKERS: '2',
        ENLACE_LOG_LEVEL: 'info',
        ENLACE_TLS_CERT_FILE: join(dataDir, 'server.pem'),
        ENLACE_TLS_KEY_FILE: join(dataDir, 'server.key'),
        ENLACE_TLS_CLIENT_AUTH: 'require',
      });
      await gateway.until('the gateway to listen', () =>
        gateway.output.includes('Enlace is listening on https://'),
      );
      issuingCa = pemToX5c((await call('/pki/ca.pem')).body)[0] ?? '';
    });

    after(async () => {
      if (gateway.child.exitCode === null) {
        gateway.child.kill('SIGTERM');
        await gateway.exited;
      }
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('answers over HTTPS with HSTS and advertises https URLs and bound tokens', async () => {
      const smart = await call('/.well-known/smart-configuration');
      assert.equal(smart.status, 200);
      assert.equal(smart.headers['strict-transport-security'], HSTS);
      const document = JSON.parse(smart.body) as Record<string, unknown>;
      assert.equal(document['token_endpoint'], `${base}/oauth2/token`);
      assert.equal(document['issuer'], base);
      assert.equal(document['tls_client_certificate_bound_access_tokens'], true);
      const metadata = await call('/fhir/metadata');
      assert.equal(metadata.headers['strict-transport-security'], HSTS);
      const statement = JSON.parse(metadata.body) as { implementation: { url: string } };
      assert.equal(statement.implementation.url, `${base}/fhir`);
      // Probes and operators reach the port without a partner certificate.
      const live = await call('/health/live');
      assert.equal(live.headers['strict-transport-security'], HSTS);
    });

    it('gives no HTTP answer to a plain-HTTP request on its port', async () => {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connectTcp(port, '127.0.0.1', () => {
          socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        });
        let received = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('close', () => {
          resolve(received);
        });
        socket.on('error', reject);
      });
      assert.ok(!answer.startsWith('HTTP/'), `answered plain HTTP: ${answer.slice(0, 40)}`);
    });

    it('negotiates TLS 1.3 by default and 1.2 when a client offers no more, and refuses TLS 1.1', async () => {
      const protocol = (options: Record<string, unknown>) =>
        new Promise<string | null>((resolve, reject) => {
          const socket = connectTls(
            { host: '127.0.0.1', port, ca: serverCa.certificatePem, ...options },
            () => {
              const negotiated = socket.getProtocol();
              socket.end();
              resolve(negotiated);
            },
          );
          socket.on('error', reject);
        });
      assert.equal(await protocol({}), 'TLSv1.3');
      assert.equal(await protocol({ maxVersion: 'TLSv1.2' }), 'TLSv1.2');
      await assert.rejects(
        protocol({
          minVersion: 'TLSv1.1',
          maxVersion: 'TLSv1.1',
          // OpenSSL 3 offers TLS 1.1 only at security level 0; the server must still refuse it.
          ciphers: 'DEFAULT@SECLEVEL=0',
        }),
        (err: NodeJS.ErrnoException) => {
          // The server's alert, not the client's own refusal: this client does speak TLS 1.1.
          assert.equal(err.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
          return true;
        },
      );
    });

    it('refuses a token request without a client certificate or with a foreign one', async () => {
      for (const client of [undefined, stranger]) {
        const answer = await requestToken(police, client);
        assert.equal(answer.status, 401);
        assert.equal((JSON.parse(answer.body) as { error: string }).error, 'invalid_client');
      }
      // Another partner's certificate on the connection does not pass for the police's.
      const crossed = await requestToken(police, clientOf(shelter));
      assert.equal(crossed.status, 401);
    });

    it('binds a token to the certificate it was issued over and honours it only there', async () => {
      const policeClient = clientOf(police);
      const granted = await requestToken(police, policeClient);
      assert.equal(granted.status, 200, granted.body);
      const token = (JSON.parse(granted.body) as { access_token: string }).access_token;
      const claims = decodeJwt(token) as { cnf?: Record<string, string> };
      assert.equal(claims.cnf?.['x5t#S256'], sha256Thumbprint(police.x5c[0] ?? ''));

      const accepted = await searchOrganizations(token, policeClient);
      assert.equal(accepted.status, 200, accepted.body);

      const bare = await searchOrganizations(token);
      assert.equal(bare.status, 401);
      assert.equal(outcomeCode(bare), 'ENLACE_CLIENT_CERTIFICATE_REQUIRED');

      const foreign = await searchOrganizations(token, stranger);
      assert.equal(foreign.status, 401);
      assert.equal(outcomeCode(foreign), 'ENLACE_CLIENT_CERTIFICATE_INVALID');

      const crossed = await searchOrganizations(token, clientOf(shelter));
      assert.equal(crossed.status, 401);
      assert.equal(outcomeCode(crossed), 'ENLACE_TOKEN_CERTIFICATE_MISMATCH');
      assert.match(String(crossed.headers['www-authenticate']), /error="invalid_token"/);
    });

    it('refuses a revoked certificate from the next request on', async () => {
      const shelterClient = clientOf(shelter);
      const granted = await requestToken(shelter, shelterClient);
      assert.equal(granted.status, 200, granted.body);
      const token = (JSON.parse(granted.body) as { access_token: string }).access_token;
      assert.equal((await searchOrganizations(token, shelterClient)).status, 200);

      const serial = new X509Certificate(Buffer.from(shelter.x5c[0] ?? '', 'base64')).serialNumber;
      await enlaceJson(env, 'pki', 'revoke', serial.toLowerCase(), '--reason', 'keyCompromise');
      const refused = await searchOrganizations(token, shelterClient);
      assert.equal(refused.status, 401);
      assert.equal(outcomeCode(refused), 'ENLACE_CLIENT_CERTIFICATE_INVALID');
    });

    it('serves a renewed certificate from every worker after SIGHUP', async () => {
      const renewed = await issueTlsLeaf(serverCa, 'server', 'gateway renewed');
      await writeFile(join(dataDir, 'server.pem'), renewed.certificatePem);
      await writeFile(join(dataDir, 'server.key'), renewed.keyPem, { mode: 0o600 });
      const expected = new X509Certificate(renewed.certificatePem).fingerprint256;
      gateway.child.kill('SIGHUP');
      await gateway.until(
        'both workers to reload',
        () => (gateway.output.match(/TLS certificate and client CAs reloaded/g) ?? []).length >= 2,
      );
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const answer = await call('/health/live');
        assert.equal(answer.serverFingerprint, expected);
      }
      assert.equal(gateway.child.exitCode, null, 'SIGHUP did not end the gateway');
    });
  });
}
