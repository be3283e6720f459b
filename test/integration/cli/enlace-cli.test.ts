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
    await (await openStore({ dataDir })).close();
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

  it('refuses to read from a data directory that does not exist, and creates none', async () => {
    const missing = join(dataDir, 'not-here');
    const missingEnv = { ...env, ENLACE_DATA_DIR: missing };
    for (const argv of [
      ['partner', 'list'],
      ['partner', 'show', 'policia-norte'],
      ['partner', 'suspend', 'policia-norte'],
      ['partner', 'rotate-key', 'policia-norte', '--jwks', '/dev/null', '--overlap', '1h'],
      ['pki', 'list'],
      ['audit', 'witness', 'list'],
    ]) {
      const refused = await enlace(missingEnv, ...argv);
      assert.equal(refused.code, 78, argv.join(' '));
      assert.equal(refused.stdout, '');
      assert.equal(
        refused.stderr,
        `enlace: invalid configuration: the data directory ${missing} does not exist; set ENLACE_DATA_DIR to the gateway's data directory, or start a new network there with \`enlace pki init\`, \`enlace partner register\` or \`enlace user add\`\n`,
      );
    }
    await assert.rejects(stat(missing), { code: 'ENOENT' });

    // A folder without the database is refused too: opening it would create an empty one.
    const empty = await enlace(env, 'partner', 'list');
    assert.equal(empty.code, 78);
    assert.match(empty.stderr, new RegExp(`data directory ${dataDir} holds no database`));
    await assert.rejects(stat(join(dataDir, 'enlace.db')), { code: 'ENOENT' });

    // An initialising command creates the folder, and says so.
    const init = await enlace(missingEnv, 'pki', 'init', '--network-name', 'Red Nueva');
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stderr, new RegExp(`creating the data directory ${missing}`));
    assert.match(init.stderr, /uses this CA from its next request; no restart is needed/);
    const listed = await enlace(missingEnv, 'partner', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), []);
  });

  it('adds a client, rotates its key with an overlap, removes a client, and audits each change', async () => {
    const keyFile = async (name: string, kid: string): Promise<string> => {
      const { publicKey } = await generateKeyPair('ES256', { extractable: true });
      const path = join(dataDir, name);
      await writeFile(path, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid }] }));
      return path;
    };
    const registered = await enlace(
      env,
      'partner',
      'register',
      '--id',
      'fiscalia-sur',
      '--name',
      'Fiscalía Sur',
      '--role',
      'prosecution',
      '--jwks',
      await keyFile('k1.json', 'k1'),
    );
    assert.equal(registered.code, 0, registered.stderr);
    const first = (JSON.parse(registered.stdout) as { client_id: string }).client_id;

    const beforeRotation = Date.now();
    const rotated = await enlace(
      env,
      'partner',
      'rotate-key',
      'fiscalia-sur',
      '--jwks',
      await keyFile('k2.json', 'k2'),
      '--overlap',
      '24h',
    );
    assert.equal(rotated.code, 0, rotated.stderr);
    const rotation = JSON.parse(rotated.stdout) as {
      retiresAt: string;
      client: { clientId: string; keys: { kid: string; state: string; retiresAt?: string }[] };
    };
    assert.equal(rotation.client.clientId, first);
    assert.deepEqual(
      rotation.client.keys.map((key) => [key.kid, key.state, key.retiresAt]),
      [
        ['k1', 'retiring', rotation.retiresAt],
        ['k2', 'active', undefined],
      ],
    );
    // 24 hours after the moment the command ran, which lies between these two readings.
    const retires = Date.parse(rotation.retiresAt) - 24 * 3_600_000;
    assert.ok(retires >= beforeRotation && retires <= Date.now(), rotation.retiresAt);

    const reused = await enlace(
      env,
      'partner',
      'rotate-key',
      'fiscalia-sur',
      '--jwks',
      await keyFile('k1-again.json', 'k1'),
      '--overlap',
      '0',
    );
    assert.equal(reused.code, 1);
    assert.match(reused.stderr, /kid k1 is already registered .* \(ENLACE_PARTNER_INVALID\)/);
    const badOverlap = await enlace(
      env,
      'partner',
      'rotate-key',
      'fiscalia-sur',
      '--jwks',
      await keyFile('k3.json', 'k3'),
      '--overlap',
      '1 week',
    );
    assert.equal(badOverlap.code, 1);
    assert.match(badOverlap.stderr, /overlap must be 0 or a whole number/);

    const lastOne = await enlace(
      env,
      'partner',
      'remove-client',
      'fiscalia-sur',
      '--client',
      first,
    );
    assert.equal(lastOne.code, 1);
    assert.match(lastOne.stderr, /last client of fiscalia-sur;.*\(ENLACE_PARTNER_LAST_CLIENT\)/);

    const added = await enlace(
      env,
      'partner',
      'add-client',
      'fiscalia-sur',
      '--jwks',
      await keyFile('k4.json', 'k4'),
      '--alg',
      'ES256',
    );
    assert.equal(added.code, 0, added.stderr);
    const second = (JSON.parse(added.stdout) as { client_id: string }).client_id;
    assert.notEqual(second, first);
    const ambiguous = await enlace(
      env,
      'partner',
      'rotate-key',
      'fiscalia-sur',
      '--jwks',
      await keyFile('k5.json', 'k5'),
      '--overlap',
      '1h',
    );
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /has 2 clients; name the one whose key rotates/);

    const removed = await enlace(
      env,
      'partner',
      'remove-client',
      'fiscalia-sur',
      '--client',
      first,
    );
    assert.equal(removed.code, 0, removed.stderr);
    const shown = JSON.parse((await enlace(env, 'partner', 'show', 'fiscalia-sur')).stdout) as {
      clients: { clientId: string; removedAt?: string; keys: { kid: string; state: string }[] }[];
    };
    assert.deepEqual(
      shown.clients.map((client) => [
        client.clientId,
        client.removedAt === undefined,
        client.keys.map((key) => `${key.kid}:${key.state}`),
      ]),
      [
        [first, false, ['k1:retired', 'k2:retired']],
        [second, true, ['k4:active']],
      ],
    );
    const again = await enlace(env, 'partner', 'remove-client', 'fiscalia-sur', '--client', first);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /\(ENLACE_PARTNER_CLIENT_NOT_FOUND\)/);

    const store = await openStore({ dataDir });
    try {
      const changes = (await store.audit.list())
        .map((record) => record.event)
        .filter((event) => event.subtype?.[0]?.code === '110137');
      assert.deepEqual(
        changes.map((event) => [event.action, event.entity?.[0]?.what?.reference]),
        [
          ['U', 'Organization/fiscalia-sur'],
          ['C', 'Organization/fiscalia-sur'],
          ['D', 'Organization/fiscalia-sur'],
        ],
      );
      assert.match(
        changes[0]?.entity?.[0]?.description ?? '',
        /added kid k2; earlier keys retire at/,
      );
    } finally {
      await store.close();
    }
  });

  it("rotates the gateway's keys: lists the next key as published, and audits the rotation", async () => {
    assert.equal((await enlace(env, 'pki', 'init', '--network-name', 'Red Prueba')).code, 0);
    const rotated = await enlace(env, 'keys', 'rotate', '--use', 'sig');
    assert.equal(rotated.code, 0, rotated.stderr);
    const [sig, ...others] = JSON.parse(rotated.stdout) as {
      use: string;
      previousKid: string;
      nextKid: string;
      publishedFrom: string;
      usedFrom: string;
      previousRetiresAt: string;
    }[];
    assert.equal(others.length, 0, 'only the signing key');
    assert.ok(sig !== undefined);
    assert.equal(sig.use, 'sig');
    assert.equal(Date.parse(sig.usedFrom) - Date.parse(sig.publishedFrom), 3600_000);
    assert.equal(Date.parse(sig.previousRetiresAt) - Date.parse(sig.usedFrom), 86_400_000);

    const listed = await enlace(env, 'keys', 'list');
    assert.equal(listed.code, 0, listed.stderr);
    const keys = JSON.parse(listed.stdout) as { kid: string; use: string; state: string }[];
    assert.deepEqual(
      keys.filter((key) => key.use === 'sig').map((key) => [key.kid, key.state]),
      [
        [sig.previousKid, 'in-use'],
        [sig.nextKid, 'next'],
      ],
    );

    const again = await enlace(env, 'keys', 'rotate');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /rotation under way.*\(ENLACE_INVALID_PARAMETER\)/);
    const short = await enlace(env, 'keys', 'rotate', '--use', 'enc', '--lead-seconds', '60');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /lead must be .* at least 360/);

    const store = await openStore({ dataDir });
    try {
      const [event] = (await store.audit.list())
        .map((record) => record.event)
        .filter((item) => item.subtype?.[0]?.code === '110129');
      assert.ok(event !== undefined, 'the rotation is audited');
      assert.deepEqual(
        event.entity?.map((entity) => entity.what?.identifier?.value),
        [sig.nextKid, sig.previousKid],
      );
    } finally {
      await store.close();
    }
  });
});
