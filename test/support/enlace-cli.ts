// The operator's `enlace` commands run in this process, as a suite or the benchmark sets up a network with them.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { runCli } from '../../src/cli/main.js';
import { createCsrPem } from '../integration/auth/test-certificates.js';

/** Runs `enlace …` with `env`, asserting it exits 0, and returns the JSON it printed on stdout. */
export async function enlaceJson(env: Record<string, string>, ...argv: string[]): Promise<unknown> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  };
  let code: number;
  try {
    code = await runCli(argv, env);
  } finally {
    process.stdout.write = write;
  }
  assert.equal(code, 0, `enlace ${argv.join(' ')} failed`);
  return JSON.parse(out) as unknown;
}

/** The certificates of a PEM bundle as `x5c` entries (base64 DER), in order. */
export const pemToX5c = (pem: string): string[] =>
  [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)].map((m) =>
    (m[1] ?? '').replace(/\s+/g, ''),
  );

export interface RegisteredPartner {
  readonly id: string;
  readonly clientId: string;
  readonly signingKey: CryptoKey;
  /** The certificate the gateway's CA issued for the CSR, as `x5c` entries. */
  readonly x5c: readonly string[];
  readonly decryptionKey: CryptoKey;
}

/**
 * `enlace partner register` with fresh ES256 signing and P-256 encryption keys: a CSR for the
 * signing key and the public encryption JWK, written to `dir`; an endpoint when it takes pushes.
 */
export async function registerWithCsr(
  env: Record<string, string>,
  dir: string,
  partner: { readonly id: string; readonly role: string; readonly endpoint?: string },
): Promise<RegisteredPartner> {
  const { id, role, endpoint } = partner;
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
  const csr = join(dir, `${id}.csr`);
  await writeFile(
    csr,
    await createCsrPem(signing.privateKey, await exportJWK(signing.publicKey), id),
  );
  const encryptionJwk = join(dir, `${id}.enc.jwk`);
  await writeFile(
    encryptionJwk,
    JSON.stringify({ ...(await exportJWK(encryption.publicKey)), kid: `${id}-enc` }),
  );
  const result = (await enlaceJson(
    env,
    'partner',
    'register',
    '--id',
    id,
    '--name',
    id,
    '--role',
    role,
    '--csr',
    csr,
    '--encryption-key',
    encryptionJwk,
    ...(endpoint === undefined ? [] : ['--endpoint', endpoint]),
  )) as { client_id: string; certificate: string };
  return {
    id,
    clientId: result.client_id,
    signingKey: signing.privateKey,
    x5c: pemToX5c(result.certificate),
    decryptionKey: encryption.privateKey,
  };
}
