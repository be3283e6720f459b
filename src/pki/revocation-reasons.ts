// The RFC 5280 §5.3.1 reasons an operator may give for revoking a partner certificate.
import { x509 } from './x509.js';

/**
 * certificateHold is left out on purpose: revocation here is final, so a certificate refused once is
 * refused forever; cACompromise and aACompromise concern CAs, not partner certificates.
 */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const;

export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export function isRevocationReason(value: string): value is RevocationReason {
  return (REVOCATION_REASONS as readonly string[]).includes(value);
}

export function toCrlReason(reason: RevocationReason): x509.X509CrlReason {
  return x509.X509CrlReason[reason];
}
