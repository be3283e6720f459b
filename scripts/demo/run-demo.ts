// The demo's story: a police station refers a woman to a shelter through a throw-away gateway, and an oversight body verifies the log.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import process from 'node:process';
import { connect, type EnlaceClient } from '../../src/sdk/index.js';
import type { Cleanup } from './cleanup.js';
import { spawnGateway } from './gateway-process.js';
import type { Narrator } from './narrator.js';
import { createOperator, runEnlace } from './operator.js';
import { generatePartnerKeys, writeProfile, type PartnerKeyFiles } from './partner-keys.js';
import { startPushReceiver } from './push-receiver.js';
import { tracedFetch } from './traced-fetch.js';

/** What the final line reports and a test checks: the gateway's pid and the directory, both gone by then. */
export interface DemoFacts {
  dir?: string;
  gatewayPid?: number;
  /** The gateway's last lines of output, to explain a failure. */
  gatewayOutput?: () => string;
}

export interface DemoSummary {
  readonly taskId: string;
  readonly auditEntries: number;
}

const WAIT_MS = 20_000;
const CEDULA = 'https://registro.example.org/fhir/NamingSystem/cedula';

/** A port that was free a moment ago: the gateway's public URL must name it before it listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The environment without the caller's ENLACE_* settings: the demo's gateway is configured here alone. */
function cleanEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !entry[0].startsWith('ENLACE_'),
    ),
  );
}

