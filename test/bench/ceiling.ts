// The ceiling: exactly the work a referral cannot avoid, with the gateway's libraries and algorithms, and no HTTP.
//
// Per referral: one JWE decrypt (jose compactDecrypt, ECDH-ES+A256KW on P-256 or X25519, A256GCM),
// the JSON parse and RFC 8785 canonical form its detached signature is computed over, one JWS verify
// (ES256, the sender's key imported once), one JWS sign of a receipt (ES256 over its canonical form),
// and one durable commit of the referral and its audit entry (SQLite WAL with synchronous=FULL, or
// PostgreSQL with synchronous_commit on). Commits are grouped: what is waiting when the previous
// commit ends goes in the next transaction, so with one referral in flight every commit holds one.
import { createHash, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Bundle } from '@medplum/fhirtypes';
import canonicalize from 'canonicalize';
import {
  base64url,
  compactDecrypt,
  exportJWK,
  FlattenedSign,
  flattenedVerify,
  generateKeyPair,
  type CryptoKey,
  type JWK,
} from 'jose';
import pg from 'pg';
import { auditSubtype, auditType, buildAuditEvent } from '../../src/audit/index.js';
import { buildAcknowledgement } from '../../src/referrals/submission/index.js';
import { openSqliteDatabase } from '../../src/store/sqlite/open-sqlite-database.js';
import type { Curve, Engine } from './bench-options.js';
import type { MessageBatch } from './referral-messages.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();

function canonicalBytes(value: unknown): Uint8Array {
  const json = canonicalize(value);
  if (json === undefined) throw new TypeError('no JSON form');
  return utf8.encode(json);
}

interface CommitRow {
  readonly id: string;
  readonly messageKey: string;
  readonly payload: Uint8Array;
  readonly receipt: string;
  readonly audit: string;
  readonly leafHash: Buffer;
}

/** Durable storage of referral rows and audit rows, one transaction per call. */
interface CommitTarget {
  commit(rows: readonly CommitRow[]): Promise<void>;
  close(): Promise<void>;
}

const TABLES = [
  'CREATE TABLE referral (id TEXT PRIMARY KEY, message_key TEXT NOT NULL UNIQUE, payload BYTEA NOT NULL, receipt TEXT NOT NULL, created_at TEXT NOT NULL)',
  'CREATE TABLE audit_entry (seq INTEGER PRIMARY KEY, leaf_hash BYTEA NOT NULL, resource TEXT NOT NULL)',
];

