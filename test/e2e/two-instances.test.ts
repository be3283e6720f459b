// Two gateway instances, each its own process and port, share one PostgreSQL database: a replayed client
// assertion is accepted once, a referral sent to one is read from the other, the same submission to both
// makes one referral, both append to one audit log whose proofs verify and whose checkpoints agree, and
// their outbox workers push 1,000 deliveries once each, also when one instance is killed mid-drain.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { leafHashOfStored } from '../../src/audit/ledger-entry.js';
import { latestCheckpoint, openLedger } from '../../src/audit/ledger/index.js';
import { readCheckpointFile } from '../../src/audit/ledger/checkpoint-file.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkle/index.js';
import { openNote, parseCheckpoint, parseVerifierKey } from '../../src/audit/note/index.js';
import { createPayloadVault, loadOrCreateDataKeys } from '../../src/crypto/index.js';
import { DEFAULT_BATCH_SIZE as BATCH } from '../../src/referrals/delivery/delivery-settings.js';
import { enqueueDelivery } from '../../src/referrals/outbox.js';
import { openStore, type Store } from '../../src/store/index.js';
import {
  policeToShelter,
  readGatewayDirectory,
  recordConsents,
  registerNetwork,
  SCOPES,
  SHELTER,
  survivorIds,
  type BenchNetwork,
  type BenchPartner,
  type GatewayDirectory,
} from '../bench/bench-network.js';
import { freePort } from '../bench/gateway-process.js';
import { generateMessages } from '../bench/referral-messages.js';
import { registerWithCsr } from '../support/enlace-cli.js';
import { selectRows, testEngines, type TestDatabase } from '../support/test-database.js';

/** What a load balancer in front of both would be reached at: tokens and checkpoints name it. */
const PUBLIC_URL = 'http://enlace.lb.test';
const RECEIVER = 'receptor-hook';
const DELIVERIES = 1000;
const DELIVERIES_AT_KILL = 400;
/**
 * Generous for a busy test machine: a push that times out after the recipient took it is pushed
 * again (at least once, by design), which would read here as a duplicate.
 */
const TIMEOUT_MS = 5000;
const LEASE_MS = 12_000;

class Instance {
  readonly child: ChildProcessWithoutNullStreams;
  output = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly base: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...env },
    });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Log lines with this message. */
  lines(msg: string): number {
    return this.output.split('\n').filter((line) => line.includes(`"msg":"${msg}"`)).length;
  }
}

async function until(
  what: string,
  probe: () => boolean | Promise<boolean>,
  seconds = 120,
  everyMs = 50,
) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A client assertion for the token endpoint as partners address it: behind the load balancer. */
async function clientAssertion(
  partner: BenchPartner,
  directory: GatewayDirectory,
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', x5c: [partner.leaf, directory.issuingCa] })
    .setIssuer(partner.clientId)
    .setSubject(partner.clientId)
    .setAudience(`${PUBLIC_URL}/oauth2/token`)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('2m')
    .sign(partner.signingKey);
}

const requestToken = (base: string, assertion: string, scope: string) =>
  fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    }),
  });

/** The recipient's push endpoint: counts each delivery id, holds each answer a little. */
class Receiver {
  readonly counts = new Map<string, number>();
  readonly firstAt = new Map<string, number>();
  readonly lastAt = new Map<string, number>();
  /** Pushes received and not yet answered. */
  readonly inFlight = new Set<string>();
  /** How long each answer is held. */
  holdMs = 20;
  server: Server | undefined;

