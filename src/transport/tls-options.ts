// The TLS settings the gateway serves with: TLS 1.2 at least (1.3 preferred), AEAD ciphers with forward secrecy only.
import { constants } from 'node:crypto';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import type { TlsConfig } from '../config/index.js';
import type { TlsFiles } from './read-tls-files.js';

/**
 * TLS 1.3 suites, then TLS 1.2 ECDHE suites with AES-GCM or ChaCha20-Poly1305 (Mozilla's
 * "intermediate" profile without finite-field DHE): no CBC, no RSA key exchange, no SHA-1 MACs.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const TLS_CURVES = 'X25519:prime256v1:secp384r1';

/** The parts of the context that a reload replaces: the server's pair and the client CAs. */
export function secureContextOptions(
  files: TlsFiles,
  tls: TlsConfig,
  clientCas: readonly string[],
): SecureContextOptions {
  return {
    cert: files.certChainPem,
    key: files.keyPem,
    minVersion: tls.minVersion,
    ciphers: TLS_CIPHERS,
    ecdhCurve: TLS_CURVES,
    honorCipherOrder: true,
    // Why no renegotiation: a connection's client certificate is read once and kept for its
    // requests, so it must never change under them (and renegotiation is a DoS lever).
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
    // Why an empty list rather than none when no CA is known yet: without `ca` Node would accept
    // client certificates of every public CA it ships with.
    ...(tls.clientAuth === 'off' ? {} : { ca: [...clientCas] }),
  };
}

/** The server's options: the context, and whether to ask for a client certificate. */
export function tlsServerOptions(
  files: TlsFiles,
  tls: TlsConfig,
  clientCas: readonly string[],
): TlsOptions {
  return {
    ...secureContextOptions(files, tls, clientCas),
    requestCert: tls.clientAuth !== 'off',
    // Why never reject at the handshake: operators, auditors, probes and discovery reach the same
    // port without a partner certificate; the routes that authenticate partners refuse with a 401
    // (an OperationOutcome that says why) when ENLACE_TLS_CLIENT_AUTH=require.
    rejectUnauthorized: false,
  };
}
