// Two partners close the whole loop against a real gateway process: a police station refers a woman to
// a shelter with keys from the network PKI; the shelter receives the push, verifies the station's
// signature and the gateway's consent Provenance, accepts and completes; the station sees it done.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Consent, Provenance, Task } from '@medplum/fhirtypes';
import { compactDecrypt, CompactEncrypt, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { verifyDecisionProvenance } from '../../src/consent/index.js';
import { signBundle, verifyBundleSignature } from '../../src/crypto/index.js';
import { enlaceJson, pemToX5c, registerWithCsr } from '../support/enlace-cli.js';
import { createRunDatabase, selectRows, type TestDatabase } from '../support/test-database.js';
import {
  buildReferralBundle,
  CONTACT_PHONE,
  shelterConsent,
  SURVIVOR_ID_SYSTEM,
} from '../integration/referrals/referral-fixtures.js';

interface Partner {
  readonly id: string;
  readonly clientId: string;
  readonly signingKey: CryptoKey;
  /** Leaf then issuing CA, base64 DER, as a JWS `x5c`. */
  readonly x5c: string[];
  readonly decryptionKey: CryptoKey;
}

interface Pushed {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(what: string, probe: () => T | undefined, seconds = 20): Promise<T> {
  for (let waited = 0; waited < seconds * 10; waited += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a referral, end to end between two partners and a gateway process', function () {
  this.timeout(120_000);
  let dataDir: string;
  let database: TestDatabase;
  let gateway: ChildProcessWithoutNullStreams;
  let receiver: Server;
  let base: string;
  const pushed: Pushed[] = [];
  let police: Partner;
  let shelter: Partner;
  let caChain: X509Certificate[];

  async function register(
    env: Record<string, string>,
    id: string,
    role: string,
    endpoint?: string,
  ): Promise<Partner> {
    const partner = await registerWithCsr(env, dataDir, {
      id,
      role,
      ...(endpoint === undefined ? {} : { endpoint }),
    });
    const issuing = (await enlaceJson(env, 'pki', 'list')) as unknown[];
    assert.ok(issuing.length > 0);
    return { ...partner, x5c: [...partner.x5c] };
  }

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-e2e-'));
    database = await createRunDatabase();
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        pushed.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverPort = (receiver.address() as AddressInfo).port;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      ...database.env,
      ENLACE_DATA_DIR: dataDir,
      ENLACE_PORT: String(port),
      ENLACE_LOG_LEVEL: 'warn',
      ENLACE_DELIVERY_ALLOWED_HOSTS: `127.0.0.1:${receiverPort}`,
      ENLACE_DELIVERY_POLL_SECONDS: '1',
    };
    await enlaceJson(env, 'pki', 'init', '--network-name', 'Red Enlace E2E');
    police = await register(env, 'comisaria-norte', 'police');
    shelter = await register(
      env,
      'refugio-esperanza',
      'shelter',
      `http://127.0.0.1:${receiverPort}/enlace`,
    );

    gateway = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...env },
    });
    let stdout = '';
    gateway.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    gateway.stderr.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await until('the gateway to listen', () =>
      stdout.includes('listening on') ? true : undefined,
    );
    caChain = pemToX5c(await (await fetch(`${base}/pki/ca.pem`)).text()).map(
      (der) => new X509Certificate(Buffer.from(der, 'base64')),
    );
  });

  after(async () => {
    gateway.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function token(partner: Partner, scope: string): Promise<string> {
    const tokenEndpoint = `${base}/oauth2/token`;
    const assertion = await new SignJWT({})
      .setProtectedHeader({
        alg: 'ES256',
        x5c: [partner.x5c[0] ?? '', caChain[0]?.raw.toString('base64') ?? ''],
      })
      .setIssuer(partner.clientId)
      .setSubject(partner.clientId)
      .setAudience(tokenEndpoint)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(partner.signingKey);
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope,
      }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  }

  const call = (accessToken: string, path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(init.headers as Record<string, string>),
      },
    });

  /** The recipient's check of the sender's signature: the x5c chain must lead to the network CA. */
  const networkChainResolver = (request: { x5c?: readonly string[] }) => {
    const [leafDer] = request.x5c ?? [];
    const issuing = caChain[0];
    if (leafDer === undefined || issuing === undefined) throw new Error('no certificate chain');
    const leaf = new X509Certificate(Buffer.from(leafDer, 'base64'));
    assert.ok(
      leaf.checkIssued(issuing) && leaf.verify(issuing.publicKey),
      'issued by the network CA',
    );
    return Promise.resolve({ key: leaf.publicKey, info: leaf.subject });
  };

  it('refers, pushes, verifies, accepts and completes', async () => {
    const survivorId = '4.512.337-1';
    const policeToken = await token(police, 'system/Bundle.cr system/Consent.crus system/Task.rus');
    const shelterToken = await token(shelter, 'system/Bundle.cr system/Task.rus');

    // The survivor agreed at the police station that a shelter may receive her case.
    const consent: Consent = shelterConsent(survivorId, police.id);
    const year = new Date().getUTCFullYear();
    if (consent.provision)
      consent.provision.period = { start: `${year - 1}-01-01`, end: `${year + 1}-12-31` };
    consent.dateTime = new Date().toISOString();
    const recorded = await call(policeToken, '/fhir/Consent', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(consent),
    });
    assert.equal(recorded.status, 201, await recorded.clone().text());
    const consentId = ((await recorded.json()) as Consent).id ?? '';

    // The station builds, signs (x5c from the PKI) and encrypts the referral to the gateway.
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const gatewayEnc = jwks.keys.find((key) => key.use === 'enc' && key.crv === 'P-256');
    const gatewaySig = jwks.keys.find((key) => key.use === 'sig');
    assert.ok(gatewayEnc && gatewaySig);
    const unsigned = buildReferralBundle({ sender: police.id, recipient: shelter.id, survivorId });
    const signed = await signBundle(
      unsigned,
      {
        privateKey: police.signingKey,
        alg: 'ES256',
        x5c: [police.x5c[0] ?? '', caChain[0]?.raw.toString('base64') ?? ''],
      },
      { reference: `Organization/${police.id}` },
      new Date(),
    );
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(signed)))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: gatewayEnc.kid ?? '' })
      .encrypt(await importJWK(gatewayEnc, 'ECDH-ES+A256KW'));
    const submitted = await call(policeToken, '/fhir/$process-message', {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: jwe,
    });
    assert.equal(submitted.status, 200, await submitted.clone().text());
    const acknowledgement = (await submitted.json()) as Bundle;
    // Proof of receipt: the acknowledgement is signed by the gateway's published key.
    await verifyBundleSignature(
      acknowledgement,
      async () => ({ key: (await importJWK(gatewaySig, 'ES256')) as CryptoKey, info: 'gateway' }),
      { now: new Date() },
    );
    const taskRef =
      acknowledgement.entry?.[0]?.resource?.resourceType === 'MessageHeader'
        ? acknowledgement.entry[0].resource.focus?.[0]?.reference
        : undefined;
    const taskId = taskRef?.replace('Task/', '') ?? '';
    assert.match(taskId, /^[0-9a-f-]{36}$/);

    // The push arrives at the shelter's rest-hook, encrypted to the shelter's own key.
    const push = await until('the push', () =>
      pushed.find((p) => p.headers['enlace-delivery-kind'] === 'referral'),
    );
    assert.equal(push.headers['content-type'], 'application/jose');
    assert.equal(typeof push.headers['idempotency-key'], 'string');
    const { plaintext } = await compactDecrypt(push.body, shelter.decryptionKey);
    const delivered = JSON.parse(new TextDecoder().decode(plaintext)) as Bundle;
    const message = delivered.entry?.[0]?.resource as Bundle;
    const provenance = delivered.entry?.find((e) => e.resource?.resourceType === 'Provenance')
      ?.resource as Provenance;
    // The shelter verifies the station itself signed it, and that the gateway checked consent.
    const verified = await verifyBundleSignature(message, networkChainResolver, {
      now: new Date(),
    });
    assert.match(verified.key, /CN=comisaria-norte/);
    assert.equal(await verifyDecisionProvenance(delivered, gatewaySig), true);
    assert.deepEqual(
      provenance.target.map((target) => target.reference),
      [delivered.entry?.[0]?.fullUrl],
    );

    // The shelter also finds it by pulling, and closes the loop.
    const listed = (await (
      await call(shelterToken, `/fhir/Task?owner=Organization/${shelter.id}`)
    ).json()) as Bundle<Task>;
    assert.deepEqual(
      listed.entry?.map((e) => e.resource?.id),
      [taskId],
    );
    let version = Number(
      (await call(shelterToken, `/fhir/Task/${taskId}`)).headers.get('etag')?.match(/\d+/)?.[0],
    );
    for (const patch of [
      [{ op: 'replace', path: '/status', value: 'accepted' }],
      [{ op: 'replace', path: '/status', value: 'in-progress' }],
      [
        { op: 'replace', path: '/status', value: 'completed' },
        {
          op: 'add',
          path: '/output/-',
          value: { type: { text: 'service provided' }, valueString: 'shelter placement' },
        },
      ],
    ]) {
      const res = await call(shelterToken, `/fhir/Task/${taskId}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json-patch+json', 'if-match': `W/"${version}"` },
        body: JSON.stringify(patch),
      });
      assert.equal(res.status, 200, await res.clone().text());
      version += 1;
    }

    // The station sees the loop close.
    const seen = (await (await call(policeToken, `/fhir/Task/${taskId}`)).json()) as Task;
    assert.equal(seen.status, 'completed');
    assert.equal(seen.output?.[0]?.valueString, 'shelter placement');
    assert.equal(
      seen.for?.identifier?.system === SURVIVOR_ID_SYSTEM,
      false,
      'no raw identifier on the Task',
    );
    // The station has no push endpoint: it pulls a notice of each step, in order, signed by the
    // gateway, then acknowledges them so they are not returned again.
    const gatewayKey = async () => ({
      key: (await importJWK(gatewaySig, 'ES256')) as CryptoKey,
      info: 'gateway',
    });
    const inbox = (await (await call(policeToken, '/fhir/$notices')).json()) as Bundle<Bundle>;
    const steps: string[] = [];
    for (const entry of inbox.entry ?? []) {
      const notice = entry.resource as Bundle;
      await verifyBundleSignature(notice, gatewayKey, { now: new Date() });
      const task = notice.entry?.[1]?.resource as Task;
      steps.push(`${task.meta?.versionId ?? ''}:${task.status}`);
    }
    assert.deepEqual(steps, ['2:accepted', '3:in-progress', '4:completed']);
    const acknowledged = await call(policeToken, '/fhir/$acknowledge-notices', {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Parameters',
        parameter: (inbox.entry ?? []).map((entry) => ({
          name: 'notice',
          valueId: entry.resource?.id,
        })),
      }),
    });
    assert.equal(acknowledged.status, 200, await acknowledged.clone().text());
    const emptied = (await (await call(policeToken, '/fhir/$notices')).json()) as Bundle;
    assert.equal(emptied.total, 0);

    // She withdraws her consent at the station: the shelter, which received her case, is told.
    const revoked = await call(policeToken, `/fhir/Consent/${consentId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([
        { op: 'replace', path: '/status', value: 'inactive' },
        {
          op: 'add',
          path: '/extension/-',
          value: {
            url: 'https://enlace.example.org/fhir/StructureDefinition/revocation-reason',
            valueString: 'She withdrew consent in person.',
          },
        },
      ]),
    });
    assert.equal(revoked.status, 200, await revoked.clone().text());
    const notice = await until('the consent-revoked push', () =>
      pushed.find((p) => p.headers['enlace-delivery-kind'] === 'consent-revoked'),
    );
    const noticeText = new TextDecoder().decode(
      (await compactDecrypt(notice.body, shelter.decryptionKey)).plaintext,
    );
    // Every notice is a message signed by the gateway inside the JWE.
    await verifyBundleSignature(JSON.parse(noticeText) as Bundle, gatewayKey, { now: new Date() });
    assert.match(noticeText, new RegExp(`Consent/${consentId}`));
    assert.match(noticeText, new RegExp(`Bundle/${taskId}`));
    // And the content is no longer released to her new institution either.
    const after = await call(shelterToken, `/fhir/Bundle/${taskId}`, {
      headers: { accept: 'application/jose' },
    });
    assert.equal(after.status, 403);
  });

  it('wrote no AuditEvent that names her, gives her phone or her national id', async () => {
    // Read as an auditor with the database would: every event the whole story left.
    const rows = await selectRows<{ resource: unknown }>(
      database,
      dataDir,
      'SELECT resource FROM audit_event ORDER BY seq',
    );
    assert.ok(rows.length >= 10, `only ${rows.length} AuditEvents`);
    const text = rows
      .map((row) =>
        typeof row.resource === 'string' ? row.resource : JSON.stringify(row.resource),
      )
      .join('\n');
    for (const [what, pattern] of [
      ['her name', /\bAna\b/],
      ['her phone', new RegExp(CONTACT_PHONE.replace(/[+ ]/g, '.?'))],
      ['her national id', /4\.?512\.?337/],
    ] as const) {
      assert.doesNotMatch(text, pattern, `an AuditEvent holds ${what}`);
    }
  });
});
