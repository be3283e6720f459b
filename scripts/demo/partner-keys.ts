// Fresh keys for one institution, as files it would keep: a JWKS to register, private JWKs (0600) for its profile.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';

export interface PartnerKeyFiles {
  readonly id: string;
  /** The public signing key, as `partner register --jwks` takes it. */
  readonly jwks: string;
  /** The public encryption key, as `partner register --encryption-key` takes it. */
  readonly encryptionKey: string;
  /** File names of the private halves, relative to the directory (as a profile names them). */
  readonly signingKeyFile: string;
  readonly decryptionKeyFile: string;
}

/** An ES256 signing key named `<id>-sig-1` and a P-256 ECDH-ES encryption key, written into `dir`. */
export async function generatePartnerKeys(dir: string, id: string): Promise<PartnerKeyFiles> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
  const kid = `${id}-sig-1`;
  const file = (name: string) => join(dir, `${id}.${name}`);
  const publicSigning = { ...(await exportJWK(signing.publicKey)), kid, alg: 'ES256', use: 'sig' };
  await writeFile(file('jwks.json'), JSON.stringify({ keys: [publicSigning] }));
  await writeFile(
    file('enc.pub.jwk'),
    JSON.stringify({ ...(await exportJWK(encryption.publicKey)), kid: `${id}-enc-1` }),
  );
  const privateFile = { mode: 0o600 } as const;
  await writeFile(
    file('sig.jwk'),
    JSON.stringify({ ...(await exportJWK(signing.privateKey)), kid, alg: 'ES256' }),
    privateFile,
  );
  await writeFile(
    file('enc.jwk'),
    JSON.stringify(await exportJWK(encryption.privateKey)),
    privateFile,
  );
  return {
    id,
    jwks: file('jwks.json'),
    encryptionKey: file('enc.pub.jwk'),
    signingKeyFile: `${id}.sig.jwk`,
    decryptionKeyFile: `${id}.enc.jwk`,
  };
}

/** The profile `connect({ profile })` reads: the gateway, the client id and the key files. */
export async function writeProfile(
  dir: string,
  keys: PartnerKeyFiles,
  gateway: string,
  clientId: string,
): Promise<string> {
  const path = join(dir, `${keys.id}.profile.json`);
  await writeFile(
    path,
    JSON.stringify({
      gateway,
      clientId,
      signingKey: keys.signingKeyFile,
      decryptionKey: keys.decryptionKeyFile,
    }),
  );
  return path;
}
