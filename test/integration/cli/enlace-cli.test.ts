// The `enlace` command on a real data directory and database: PKI, partners, users, and its error lines.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import { runCli } from '../../../src/cli/main.js';
import { openStore } from '../../../src/store/index.js';
import { createCsrPem } from '../auth/test-certificates.js';

const exec = promisify(execFile);

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command in this process, capturing what it writes, with its own environment. */
async function enlace(env: Record<string, string>, ...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  };
  try {
    const code = await runCli(argv, env);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe('the enlace command', function () {
  this.timeout(60_000);
  let dataDir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-cli-'));
    env = { ENLACE_DATA_DIR: dataDir, ENLACE_LOG_LEVEL: 'silent' };
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('initialises the network CA, registers a partner from a CSR, and revokes its certificate', async () => {
    const init = await enlace(env, 'pki', 'init', '--network-name', 'Red Enlace Prueba');
    assert.equal(init.code, 0, init.stderr);
    assert.equal((await stat(join(dataDir, 'pki'))).mode & 0o777, 0o700);

    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const csrPath = join(dataDir, 'partner.csr');
    await writeFile(csrPath, await createCsrPem(privateKey, await exportJWK(publicKey), 'x'));
    const registered = await enlace(
      env,
      'partner',
      'register',
      '--id',
      'refugio-sur',
      '--name',
      'Refugio Sur',
      '--role',
      'shelter',
      '--csr',
      csrPath,
    );
    assert.equal(registered.code, 0, registered.stderr);
    const result = JSON.parse(registered.stdout) as { client_id: string; certificate: string };
    assert.match(result.client_id, /^[0-9a-f-]{36}$/);
    const certPath = join(dataDir, 'partner.pem');
    await writeFile(certPath, result.certificate);
    const { stdout: text } = await exec('openssl', [
      'x509',
      '-in',
      certPath,
      '-noout',
      '-subject',
      '-ext',
      'subjectAltName,extendedKeyUsage',
    ]);
    assert.match(text, /CN\s*=\s*refugio-sur/);
    assert.match(text, /URI:https:\/\/enlace\.example\.org\/fhir\/Organization\/refugio-sur/);
    assert.match(text, /TLS Web Client Authentication/);

    const listed = JSON.parse(
      (await enlace(env, 'pki', 'list', '--partner', 'refugio-sur')).stdout,
    ) as { serial: string }[];
    assert.equal(listed.length, 1);
    const revoked = await enlace(
      env,
      'pki',
      'revoke',
      listed[0]?.serial ?? '',
      '--reason',
      'keyCompromise',
    );
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(
      (JSON.parse(revoked.stdout) as { revocationReason: string }).revocationReason,
      'keyCompromise',
    );
    const again = await enlace(
      env,
      'pki',
      'revoke',
      listed[0]?.serial ?? '',
      '--reason',
      'keyCompromise',
    );
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already revoked \(ENLACE_CERTIFICATE_ALREADY_REVOKED\)/);

    const crlPath = join(dataDir, 'crl.der');
    assert.equal((await enlace(env, 'pki', 'crl', '--out', crlPath)).code, 0);
    const { stdout: crl } = await exec('openssl', [
      'crl',
      '-inform',
      'DER',
      '-in',
      crlPath,
      '-noout',
      '-text',
    ]);
    assert.match(crl, new RegExp(listed[0]?.serial ?? 'missing', 'i'));
  });

  it('registers with a JWKS, suspends and activates, and audits each change', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwksPath = join(dataDir, 'jwks.json');
    await writeFile(
      jwksPath,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] }),
    );
    const registered = await enlace(
      env,
      'partner',
      'register',
      '--id',
      'policia-norte',
      '--name',
      'Policía Norte',
      '--role',
      'police',
      '--jwks',
      jwksPath,
    );
    assert.equal(registered.code, 0, registered.stderr);
    const suspended = await enlace(env, 'partner', 'suspend', 'policia-norte');
    assert.equal((JSON.parse(suspended.stdout) as { status: string }).status, 'suspended');
    const shown = JSON.parse((await enlace(env, 'partner', 'show', 'policia-norte')).stdout) as {
      partner: { status: string; version: number };
      clients: unknown[];
    };
    assert.equal(shown.partner.status, 'suspended');
    assert.equal(shown.clients.length, 1);
    await enlace(env, 'partner', 'activate', 'policia-norte');

    const store = await openStore({ dataDir });
    try {
      const events = (await store.audit.list()).map((record) => record.event);
      assert.deepEqual(
        events.map((event) => `${event.type.code ?? ''}/${event.subtype?.[0]?.code ?? ''}`),
        ['rest/create', '110113/110137', '110113/110137'],
      );
      assert.equal(
        events[0]?.agent[0]?.who?.identifier?.system,
        'https://enlace.example.org/fhir/NamingSystem/os-user',
      );
    } finally {
      await store.close();
    }
  });

  it('creates an operator from a password file and prints the enrolment URI', async () => {
    const passwordPath = join(dataDir, 'password');
    await writeFile(passwordPath, 'a long and memorable passphrase\n');
    const added = await enlace(
      env,
      'user',
      'add',
      'ana',
      '--role',
      'operator',
      '--password-file',
      passwordPath,
    );
    assert.equal(added.code, 0, added.stderr);
    const body = JSON.parse(added.stdout) as { otpauth: string; role: string };
    assert.equal(body.role, 'operator');
    assert.match(body.otpauth, /^otpauth:\/\/totp\/Enlace:ana\?secret=[A-Z2-7]+&issuer=Enlace/);
    assert.equal(added.stdout.includes('memorable'), false);
    assert.equal(
      (await readFile(join(dataDir, 'keys', 'people-secret.key'), 'utf8')).length > 40,
      true,
    );
  });

  it('answers one line with the code for refusals, and 78 for a bad configuration', async () => {
    const unknown = await enlace(env, 'partner', 'show', 'nobody');
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr,
      'enlace: No partner has the id nobody. (ENLACE_PARTNER_NOT_FOUND)\n',
    );
    const noCa = await enlace(
      env,
      'partner',
      'register',
      '--id',
      'x1',
      '--name',
      'X',
      '--role',
      'ngo',
      '--csr',
      '/dev/null',
    );
    assert.equal(noCa.code, 1);
    assert.match(noCa.stderr, /run `enlace pki init` first/);
    const badConfig = await enlace({ ...env, ENLACE_PORT: 'x' }, 'partner', 'list');
    assert.equal(badConfig.code, 78);
    assert.match(badConfig.stderr, /ENLACE_PORT must be an integer/);
  });
});
