// Reads the server's certificate chain and key (ENLACE_TLS_*_FILE) and refuses a pair that cannot serve.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { TlsConfig } from '../config/index.js';

/** A TLS file that cannot serve: the message names the variable and the path, never key material. */
export class TlsFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TlsFileError';
  }
}

export interface TlsFiles {
  /** The server certificate, then its intermediates (ENLACE_TLS_CA_FILE appended), PEM. */
  readonly certChainPem: string;
  /** The private key, PEM, checked to match the certificate. */
  readonly keyPem: string;
  readonly leaf: X509Certificate;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

async function readText(variable: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TlsFileError(`${variable} cannot be read (${path}: ${code})`, { cause });
  }
}

function certificatesOf(variable: string, path: string, pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    throw new TlsFileError(`${variable} holds no PEM certificate (${path})`);
  }
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch (cause) {
    throw new TlsFileError(`${variable} holds a certificate that does not parse (${path})`, {
      cause,
    });
  }
}

/**
 * Why check at start (and at each reload) rather than let the handshake fail: a key that does not
 * match, or a certificate already expired, would make every partner's connection fail while the
 * process looks healthy.
 */
export async function readTlsFiles(tls: TlsConfig, now: Date): Promise<TlsFiles> {
  const certPem = await readText('ENLACE_TLS_CERT_FILE', tls.certFile);
  const keyPem = await readText('ENLACE_TLS_KEY_FILE', tls.keyFile);
  const caPem = tls.caFile === undefined ? '' : await readText('ENLACE_TLS_CA_FILE', tls.caFile);
  const [leaf] = certificatesOf('ENLACE_TLS_CERT_FILE', tls.certFile, certPem);
  if (tls.caFile !== undefined) certificatesOf('ENLACE_TLS_CA_FILE', tls.caFile, caPem);
  if (leaf === undefined) throw new TlsFileError('ENLACE_TLS_CERT_FILE holds no certificate');
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (cause) {
    throw new TlsFileError(
      `ENLACE_TLS_KEY_FILE is not an unencrypted PEM private key (${tls.keyFile})`,
      { cause },
    );
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new TlsFileError(
      `ENLACE_TLS_KEY_FILE is not the key of the certificate in ENLACE_TLS_CERT_FILE (${tls.keyFile}, ${tls.certFile})`,
    );
  }
  if (new Date(leaf.validTo) <= now) {
    throw new TlsFileError(
      `ENLACE_TLS_CERT_FILE holds a certificate that expired on ${new Date(leaf.validTo).toISOString()} (${tls.certFile})`,
    );
  }
  const chain = [certPem.trim(), caPem.trim()].filter((part) => part !== '').join('\n');
  return { certChainPem: `${chain}\n`, keyPem, leaf };
}

/** What identifies the files on disk (inode, size, modification time): a change means a new pair. */
export async function tlsFilesVersion(tls: TlsConfig): Promise<string> {
  const paths = [tls.certFile, tls.keyFile, ...(tls.caFile === undefined ? [] : [tls.caFile])];
  const parts = await Promise.all(
    paths.map(async (path) => {
      try {
        const info = await stat(path, { bigint: true });
        return `${String(info.ino)}:${String(info.size)}:${String(info.mtimeNs)}`;
      } catch {
        return 'absent';
      }
    }),
  );
  return parts.join('|');
}
