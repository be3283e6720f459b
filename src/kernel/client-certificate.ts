// What the TLS layer tells authentication about a caller: the mutual-TLS mode and the certificate a client presented.

/** ENLACE_TLS_CLIENT_AUTH: whether partners' connections carry a client certificate. */
export type ClientCertificateMode = 'off' | 'optional' | 'require';

/** A client certificate as its TLS connection carried it; nothing in it is trusted yet. */
export interface PresentedCertificate {
  /** The chain, leaf first, as base64 DER entries (the `x5c` form the PKI validates). */
  readonly x5c: readonly string[];
  /** Whether the TLS handshake verified the chain to one of the CAs the gateway asks for. */
  readonly authorized: boolean;
}