export async function runDemo(options: {
  readonly root: string;
  readonly narrator: Narrator;
  readonly cleanup: Cleanup;
  readonly facts: DemoFacts;
}): Promise<DemoSummary> {
  const { narrator: n, cleanup, facts } = options;

  n.step('A throw-away directory holds the gateway’s database, keys and every file of the demo');
  const dir = await mkdtemp(join(tmpdir(), 'enlace-demo-'));
  facts.dir = dir;
  cleanup.defer(
    () => rm(dir, { recursive: true, force: true }),
    () => {
      rmSync(dir, { recursive: true, force: true });
    },
  );
  n.say(dir);

  n.step('The shelter opens its push endpoint (rest-hook) on 127.0.0.1');
  const receiver = await startPushReceiver((exchange) => {
    n.exchange('gateway→', exchange);
  });
  cleanup.defer(
    () => receiver.close(),
    () => undefined,
  );
  n.say(`${receiver.url}: it answers 2xx only to a push the SDK has verified`);

  const port = await freePort();
  const env: Record<string, string> = {
    ...cleanEnvironment(),
    ENLACE_DATA_DIR: join(dir, 'data'),
    ENLACE_CERTS_DIR: join(dir, 'certs'),
    ENLACE_HOST: '127.0.0.1',
    ENLACE_PORT: String(port),
    ENLACE_WORKERS: '1',
    ENLACE_LOG_LEVEL: 'warn',
    ENLACE_DELIVERY_ALLOWED_HOSTS: receiver.host,
    ENLACE_DELIVERY_POLL_SECONDS: '1',
    ENLACE_CHECKPOINT_SECONDS: '1',
  };
  const operator = createOperator(env);

  n.step('The operator creates the network’s certificate authority');
  n.say('$ enlace pki init --network-name "Red Enlace Demo"');
  await operator('pki', 'init', '--network-name', 'Red Enlace Demo');

  n.step(
    'The operator registers a police station, a shelter and an oversight body, each with fresh keys',
  );
  const register = async (id: string, role: string, endpoint?: string) => {
    const keys = await generatePartnerKeys(dir, id);
    const argv = ['partner', 'register', '--id', id, '--name', id, '--role', role];
    argv.push('--jwks', keys.jwks, '--encryption-key', keys.encryptionKey);
    if (endpoint !== undefined) argv.push('--endpoint', endpoint);
    const registered = (await operator(...argv)) as { client_id: string };
    n.say(
      `$ enlace partner register --id ${id} --role ${role} --jwks ${id}.jwks.json --encryption-key ${id}.enc.pub.jwk${endpoint === undefined ? '' : ` --endpoint ${endpoint}`}`,
    );
    n.say(
      `  client id ${registered.client_id}; ES256 signing and P-256 encryption keys, private halves 0600`,
    );
    return { keys, clientId: registered.client_id };
  };
  const police = await register('comisaria-norte', 'police');
  const shelter = await register('refugio-esperanza', 'shelter', receiver.url);
  const oversight = await register('defensoria', 'oversight');

  n.step('The gateway starts, on the embedded SQLite database in that directory');
  const gateway = spawnGateway({ root: options.root, env });
  facts.gatewayPid = gateway.pid;
  facts.gatewayOutput = () => gateway.output();
  cleanup.defer(
    () => gateway.stop(),
    () => {
      gateway.killNow();
    },
  );
  n.say(`$ node --import tsx src/main.ts   (pid ${gateway.pid})`);
  const url = await gateway.listening(45_000);
  n.say(`Enlace is listening on ${url}`);

  const connectAs = async (who: string, partner: { keys: PartnerKeyFiles; clientId: string }) =>
    connect({
      profile: await writeProfile(dir, partner.keys, url, partner.clientId),
      fetch: tracedFetch((exchange) => {
        n.exchange(who, exchange);
      }),
    });
  n.step(
    'Each institution connects with the SDK: discovery, then a token for a private_key_jwt assertion',
  );
  const station: EnlaceClient = await connectAs('police', police);
  const refuge: EnlaceClient = await connectAs('shelter', shelter);
  receiver.verifyWith((request) => refuge.verifyPush(request));
  const auditor: EnlaceClient = await connectAs('oversight', oversight);
  n.say(
    `${station.organization} (${station.role}), ${refuge.organization} (${refuge.role}), ${auditor.organization} (${auditor.role})`,
  );

  const survivor = { system: CEDULA, value: '4.512.337-1' };
  n.step(
    'At the police station she agrees that a shelter may receive her case; the station records it',
  );
  const consent = await station.consent.record({
    survivor,
    actor: { role: 'shelter' },
    purposes: ['shelter'],
    dataClasses: ['contact-details', 'location', 'risk-assessment'],
  });
  n.say(`recorded as ${consent.reference}`);

  n.step(
    'The station refers her to the shelter: built, signed, encrypted to the gateway, acknowledged',
  );
  const sent = await station.referrals.send({
    to: refuge.organization,
    survivor,
    consent: consent.reference,
    purpose: 'shelter',
    risk: 'high',
    services: ['shelter'],
    violence: ['physical', 'psychological'],
    summary: 'Needs a safe place tonight with her two children.',
    contact: { phone: '+598 99 123 456' },
  });
  n.say(`Task/${sent.taskId}; the gateway’s signed acknowledgement verified`);

  n.step('The gateway pushes it to the shelter, which verifies it with the SDK (verifyPush)');
  const pushed = await receiver.next('referral', WAIT_MS);
  if (pushed.kind !== 'referral') throw new Error('a referral push was expected');
  const key = pushed.referral.senderKey;
  const signer =
    key === undefined
      ? 'its signature dropped, as consent removed part of it'
      : key.kind === 'certificate'
        ? `signed under certificate ${key.subject}`
        : `signed with the key ${key.kid} it registered`;
  n.say(`opened with the shelter’s own key; from ${pushed.referral.content.sender}, ${signer}`);
  n.say(`the gateway’s signed consent decision: ${pushed.referral.decision}`);

  n.step('The shelter opens the referral from the gateway, verified again, and closes the loop');
  const opened = await refuge.referrals.open(sent.taskId);
  n.say(`risk ${opened.content.risk ?? '?'}: ${opened.content.summary ?? ''}`);
  const accepted = await refuge.tasks.accept(opened.task, 'A place is ready.');
  const done = await refuge.tasks.complete(
    await refuge.tasks.start(accepted),
    'Placed in a shelter with her children.',
  );
  n.say(`Task/${done.id ?? sent.taskId} is ${done.status}`);
  const seen = await station.tasks.read(sent.taskId);
  n.say(`and the station sees it ${seen.status}`);
  if (seen.status !== 'completed') throw new Error(`the station sees the Task ${seen.status}`);

  n.step('She withdraws her consent at the station; the shelter, which holds her case, is told');
  const revocation = await station.consent.revoke(consent, 'She withdrew consent in person.');
  n.say(`${revocation.notifiedInstitutions} institution(s) notified`);
  const notice = await receiver.next('consent-revoked', WAIT_MS);
  n.say(`the shelter verified the gateway-signed ${notice.kind} notice (${notice.idempotencyKey})`);

  n.step('The oversight body keeps a checkpoint, exports the audit log and takes the log key');
  n.say('(in life it keeps the log key from a channel it trusts, not only from the gateway)');
  const checkpoint = await auditor.audit.checkpoint();
  const kept = join(dir, 'kept-checkpoint.txt');
  await writeFile(kept, checkpoint.note);
  n.say(`kept checkpoint: ${checkpoint.size} entries, signed by the log key`);
  const exportDir = join(dir, 'export');
  const exported = await auditor.audit.export({ into: exportDir, timeoutMs: WAIT_MS });
  const logKeyFile = join(dir, 'log.pub');
  await writeFile(logKeyFile, `${await auditor.audit.logKey()}\n`);
  n.say(
    `${exported.entries} entries in ${exported.files.map((file) => basename(file)).join(', ')}`,
  );

  n.step(
    'The gateway stops; the export is verified offline, with nothing but the files and the key',
  );
  await gateway.stop();
  n.say(`gateway pid ${gateway.pid} stopped`);
  n.say('$ enlace audit verify export --log-key log.pub --checkpoint kept-checkpoint.txt');
  const verification = await verifyOffline(exportDir, logKeyFile, kept);
  for (const line of verification.split('\n')) n.say(line);

  return { taskId: sent.taskId, auditEntries: exported.entries };
}

/** `enlace audit verify`, with an environment that names no gateway, database or credential. */
async function verifyOffline(exportDir: string, logKey: string, kept: string): Promise<string> {
  const argv = ['audit', 'verify', exportDir, '--log-key', logKey, '--checkpoint', kept];
  const { code, out, err } = await runEnlace(argv, {});
  if (code !== 0) {
    throw new Error(`enlace audit verify failed (exit ${code}): ${`${out}${err}`.trim()}`);
  }
  return out.trim();
}
