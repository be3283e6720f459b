// Throwaway TLS material made in the test (a server CA, server and client certificates) and an HTTPS client with a chosen certificate.
import { randomBytes, KeyObject, type webcrypto } from 'node:crypto';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { subtle, x509 } from '../../src/pki/x509.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

type WebKey = webcrypto.CryptoKey;

export interface TlsIdentity {
  readonly certificatePem: string;
  /** PKCS#8 PEM: written to a temporary file or held in memory, never committed. */
  readonly keyPem: string;
  readonly certificate: x509.X509Certificate;
  readonly privateKey: WebKey;
}

const serial = (): string => `01${randomBytes(8).toString('hex')}`;

/** A CryptoKey (extractable) as the PKCS#8 PEM node:tls takes. */
export const toKeyPem = (key: WebKey): string =>
  KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return subtle.generateKey(EC, true, ['sign', 'verify']);
}

/** A self-signed CA, for the server's certificate or for client certificates no gateway trusts. */
export async function createTlsCa(name: string): Promise<TlsIdentity> {
  const keys = await keyPair();
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 30 * DAY_MS),
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certificatePem: certificate.toString('pem'),
    keyPem: toKeyPem(keys.privateKey),
    certificate,
    privateKey: keys.privateKey,
  };
}

/** A leaf of `issuer`: a server certificate for 127.0.0.1 and localhost, or a client certificate. */
export async function issueTlsLeaf(
  issuer: TlsIdentity,
  use: 'server' | 'client',
  name: string,
): Promise<TlsIdentity> {
  const keys = await keyPair();
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${name}`,
    issuer: issuer.certificate.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 10 * DAY_MS),
    signingKey: issuer.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        use === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
      ]),
      ...(use === 'server'
        ? [
            new x509.SubjectAlternativeNameExtension([
              { type: 'ip', value: '127.0.0.1' },
              { type: 'dns', value: 'localhost' },
            ]),
          ]
        : []),
    ],
  });
  return {
    certificatePem: certificate.toString('pem'),
    keyPem: toKeyPem(keys.privateKey),
    certificate,
    privateKey: keys.privateKey,
  };
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The SHA-256 fingerprint of the certificate the server presented. */
  readonly serverFingerprint: string;
}

export interface HttpsCall {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The CA the client trusts for the server's certificate (PEM). */
  readonly ca: string;
  /** The client certificate to present (mutual TLS), PEM chain and key. */
  readonly client?: { readonly cert: string; readonly key: string };
}

/** One request on a fresh connection (no agent), so each call is its own TLS handshake. */
export function httpsRequest(url: string, call: HttpsCall): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: call.method ?? 'GET',
        headers: call.headers,
        ca: call.ca,
        agent: false,
        ...(call.client === undefined ? {} : { cert: call.client.cert, key: call.client.key }),
      },
      (res) => {
        const socket: unknown = res.socket;
        const fingerprint = (socket as TLSSocket).getPeerCertificate().fingerprint256;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            serverFingerprint: fingerprint,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}
