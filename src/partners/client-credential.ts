// Turns an operator's credential (JWKS, CSR or certificate) into the keys a client starts with; a CSR gets its certificate issued.
import { X509Certificate } from 'node:crypto';
import type { AuditActor } from '../audit/index.js';
import { GatewayError } from '../kernel/index.js';
import {
  defaultAllowedAlgorithms,
  permittedAlgorithms,
  type BoundCertificate,
  type ClientKey,
  type Partner,
  type SigningAlgorithm,
} from './partner.js';
import { checkPartnerJwks } from './validate-jwks.js';
import type { JWK } from 'jose';

export type PartnerCredential =
  | { readonly kind: 'jwks'; readonly jwks: unknown }
  | { readonly kind: 'csr'; readonly csrPem: string; readonly validityDays?: number }
  | { readonly kind: 'certificate'; readonly certificatePem: string };

export interface IssuedCertificate {
  readonly certificatePem: string;
  readonly serial: string;
}

/** Issues a certificate from a CSR for a partner; provided by the PKI. */
export type CertificateIssuer = (
  request: {
    readonly csrPem: string;
    readonly partnerId: string;
    readonly partnerName: string;
    readonly validityDays?: number;
  },
  actor: AuditActor,
) => Promise<IssuedCertificate>;

/** The keys a credential gives a client, and the certificate issued for a CSR. */
export interface ResolvedCredential {
  readonly jwks?: { readonly keys: readonly JWK[] };
  readonly certificates: readonly BoundCertificate[];
  readonly certificatePem?: string;
}

const invalid = (text: string, expression: string): GatewayError =>
  new GatewayError('ENLACE_PARTNER_INVALID', text, { expression: [expression] });

export function checkAlgorithms(requested: readonly string[] | undefined): SigningAlgorithm[] {
  if (requested === undefined) return [...defaultAllowedAlgorithms];
  const permitted: readonly string[] = permittedAlgorithms;
  // Why: `none` and HMAC would let anyone who knows public material forge an assertion.
  const refused = requested.filter((alg) => !permitted.includes(alg));
  if (requested.length === 0 || refused.length > 0) {
    throw invalid(
      `Allowed algorithms must be drawn from ${permitted.join(', ')}; refused: ${refused.join(', ').slice(0, 80)}.`,
      'allowedAlgorithms',
    );
  }
  return requested as SigningAlgorithm[];
}

/** Checks a credential before anything is written; issues the certificate last, for a CSR. */
export async function resolveCredential(
  credential: PartnerCredential,
  partner: Pick<Partner, 'id' | 'name'>,
  actor: AuditActor,
  issueCertificate: CertificateIssuer | undefined,
): Promise<ResolvedCredential> {
  switch (credential.kind) {
    case 'jwks':
      return { jwks: await checkPartnerJwks(credential.jwks), certificates: [] };
    case 'certificate':
      return { certificates: [boundCertificate(credential.certificatePem)] };
    case 'csr': {
      if (issueCertificate === undefined) {
        throw invalid('This gateway has no network CA; run `enlace pki init` first.', 'csr');
      }
      const issued = await issueCertificate(
        {
          csrPem: credential.csrPem,
          partnerId: partner.id,
          partnerName: partner.name,
          ...(credential.validityDays === undefined
            ? {}
            : { validityDays: credential.validityDays }),
        },
        actor,
      );
      return {
        certificates: [boundCertificate(issued.certificatePem)],
        certificatePem: issued.certificatePem,
      };
    }
  }
}

/**
 * Why kids and certificates are never reused within a partner: a signature names its key by kid
 * (or by certificate) alone, and a name that once meant a retired key must not come back meaning
 * another — nor may a retired certificate be bound again to outlive its window.
 */
export function checkKeysAreNew(
  existing: readonly ClientKey[],
  resolved: ResolvedCredential,
): void {
  for (const jwk of resolved.jwks?.keys ?? []) {
    if (existing.some((key) => key.kind === 'jwk' && key.kid === jwk.kid)) {
      throw invalid(
        `The kid ${String(jwk.kid)} is already registered for this partner; a new key needs a new kid.`,
        'jwks',
      );
    }
  }
  for (const bound of resolved.certificates) {
    if (
      existing.some((key) => key.kind === 'certificate' && key.fingerprint === bound.fingerprint)
    ) {
      throw invalid('This certificate is already bound to this partner.', 'certificate');
    }
  }
}

function boundCertificate(pem: string): BoundCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (cause) {
    throw new GatewayError(
      'ENLACE_PARTNER_INVALID',
      'The certificate is not a PEM X.509 certificate.',
      { cause, expression: ['certificate'] },
    );
  }
  // Why: a CA certificate bound as a client credential would vouch for keys it never held.
  if (certificate.ca) {
    throw invalid('A CA certificate cannot be a client credential.', 'certificate');
  }
  return {
    fingerprint: certificate.fingerprint256.toUpperCase(),
    certificate: certificate.raw.toString('base64'),
  };
}
