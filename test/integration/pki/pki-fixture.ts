// Test PKI: a fresh data folder, SQLite store and network CA per test, with keys generated now.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNetworkPki, loadPki } from '../../../src/pki/index.js';
import type { LoadPkiOptions, Pki } from '../../../src/pki/index.js';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import type { AuditActor } from '../../../src/audit/index.js';
import { x509 } from '../../../src/pki/x509.js';
import type { CryptoKeyPair } from '../../../src/pki/x509.js';
import { webcrypto } from 'node:crypto';

export const START = new Date('2026-03-02T10:00:00.000Z');
export const DAY = 24 * 60 * 60 * 1000;

export const operator: AuditActor = {
  identifier: { system: 'https://enlace.example.org/operators', value: 'ana' },
  display: 'Ana (operator)',
};

export interface TestClock {
  now: Date;
  readonly clock: () => Date;
}

export function createTestClock(start = START): TestClock {
  const state: TestClock = {
    now: start,
    clock: () => state.now,
  };
  return state;
}

export interface PkiFixture {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly store: Store;
  readonly pki: Pki;
  readonly time: TestClock;
  /** Loads another Pki (another gateway instance) over a new store on the same database. */
  loadAnother(options?: Partial<LoadPkiOptions>): Promise<Pki>;
  dispose(): Promise<void>;
}

export async function createPkiFixture(
  options: Partial<LoadPkiOptions> & { initialize?: boolean } = {},
): Promise<PkiFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'enlace-pki-'));
  const databaseUrl = `sqlite:${join(dataDir, 'enlace.db')}`;
  const time = createTestClock();
  if (options.initialize !== false) {
    await initNetworkPki({ dataDir, networkName: 'Red Enlace Test', clock: time.clock });
  }
  const stores: Store[] = [];
  const open = async (): Promise<Store> => {
    const opened = await openStore({ databaseUrl, dataDir });
    stores.push(opened);
    return opened;
  };
  const store = await open();
  const load = async (extra: Partial<LoadPkiOptions> = {}, on = store): Promise<Pki> =>
    loadPki({ dataDir, store: on, clock: time.clock, ...options, ...extra });
  const pki = await load();
  return {
    dataDir,
    databaseUrl,
    store,
    pki,
    time,
    loadAnother: async (extra = {}) => load(extra, await open()),
    async dispose() {
      for (const opened of stores) await opened.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type KeyKind = 'p256' | 'p384' | 'p521' | 'rsa1024' | 'rsa2048';

const KEY_ALGORITHMS: Record<KeyKind, webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams> =
  {
    p256: { name: 'ECDSA', namedCurve: 'P-256' },
    p384: { name: 'ECDSA', namedCurve: 'P-384' },
    p521: { name: 'ECDSA', namedCurve: 'P-521' },
    rsa1024: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    rsa2048: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
  };

export function signingAlgorithmOf(kind: KeyKind): webcrypto.EcdsaParams | webcrypto.Algorithm {
  if (kind.startsWith('rsa')) return { name: 'RSASSA-PKCS1-v1_5' };
  return { name: 'ECDSA', hash: kind === 'p256' ? 'SHA-256' : 'SHA-384' };
}

export async function generateKeys(kind: KeyKind): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHMS[kind], true, ['sign', 'verify']);
}

export async function createCsr(
  kind: KeyKind,
  name = 'CN=attacker-chosen, O=Not Trusted',
): Promise<{ pem: string; keys: CryptoKeyPair }> {
  const keys = await generateKeys(kind);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: signingAlgorithmOf(kind),
  });
  return { pem: csr.toString('pem'), keys };
}

/** base64 DER of a PEM certificate, as an x5c entry. */
export function toX5c(pem: string): string {
  return Buffer.from(x509.PemConverter.decodeFirst(pem)).toString('base64');
}

export function x5cOf(...certificates: x509.X509Certificate[]): string[] {
  return certificates.map((certificate) => Buffer.from(certificate.rawData).toString('base64'));
}
