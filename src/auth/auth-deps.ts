// What machine authentication needs from the rest of the gateway, injected so tests control every part.
import type { X509Certificate } from 'node:crypto';
import type { GatewayKeys } from '../crypto/index.js';
import type {
  AccessRequirement,
  ClientCertificateMode,
  Clock,
  PersonPrincipal,
} from '../kernel/index.js';
import type { NetworkPolicy } from '../partners/index.js';
import type { Store } from '../store/index.js';
import type { AuthSettings } from './auth-settings.js';

/** A client certificate chain that validated to a trust anchor, not revoked, at the given time. */
export interface ValidatedClientChain {
  readonly leaf: X509Certificate;
  /** As node:crypto prints it: upper-case hex pairs separated by colons. */
  readonly fingerprint256: string;
  /** The partner a gateway-issued certificate names; undefined for external CAs. */
  readonly partnerId?: string | undefined;
}

/** Validates an `x5c` header (base64 DER, leaf first); throws on any failure. src/pki provides it. */
export type CertificateChainValidator = (
  x5c: readonly string[],
  at: Date,
) => Promise<ValidatedClientChain>;

/** What the gateway asks of partners' TLS connections (ENLACE_TLS_CLIENT_AUTH other than off). */
export interface ClientCertificateSettings {
  readonly mode: Exclude<ClientCertificateMode, 'off'>;
  /** The PKI's validation: path to an anchor, validity and revocation, read afresh each time. */
  readonly validate: CertificateChainValidator;
}

export type PersonRequirement = Extract<AccessRequirement, { kind: 'person' }>;

/** Verifies a person's (operator, auditor) token; the people module provides it. */
export type PersonTokenVerifier = (
  authorization: string | undefined,
  requirement: PersonRequirement,
) => Promise<PersonPrincipal>;

export interface AuthDeps {
  readonly store: Pick<Store, 'db' | 'kv' | 'audit'>;
  readonly keys: GatewayKeys;
  readonly policy: NetworkPolicy;
  readonly clock: Clock;
  /** The gateway's public base URL, without a trailing slash (config.publicUrl). */
  readonly publicUrl: string;
  /** Absent: assertions with an `x5c` header are refused; keys come from registered JWKS only. */
  readonly validateCertificateChain?: CertificateChainValidator;
  readonly settings?: Partial<AuthSettings>;
  /**
   * Absent (ENLACE_TLS_CLIENT_AUTH=off): client certificates are not asked for, tokens are not
   * bound, and a bound token is refused. Present: see checkClientCertificate.
   */
  readonly clientCertificates?: ClientCertificateSettings;
}

export interface AuthorizerDeps extends Omit<AuthDeps, 'validateCertificateChain'> {
  /** Absent: routes that require a person answer 401. */
  readonly verifyPersonToken?: PersonTokenVerifier;
}