async function sqliteTarget(): Promise<CommitTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'enlace-ceiling-'));
  const db = openSqliteDatabase(join(dir, 'ceiling.db'));
  for (const statement of TABLES) db.exec(statement.replace(/BYTEA/g, 'BLOB'));
  const insertReferral = db.prepare(
    'INSERT INTO referral (id, message_key, payload, receipt, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const insertAudit = db.prepare('INSERT INTO audit_entry (leaf_hash, resource) VALUES (?, ?)');
  const write = db.transaction((rows: readonly CommitRow[]) => {
    const at = new Date().toISOString();
    for (const row of rows) {
      insertReferral.run(row.id, row.messageKey, row.payload, row.receipt, at);
      insertAudit.run(row.leafHash, row.audit);
    }
  });
  return {
    commit: (rows) => {
      write(rows);
      return Promise.resolve();
    },
    close: async () => {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresTarget(url: string): Promise<CommitTarget> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('DROP TABLE IF EXISTS referral, audit_entry');
  for (const statement of TABLES) {
    await client.query(statement.replace('seq INTEGER PRIMARY KEY', 'seq BIGSERIAL PRIMARY KEY'));
  }
  return {
    async commit(rows) {
      const at = new Date().toISOString();
      await client.query('BEGIN');
      try {
        await client.query(
          'INSERT INTO referral (id, message_key, payload, receipt, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::text[])',
          [
            rows.map((row) => row.id),
            rows.map((row) => row.messageKey),
            rows.map((row) => Buffer.from(row.payload)),
            rows.map((row) => row.receipt),
            rows.map(() => at),
          ],
        );
        await client.query(
          'INSERT INTO audit_entry (leaf_hash, resource) SELECT * FROM unnest($1::bytea[], $2::text[])',
          [rows.map((row) => row.leafHash), rows.map((row) => row.audit)],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    close: () => client.end(),
  };
}

/** Group commit: rows waiting when a commit ends go together in the next one. */
function groupCommit(target: CommitTarget): (row: CommitRow) => Promise<void> {
  let waiting: { row: CommitRow; done: () => void; failed: (error: unknown) => void }[] = [];
  let running = false;
  const drain = async (): Promise<void> => {
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await target.commit(batch.map((entry) => entry.row));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.failed(error);
      }
    }
    running = false;
  };
  return (row) =>
    new Promise((resolve, reject) => {
      waiting.push({ row, done: resolve, failed: reject });
      // Why set here, not in drain: rows pushed before it starts must not start a second drain.
      if (!running) {
        running = true;
        setImmediate(() => void drain());
      }
    });
}

export interface CeilingKeys {
  /** The ceiling's own decryption keys, one per curve (the gateway's stay in its data directory). */
  readonly decryption: Readonly<Record<Curve, CryptoKey>>;
  readonly publicJwks: Readonly<Record<Curve, JWK>>;
  /** The sender's public key, from its certificate once (as a gateway caching keys would). */
  readonly sender: KeyObject;
  readonly receipt: CryptoKey;
}

export async function createCeilingKeys(senderLeaf: string): Promise<CeilingKeys> {
  const decryption = {} as Record<Curve, CryptoKey>;
  const publicJwks = {} as Record<Curve, JWK>;
  for (const curve of ['P-256', 'X25519'] as const) {
    const pair = await generateKeyPair('ECDH-ES+A256KW', { crv: curve, extractable: true });
    decryption[curve] = pair.privateKey;
    publicJwks[curve] = { ...(await exportJWK(pair.publicKey)), kid: `ceiling-${curve}` };
  }
  const receipt = await generateKeyPair('ES256');
  return {
    decryption,
    publicJwks,
    sender: new X509Certificate(Buffer.from(senderLeaf, 'base64')).publicKey,
    receipt: receipt.privateKey,
  };
}

/** One referral's unavoidable work, up to the row it commits. */
async function processOne(jwe: string, curve: Curve, keys: CeilingKeys): Promise<CommitRow> {
  const { plaintext } = await compactDecrypt(jwe, keys.decryption[curve]);
  const bundle = JSON.parse(text.decode(plaintext)) as Bundle;
  const { signature, ...unsigned } = bundle;
  const [header, , value] = Buffer.from(signature?.data ?? '', 'base64')
    .toString('utf8')
    .split('.');
  await flattenedVerify(
    {
      protected: header ?? '',
      payload: base64url.encode(canonicalBytes(unsigned)),
      signature: value ?? '',
    },
    keys.sender,
    { algorithms: ['ES256'] },
  );
  const id = randomUUID();
  const receipt = await new FlattenedSign(
    canonicalBytes(
      buildAcknowledgement({
        respondsTo: bundle.entry?.[0]?.resource?.id ?? '',
        to: 'sender',
        toEndpoint: 'https://sender.example.org/fhir',
        focus: `Task/${id}`,
        publicUrl: 'https://gateway.example.org',
        at: new Date(),
      }),
    ),
  )
    .setProtectedHeader({ alg: 'ES256', kid: 'ceiling' })
    .sign(keys.receipt);
  const audit = JSON.stringify(
    buildAuditEvent({
      type: auditType.rest,
      subtype: auditSubtype.create,
      action: 'C',
      outcome: '0',
      recorded: new Date(),
      agents: [{ reference: 'Organization/sender' }],
      entities: [{ reference: `Task/${id}` }],
      requestId: id,
    }),
  );
  return {
    id,
    messageKey: `${bundle.identifier?.system ?? ''}|${bundle.identifier?.value ?? ''}`,
    payload: plaintext,
    receipt: `${receipt.protected ?? ''}..${receipt.signature}`,
    audit,
    leafHash: createHash('sha256')
      .update(Buffer.from([0]))
      .update(audit)
      .digest(),
  };
}

export interface CeilingResult {
  readonly throughput: number;
  /** CPU time of this process (every thread) per referral, in milliseconds. */
  readonly cpuMsPerReferral: number;
}

/** Processes every message of the batch, `concurrency` at a time, into a fresh database. */
export async function runCeiling(
  batch: MessageBatch,
  concurrency: number,
  keys: CeilingKeys,
  engine: Engine,
  postgresUrl: string | undefined,
): Promise<CeilingResult> {
  const target =
    engine === 'postgres' && postgresUrl !== undefined
      ? await postgresTarget(postgresUrl)
      : await sqliteTarget();
  try {
    const commit = groupCommit(target);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < batch.messages.length; index = next++) {
        await commit(await processOne(batch.messages[index] ?? '', batch.recipe.curve, keys));
      }
    };
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return {
      throughput: (batch.messages.length / elapsed) * 1000,
      cpuMsPerReferral: (used.user + used.system) / 1000 / batch.messages.length,
    };
  } finally {
    await target.close();
  }
}