  async listen(): Promise<number> {
    this.server = createServer((req, res) => {
      const id = String(req.headers['enlace-delivery-id'] ?? 'none');
      req.resume();
      req.on('end', () => {
        this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
        if (!this.firstAt.has(id)) this.firstAt.set(id, Date.now());
        this.lastAt.set(id, Date.now());
        this.inFlight.add(id);
        setTimeout(() => {
          this.inFlight.delete(id);
          res.writeHead(200).end();
        }, this.holdMs);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  seen(ids: readonly string[]): number {
    return ids.filter((id) => this.counts.has(id)).length;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const b64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

for (const engine of testEngines().filter((candidate) => candidate.name === 'postgres')) {
  describe('two gateway instances on one PostgreSQL database', function () {
    this.timeout(300_000);
    let database: TestDatabase;
    let dirA: string;
    let dirB: string;
    let a: Instance;
    let b: Instance;
    let network: BenchNetwork;
    let directory: GatewayDirectory;
    let receiverPartner: string;
    const receiver = new Receiver();
    let store: Store;
    let policeToken: string;
    let survivors: string[];
    let sharedTask: string;
    let shelterToken: string;

    const start = async (name: string, dataDir: string, env: Record<string, string>) => {
      const port = await freePort();
      const instance = new Instance(name, `http://127.0.0.1:${port}`, {
        ...env,
        ENLACE_DATA_DIR: dataDir,
        ENLACE_PORT: String(port),
      });
      await until(`instance ${name} to be ready`, async () => {
        if (!instance.running) throw new Error(`instance ${name} exited: ${instance.output}`);
        return fetch(`${instance.base}/readyz`).then(
          (res) => res.status === 200,
          () => false,
        );
      });
      return instance;
    };

    let env: Record<string, string>;
    before(async () => {
      database = await engine.create();
      dirA = await mkdtemp(join(tmpdir(), 'enlace-instance-a-'));
      dirB = await mkdtemp(join(tmpdir(), 'enlace-instance-b-'));
      const receiverPort = await receiver.listen();
      env = {
        ...database.env,
        ENLACE_PUBLIC_URL: PUBLIC_URL,
        ENLACE_WORKERS: '1',
        ENLACE_LOG_LEVEL: 'info',
        ENLACE_DELIVERY_ALLOWED_HOSTS: `127.0.0.1:${receiverPort}`,
        ENLACE_DELIVERY_POLL_SECONDS: '1',
        ENLACE_DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS),
        ENLACE_DELIVERY_LEASE_MS: String(LEASE_MS),
        ENLACE_CHECKPOINT_SECONDS: '1',
        ENLACE_CHECKPOINT_ENTRIES: '20',
        ENLACE_RATE_LIMIT_CLIENT_PER_MINUTE: '0',
        ENLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
        ENLACE_RATE_LIMIT_TOKEN_PER_MINUTE: '0',
      };
      const cliEnv = { ...env, ENLACE_DATA_DIR: dirA };
      network = await registerNetwork(cliEnv, dirA);
      receiverPartner = (
        await registerWithCsr(cliEnv, dirA, {
          id: RECEIVER,
          role: 'shelter',
          endpoint: `http://127.0.0.1:${receiverPort}/hook`,
        })
      ).id;
      a = await start('A', dirA, env);
      // Why a copy: instances share the database and the key files (gateway, data, pseudonym and
      // audit-log keys); each keeps its own data directory, as hosts of their own would.
      await cp(dirA, dirB, { recursive: true });
      // B's own copy of the latest checkpoint is then one it signed itself.
      await rm(join(dirB, 'audit', 'latest-checkpoint'), { force: true });
      b = await start('B', dirB, env);
      directory = await readGatewayDirectory(a.base);
      store = await openStore({ databaseUrl: database.env['ENLACE_DATABASE_URL'], dataDir: dirA });
      const token = await requestToken(
        a.base,
        await clientAssertion(network.police, directory),
        SCOPES.police,
      );
      assert.equal(token.status, 200, await token.clone().text());
      policeToken = ((await token.json()) as { access_token: string }).access_token;
      survivors = survivorIds(4);
      await recordConsents(b.base, policeToken, survivors);
    });

    afterEach(function () {
      if (this.currentTest?.state !== 'failed') return;
      // What the instances warned about is what explains a failure here.
      for (const instance of [a, b]) {
        const lines = instance.output.split('\n').filter((line) => /"level":[456]0/.test(line));
        process.stderr.write(`instance ${instance.name}:\n${lines.slice(-20).join('\n')}\n`);
      }
    });

    after(async () => {
      for (const instance of [a, b]) {
        if (instance.running) {
          instance.child.kill('SIGTERM');
          await instance.exited;
        }
      }
      await store.close();
      await receiver.close();
      await database.drop();
      await rm(dirA, { recursive: true, force: true });
      await rm(dirB, { recursive: true, force: true });
    });

    const referrals = (count: number) =>
      generateMessages(
        count,
        { curve: 'P-256', payload: 512 },
        policeToShelter(network, directory, survivors),
      );

    const submit = (instance: Instance, message: string) =>
      fetch(`${instance.base}/fhir/$process-message`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${policeToken}`,
          'content-type': 'application/jose',
          accept: 'application/fhir+json',
        },
        body: message,
      });

    const taskOf = (body: string): string | undefined =>
      /"reference":"Task\/([0-9a-f-]{36})"/.exec(body)?.[1];

    it('accepts a client assertion replayed to both instances once', async () => {
      const assertion = await clientAssertion(network.shelter, directory);
      const answers = await Promise.all(
        [a, b, a, b].map((instance) => requestToken(instance.base, assertion, SCOPES.shelter)),
      );
      const statuses = answers.map((res) => res.status);
      assert.equal(statuses.filter((status) => status === 200).length, 1, statuses.join(','));
      for (const res of answers.filter((answer) => answer.status !== 200)) {
        assert.equal(res.status, 401);
        assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
      }
      // A token one instance issued is honoured by the other.
      const winner = answers.findIndex((res) => res.status === 200);
      const { access_token: token } = (await answers[winner]?.json()) as { access_token: string };
      const other = winner % 2 === 0 ? b : a;
      const res = await fetch(`${other.base}/fhir/Task?owner=Organization/${SHELTER}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
    });

    it('serves from B a referral submitted to A', async () => {
      const [message] = (await referrals(1)).messages;
      const sent = await submit(a, message ?? '');
      const body = await sent.text();
      assert.equal(sent.status, 200, body);
      const task = taskOf(body);
      assert.ok(task !== undefined);
      sharedTask = task;
      const shelter = await requestToken(
        b.base,
        await clientAssertion(network.shelter, directory),
        SCOPES.shelter,
      );
      ({ access_token: shelterToken } = (await shelter.json()) as { access_token: string });
      const found = await fetch(`${b.base}/fhir/Task?owner=Organization/${SHELTER}`, {
        headers: { authorization: `Bearer ${shelterToken}`, accept: 'application/fhir+json' },
      });
      assert.equal(found.status, 200);
      assert.ok((await found.text()).includes(task));
      const retrieved = await fetch(`${b.base}/fhir/Bundle/${task}`, {
        headers: { authorization: `Bearer ${shelterToken}`, accept: 'application/jose' },
      });
      assert.equal(retrieved.status, 200, await retrieved.clone().text());
      assert.match(await retrieved.text(), /^[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it('lets one of two changes to a Task with the same If-Match win, one on each instance', async () => {
      const read = await fetch(`${a.base}/fhir/Task/${sharedTask}`, {
        headers: { authorization: `Bearer ${shelterToken}`, accept: 'application/fhir+json' },
      });
      assert.equal(read.status, 200);
      const etag = read.headers.get('etag') ?? '';
      assert.match(etag, /^W\/"\d+"$/);
      const change = (instance: Instance) =>
        fetch(`${instance.base}/fhir/Task/${sharedTask}`, {
          method: 'PATCH',
          headers: {
            authorization: `Bearer ${shelterToken}`,
            'content-type': 'application/json-patch+json',
            'if-match': etag,
          },
          body: JSON.stringify([{ op: 'replace', path: '/status', value: 'accepted' }]),
        });
      const answers = await Promise.all([change(a), change(b)]);
      assert.deepEqual(
        answers.map((res) => res.status).sort(),
        [200, 412],
        (await Promise.all(answers.map((res) => res.clone().text()))).join('\n'),
      );
      // One new version was written, by the winner.
      const versions = await selectRows<{ version: number }>(
        database,
        dirA,
        `SELECT version FROM task_version WHERE referral_id = '${sharedTask}' ORDER BY version`,
      );
      const before = Number(/\d+/.exec(etag)?.[0]);
      assert.deepEqual(
        versions.map((row) => row.version).filter((version) => version > before),
        [before + 1],
      );
    });

    it('creates one referral when the same submission reaches both instances at once', async () => {
      const { messages } = await referrals(5);
      for (const message of messages) {
        const answers = await Promise.all([submit(a, message), submit(b, message)]);
        const bodies = await Promise.all(answers.map((res) => res.text()));
        assert.deepEqual(
          answers.map((res) => res.status),
          [200, 200],
          bodies.join('\n'),
        );
        // The second is the replayed acknowledgement of the first: the same Task.
        const tasks = bodies.map(taskOf);
        assert.ok(tasks[0] !== undefined);
        assert.equal(tasks[0], tasks[1]);
        const rows = await selectRows<{ count: string }>(
          database,
          dirA,
          `SELECT count(*) AS count FROM referral WHERE id = '${tasks[0]}'`,
        );
        assert.equal(Number(rows[0]?.count), 1);
      }
      const all = await selectRows<{ count: string }>(
        database,
        dirA,
        'SELECT count(*) AS count FROM referral',
      );
      assert.equal(Number(all[0]?.count), 6);
    });

    it('keeps one audit log, appended by both, whose proofs verify and whose checkpoints agree', async () => {
      const { messages } = await referrals(24);
      // Submissions and token requests on both instances at once, each appending to the log.
      const answers = await Promise.all([
        ...messages.map((message, index) => submit(index % 2 === 0 ? a : b, message)),
        ...[a, b, a, b].map(async (instance) =>
          requestToken(
            instance.base,
            await clientAssertion(network.oversight, directory),
            SCOPES.oversight,
          ),
        ),
      ]);
      assert.deepEqual(
        answers.map((res) => res.status),
        answers.map(() => 200),
      );
      const oversightToken = (
        (await answers[answers.length - 1]?.json()) as {
          access_token: string;
        }
      ).access_token;
      const [keyA, keyB] = await Promise.all(
        [a, b].map(async (instance) => (await fetch(`${instance.base}/audit/log-key`)).text()),
      );
      assert.equal(keyA, keyB, 'both instances sign with the one log key');
      const verifier = parseVerifierKey((keyA ?? '').trim());
      const head = await selectRows<{ last_seq: string }>(
        database,
        dirA,
        'SELECT last_seq FROM audit_sequence',
      );
      const size = Number(head[0]?.last_seq);
      // Both checkpointers sign the grown log within a second or two.
      await until('a checkpoint of the whole log', async () => {
        return ((await latestCheckpoint(store.db))?.size ?? 0) >= size;
      });
      const checkpoints = (
        await selectRows<{ size: string; note: string }>(
          database,
          dirA,
          'SELECT size, note FROM audit_checkpoint ORDER BY size',
        )
      ).map((row) => {
        const checkpoint = parseCheckpoint(openNote(row.note, [verifier]).text);
        assert.equal(checkpoint.size, Number(row.size));
        return { ...checkpoint, note: row.note };
      });
      assert.ok(checkpoints.length >= 2, `${checkpoints.length} checkpoints`);
      const latest = checkpoints[checkpoints.length - 1];
      assert.ok(latest !== undefined);
      // Every checkpoint is a prefix of the latest, proved by either instance.
      for (const [index, checkpoint] of checkpoints.slice(0, -1).entries()) {
        const instance = index % 2 === 0 ? a : b;
        const res = await fetch(
          `${instance.base}/audit/proof/consistency?from=${checkpoint.size}&to=${latest.size}`,
        );
        assert.equal(res.status, 200);
        const { proof } = (await res.json()) as { proof: string[] };
        assert.ok(
          verifyConsistency(
            checkpoint.size,
            latest.size,
            proof.map(b64),
            checkpoint.rootHash,
            latest.rootHash,
          ),
          `checkpoint ${checkpoint.size} is not consistent with ${latest.size}`,
        );
      }
      // Each instance keeps a copy of the largest checkpoint it signed: the note in the database
      // at that size, byte for byte (B's exists only if B signed one; A, started first, did).
      const files = await Promise.all([dirA, dirB].map((dir) => readCheckpointFile(dir)));
      assert.ok(files[0] !== undefined);
      for (const file of files.filter((note) => note !== undefined)) {
        const size = parseCheckpoint(openNote(file, [verifier]).text).size;
        assert.equal(file, checkpoints.find((checkpoint) => checkpoint.size === size)?.note);
      }
      // Entries appended through either instance are included in the latest checkpoint.
      const entries = await selectRows<{ seq: string; resource: string }>(
        database,
        dirA,
        `SELECT seq, resource FROM audit_event WHERE seq <= ${latest.size} ORDER BY seq`,
      );
      assert.equal(entries.length, latest.size);
      for (const entry of entries.filter((_, index) => index % 7 === 0)) {
        const index = Number(entry.seq) - 1;
        const instance = index % 2 === 0 ? b : a;
        const res = await fetch(
          `${instance.base}/audit/proof/inclusion?index=${index}&size=${latest.size}`,
          { headers: { authorization: `Bearer ${oversightToken}` } },
        );
        assert.equal(res.status, 200, await res.clone().text());
        const { proof } = (await res.json()) as { proof: string[] };
        assert.ok(
          verifyInclusion(
            leafHashOfStored(entry.resource),
            index,
            latest.size,
            proof.map(b64),
            latest.rootHash,
          ),
          `entry ${index} is not in checkpoint ${latest.size}`,
        );
      }
      const ledger = await openLedger({
        store,
        dataDir: dirA,
        origin: 'unused',
        originConfigured: false,
        clock: () => new Date(),
      });
      assert.deepEqual(ledger.integrity(), { ok: true });
      assert.deepEqual(await ledger.scan(), { ok: true });
    });

    /** Outbox rows written straight into the shared database, sealed with the shared data keys. */
    async function seedDeliveries(count: number): Promise<string[]> {
      const vault = await createPayloadVault(await loadOrCreateDataKeys(dirA));
      const ids: string[] = [];
      for (let from = 0; from < count; from += 100) {
        await store.transaction(async (unit) => {
          for (let i = from; i < Math.min(count, from + 100); i += 1) {
            const key = randomUUID();
            ids.push(
              await enqueueDelivery(
                unit.db,
                {
                  recipient: receiverPartner,
                  kind: 'consent-revoked',
                  payload: {
                    resourceType: 'Parameters',
                    id: key,
                    parameter: [{ name: 'seeded', valueInteger: i }],
                  },
                  idempotencyKey: `seeded:${key}`,
                },
                new Date(),
                vault,
              ),
            );
          }
        });
      }
      return ids;
    }

    const pendingCount = async (ids: readonly string[]): Promise<number> => {
      const rows = await store.db
        .selectFrom('delivery')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('id', 'in', ids)
        .where('status', '<>', 'delivered')
        .executeTakeFirstOrThrow();
      return Number(rows.count);
    };

    it(`pushes ${DELIVERIES} deliveries drained by both instances to the recipient exactly once each`, async () => {
      const delivered = [a.lines('delivery delivered'), b.lines('delivery delivered')];
      const ids = await seedDeliveries(DELIVERIES);
      await until('every delivery to be recorded', async () => (await pendingCount(ids)) === 0);
      assert.equal(receiver.seen(ids), DELIVERIES);
      const repeated = ids.filter((id) => receiver.counts.get(id) !== 1);
      const trouble = [
        'delivery attempt failed',
        'delivery lease lost; another instance owns the row',
      ]
        .map((msg) => `${msg}: ${a.lines(msg) + b.lines(msg)}`)
        .join(', ');
      assert.deepEqual(repeated, [], `a delivery reached the recipient twice (${trouble})`);
      const byA = a.lines('delivery delivered') - (delivered[0] ?? 0);
      const byB = b.lines('delivery delivered') - (delivered[1] ?? 0);
      assert.equal(byA + byB, DELIVERIES);
      assert.ok(byA > 0 && byB > 0, `A pushed ${byA}, B pushed ${byB}`);
    });

    it('hands the rows of an instance killed mid-drain to the other once their lease ends', async () => {
      const ids = await seedDeliveries(DELIVERIES_AT_KILL);
      const delivered = b.lines('delivery delivered');
      // Answers held longer, and the kill when more pushes wait than one instance ever has in
      // flight: then A is certainly in the middle of pushing.
      receiver.holdMs = 150;
      await until('the drain to be under way', () => receiver.seen(ids) >= DELIVERIES_AT_KILL / 4);
      // Why more than a batch: an instance has at most one batch in flight, so some are A's.
      await until('both instances to be pushing', () => receiver.inFlight.size > BATCH, 60, 2);
      a.child.kill('SIGKILL');
      const killedAt = Date.now();
      const unanswered = new Set(receiver.inFlight);
      await a.exited;
      await until('every delivery to be recorded', async () => (await pendingCount(ids)) === 0);
      assert.equal(receiver.seen(ids), DELIVERIES_AT_KILL);
      // What reaches the recipient twice is only what A had pushed and not yet recorded when it
      // died: its pushes in flight, each a row it held; the recipient discards them by id.
      const repeated = ids.filter((id) => (receiver.counts.get(id) ?? 0) > 1);
      assert.ok(repeated.length <= BATCH, `${repeated.length} deliveries were pushed twice`);
      for (const id of repeated) {
        assert.equal(receiver.counts.get(id), 2);
        assert.ok((receiver.firstAt.get(id) ?? Infinity) <= killedAt);
      }
      // A died with pushes in flight; B took those rows over once A's lease ended.
      const takenOver = [...unanswered].filter((id) => receiver.counts.get(id) === 2);
      assert.ok(takenOver.length > 0, 'no push A had in flight was pushed again');
      for (const id of repeated) {
        assert.ok((receiver.lastAt.get(id) ?? 0) >= killedAt, 'pushed again while A held it');
      }
      assert.ok(b.lines('delivery delivered') > delivered);
      assert.equal(a.running, false);
    });
  });
}
