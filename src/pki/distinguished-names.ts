// Builds the subjects the PKI issues from operator input, checked so nobody can smuggle in extra attributes.
import { GatewayError } from '../kernel/index.js';
import type { x509 } from './x509.js';

/** A FHIR resource id: what a partner id must be, so it fits a reference and a URI. */
const PARTNER_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** Printable text without control characters; X.520 bounds organizationName at 64. */
const DISPLAY_TEXT = /^[^\p{Cc}\p{Cf}]{1,64}$/u;

export function checkPartnerId(partnerId: string): void {
  if (!PARTNER_ID.test(partnerId)) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      'partner id must be 1 to 64 letters, digits, hyphens or dots',
    );
  }
}

export function checkDisplayText(what: string, value: string, max = 64): void {
  if (!DISPLAY_TEXT.test(value) || value.trim() !== value || value.length > max) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      `${what} must be 1 to ${max} printable characters without surrounding spaces`,
    );
  }
}

// Why a JSON name and not a "CN=…, O=…" string: a partner name holding "," or "+" would otherwise
// be parsed into extra attributes of the issued subject.
export function toPartnerName(partnerId: string, partnerName: string): x509.JsonName {
  return [{ O: [partnerName] }, { OU: ['Enlace partner'] }, { CN: [partnerId] }];
}

export function toCaName(networkName: string, role: string): x509.JsonName {
  return [{ O: [networkName] }, { CN: [`${networkName} ${role}`] }];
}
