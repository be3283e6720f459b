// Shared by the notice suites: a rest-hook receiver on 127.0.0.1, the worker wired to a test gateway, and opening notices.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bundle, ExtractResource, MessageHeader, ResourceType } from '@medplum/fhirtypes';
import { Ajv, type ValidateFunction } from 'ajv';
import { compactDecrypt, exportJWK, importJWK, type CryptoKey, type KeyObject } from 'jose';
import { loadBaseDefinitions } from '../../../scripts/profiles/base-definitions.js';
import { narrowSchema } from '../../../scripts/profiles/generate-base-validator.js';
import { checkEmptyElements } from '../../../src/profiles/check-empty-elements.js';
import type { JsonValue } from '../../../src/profiles/json-value.js';
import type { ValidationIssue } from '../../../src/profiles/validation-issue.js';
import { verifyBundleSignature } from '../../../src/crypto/index.js';
import { findEncryptionKey } from '../../../src/referrals/encryption-keys.js';
import {
  createHttpSend,
  createPackageForRecipient,
  parseAllowedHosts,
  type DeliveryDeps,
} from '../../../src/referrals/index.js';
import { silentLogger } from '../../support/memory-log.js';
import type { TestServices } from '../../support/test-app.js';

export interface Pushed {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface PushReceiver {
  readonly url: string;
  readonly port: number;
  readonly pushed: Pushed[];
  stop(): Promise<void>;
}

/** Answers every push 200 and keeps it. */
export async function startPushReceiver(): Promise<PushReceiver> {
  const pushed: Pushed[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      pushed.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    pushed,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/** The delivery worker of a test gateway, allowed to push to `receiver` over loopback http. */
export function workerOf(test: TestServices, receiver: PushReceiver): DeliveryDeps {
  const { services } = test;
  return {
    store: test.store,
    clock: services.clock,
    logger: silentLogger(),
    send: createHttpSend({ timeoutMs: 5000 }),
    packageForRecipient: createPackageForRecipient({
      vault: services.vault,
      signingKey: services.keys.signing,
      gate: { ...services.consent, dialect: test.store.dialect, clock: services.clock },
    }),
    encryptionKeys: findEncryptionKey,
    vault: services.vault,
    signingKey: services.keys.signing,
    publicUrl: services.config.publicUrl,
    settings: {
      allowedHosts: parseAllowedHosts([`127.0.0.1:${receiver.port}`]),
      allowLoopbackHttp: true,
      horizonMs: 24 * 3_600_000,
      baseDelayMs: 30_000,
      maxDelayMs: 3_600_000,
      leaseMs: 60_000,
      batchSize: 10,
      timeoutMs: 5000,
      pollMs: 1000,
    },
    random: () => 0.5,
  };
}

/** Registers `address` as the partner's active push endpoint. */
export async function setPushEndpoint(
  test: TestServices,
  partnerId: string,
  address: string,
): Promise<void> {
  await test.store.db
    .insertInto('partner_endpoint')
    .values({ id: `${partnerId}-push`, partner_id: partnerId, address, status: 'active' })
    .execute();
}

/** The public half of a test partner's key, as anyone verifying its signature would hold it. */
export async function publicKeyOf(privateKey: CryptoKey | KeyObject, alg: string) {
  const jwk = await exportJWK(privateKey);
  const publicJwk = Object.fromEntries(
    Object.entries(jwk).filter(([name]) => ['kty', 'crv', 'x', 'y', 'n', 'e'].includes(name)),
  );
  const key = await importJWK(publicJwk, alg);
  if (key instanceof Uint8Array) throw new Error('unexpected symmetric key');
  return key;
}

/** Checks the gateway's signature on a notice (with its published key) and returns the notice. */
export async function verifyNotice(test: TestServices, notice: Bundle): Promise<Bundle> {
  const signing = test.services.keys.signing;
  const key = await importJWK(signing.publicJwk, signing.alg);
  if (key instanceof Uint8Array) throw new Error('unexpected symmetric key');
  const verified = await verifyBundleSignature(
    notice,
    () => Promise.resolve({ key, info: signing.kid }),
    { now: test.services.clock() },
  );
  assert.equal(verified.who.reference, 'Organization/enlace-gateway');
  assert.equal(notice.type, 'message');
  return notice;
}

/** Decrypts a push with the recipient's key and verifies the gateway's signature on it. */
export async function openPushedNotice(
  test: TestServices,
  pushed: Pushed | undefined,
  decryptionKey: CryptoKey | KeyObject,
): Promise<Bundle> {
  assert.ok(pushed !== undefined, 'nothing was pushed');
  const { plaintext } = await compactDecrypt(pushed.body, decryptionKey);
  const notice = JSON.parse(new TextDecoder().decode(plaintext)) as Bundle;
  assert.equal(notice.id, pushed.headers['enlace-delivery-id']);
  return verifyNotice(test, notice);
}

export const headerOf = (notice: Bundle): MessageHeader => {
  const header = notice.entry?.[0]?.resource;
  assert.ok(header?.resourceType === 'MessageHeader', 'entry 1 is the MessageHeader');
  return header;
};

/** The notice's content, of the type expected: the entry its MessageHeader focuses on. */
export function contentOf<K extends ResourceType>(notice: Bundle, type: K): ExtractResource<K> {
  const focus = headerOf(notice).focus?.[0]?.reference;
  const resource = notice.entry?.find((candidate) => candidate.fullUrl === focus)?.resource;
  assert.equal(resource?.resourceType, type, 'the focus resolves to an entry of that type');
  return resource as ExtractResource<K>;
}

/** `[Task/<id>, n]` of a notice about a referral. */
export function sequenceOf(notice: Bundle): [string, number] | undefined {
  const extension = headerOf(notice).extension?.find((candidate) =>
    candidate.url.endsWith('/delivery-sequence'),
  );
  if (extension === undefined) return undefined;
  const part = (url: string) => extension.extension?.find((candidate) => candidate.url === url);
  return [part('referral')?.valueReference?.reference ?? '', part('number')?.valuePositiveInt ?? 0];
}

let noticeSchema: ValidateFunction | undefined;

/**
 * Every problem of a notice by the FHIR R4 JSON Schema (rooted at the types notices carry) and the
 * no-empty-element rule; empty when it conforms.
 */
export function noticeProblems(notice: Bundle): string[] {
  noticeSchema ??= new Ajv({ strict: false, allErrors: true, discriminator: true }).compile(
    narrowSchema(loadBaseDefinitions(), ['Bundle', 'MessageHeader', 'Task', 'Parameters']),
  );
  const problems = noticeSchema(notice)
    ? []
    : (noticeSchema.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
  const empty: ValidationIssue[] = [];
  checkEmptyElements(notice as unknown as JsonValue, 'Bundle', empty);
  return [...problems, ...empty.map((issue) => issue.text)];
}
