// A real gateway on 127.0.0.1 (startGateway in this process) with a police station, a shelter and an oversight body whose keys and profiles are files, as a partner would hold them.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { pino } from 'pino';
import { enlaceJson } from '../../support/enlace-cli.js';
import { loadConfig } from '../../../src/config/index.js';
import { startGateway, type Gateway } from '../../../src/gateway.js';
import type { TestDatabase } from '../../support/test-database.js';
import { createCsrPem } from '../auth/test-certificates.js';

export interface PartnerFiles {
  readonly id: string;
  /** The profile file `connect({ profile })` reads. */
  readonly profile: string;
}

/** A request the gateway pushed to the shelter's endpoint, and the status the test answered. */
export interface Pushed {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface SdkNetwork {
  readonly url: string;
  readonly police: PartnerFiles;
  readonly shelter: PartnerFiles;
  readonly oversight: PartnerFiles;
  /** Every push the shelter's endpoint received, in arrival order. */
  readonly pushes: Pushed[];
  /** Runs an operator's `enlace …` command on the gateway's data directory; its JSON output. */
  operator(...argv: string[]): Promise<unknown>;
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const pemBlocks = (pem: string): string[] =>
  [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)].map(
    (match) => match[0],
  );

interface Registration {
  readonly env: Record<string, string>;
  readonly dir: string;
  readonly url: string;
}

/** Registers `id` with a JWKS (its key named by `kid`), keys as JWK files. */
async function registerWithJwks(at: Registration, id: string, role: string): Promise<PartnerFiles> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
  const kid = `${id}-sig-1`;
  const file = (name: string) => join(at.dir, `${id}.${name}`);
  const publicSigning = { ...(await exportJWK(signing.publicKey)), kid, alg: 'ES256', use: 'sig' };
  await writeFile(file('jwks.json'), JSON.stringify({ keys: [publicSigning] }));
  await writeFile(
    file('enc.pub.jwk'),
    JSON.stringify({ ...(await exportJWK(encryption.publicKey)), kid: `${id}-enc-1` }),
  );
  await writeFile(
    file('sig.jwk'),
    JSON.stringify({ ...(await exportJWK(signing.privateKey)), kid, alg: 'ES256' }),
    { mode: 0o600 },
  );
  await writeFile(file('enc.jwk'), JSON.stringify(await exportJWK(encryption.privateKey)), {
    mode: 0o600,
  });
  const registered = (await enlaceJson(
    at.env,
    'partner',
    'register',
    '--id',
    id,
    '--name',
    id,
    '--role',
    role,
    '--jwks',
    file('jwks.json'),
    '--encryption-key',
    file('enc.pub.jwk'),
  )) as { client_id: string };
  const profile = file('profile.json');
  await writeFile(
    profile,
    JSON.stringify({
      gateway: at.url,
      clientId: registered.client_id,
      signingKey: `${id}.sig.jwk`,
      decryptionKey: `${id}.enc.jwk`,
    }),
  );
  return { id, profile };
}

/** Registers `id` from a CSR: the certificate the gateway's CA issues signs with `x5c`; keys as PEM files. */
async function registerWithCertificate(
  at: Registration,
  id: string,
  role: string,
  endpoint: string,
): Promise<{ readonly id: string; readonly clientId: string; readonly certificate: string }> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
  const file = (name: string) => join(at.dir, `${id}.${name}`);
  await writeFile(
    file('csr'),
    await createCsrPem(signing.privateKey, await exportJWK(signing.publicKey), id),
  );
  await writeFile(
    file('enc.pub.jwk'),
    JSON.stringify({ ...(await exportJWK(encryption.publicKey)), kid: `${id}-enc-1` }),
  );
  // SEC1 for the signing key, as `openssl ecparam -genkey` writes it; PKCS#8 for the other.
  const sec1 = createPrivateKey(await exportPKCS8(signing.privateKey)).export({
    format: 'pem',
    type: 'sec1',
  });
  await writeFile(file('key'), sec1, { mode: 0o600 });
  await writeFile(file('enc.key'), await exportPKCS8(encryption.privateKey), { mode: 0o600 });
  const registered = (await enlaceJson(
    at.env,
    'partner',
    'register',
    '--id',
    id,
    '--name',
    id,
    '--role',
    role,
    '--csr',
    file('csr'),
    '--encryption-key',
    file('enc.pub.jwk'),
    '--endpoint',
    endpoint,
  )) as {
    client_id: string;
    certificate: string;
  };
  return { id, clientId: registered.client_id, certificate: registered.certificate };
}

/** The leaf, then the CA of the network that issued it: the chain a partner keeps beside its key. */
async function writeChain(at: Registration, id: string, leafPem: string): Promise<void> {
  const cas = pemBlocks(await (await fetch(`${at.url}/pki/ca.pem`)).text());
  const leaf = new X509Certificate(leafPem);
  const issuing = cas.find((pem) => leaf.checkIssued(new X509Certificate(pem)));
  assert.ok(issuing, 'the network CA issued the certificate');
  await writeFile(join(at.dir, `${id}.chain.pem`), `${pemBlocks(leafPem)[0] ?? ''}${issuing}`);
}

export async function createSdkNetwork(database: TestDatabase): Promise<SdkNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'enlace-sdk-'));
  const pushes: Pushed[] = [];
  const receiver: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      pushes.push({ headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  let gateway: Gateway | undefined;
  try {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverPort = (receiver.address() as AddressInfo).port;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      ...database.env,
      ENLACE_DATA_DIR: join(dir, 'data'),
      ENLACE_HOST: '127.0.0.1',
      ENLACE_PORT: String(port),
      ENLACE_CERTS_DIR: join(dir, 'certs'),
      ENLACE_LOG_LEVEL: 'silent',
      ENLACE_DELIVERY_ALLOWED_HOSTS: `127.0.0.1:${receiverPort}`,
      ENLACE_DELIVERY_POLL_SECONDS: '1',
      ENLACE_CHECKPOINT_SECONDS: '1',
    };
    const at = { env, dir, url };
    await enlaceJson(env, 'pki', 'init', '--network-name', 'Red Enlace SDK');
    const police = await registerWithJwks(at, 'comisaria-norte', 'police');
    const oversight = await registerWithJwks(at, 'defensoria', 'oversight');
    const shelter = await registerWithCertificate(
      at,
      'refugio-esperanza',
      'shelter',
      `http://127.0.0.1:${receiverPort}/enlace`,
    );
    const { config } = loadConfig(env);
    gateway = await startGateway(config, pino({ level: 'silent' }));
    await writeChain(at, shelter.id, shelter.certificate);
    const shelterProfile = join(dir, `${shelter.id}.profile.json`);
    await writeFile(
      shelterProfile,
      JSON.stringify({
        gateway: url,
        clientId: shelter.clientId,
        signingKey: `${shelter.id}.key`,
        certificate: `${shelter.id}.chain.pem`,
        decryptionKey: `${shelter.id}.enc.key`,
      }),
    );
    const running = gateway;
    return {
      url,
      police,
      shelter: { id: shelter.id, profile: shelterProfile },
      oversight,
      pushes,
      operator: (...argv) => enlaceJson(env, ...argv),
      dispose: async () => {
        await running.shutdown(1000);
        receiver.closeAllConnections();
        await new Promise((resolve) => receiver.close(resolve));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await gateway?.shutdown(1000);
    receiver.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Waits for `probe` to give a value, polling every 100 ms for at most `seconds`. */
export async function until<T>(what: string, probe: () => T | undefined, seconds = 20): Promise<T> {
  for (let waited = 0; waited < seconds * 10; waited += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
