// Adapts the PKI to the registry's certificate issuer: a CSR in, the partner's certificate out.
import { GatewayError } from '../kernel/index.js';
import type { Pki } from '../pki/index.js';
import type { CertificateIssuer } from './client-credential.js';

/** Validity of a partner certificate when the operator names none: about 13 months. */
export const DEFAULT_CERTIFICATE_DAYS = 397;

/** The issuer of the CA the PKI holds now, or undefined while the gateway has none. */
export async function certificateIssuerFor(pki: Pki): Promise<CertificateIssuer | undefined> {
  await pki.refresh();
  if (!pki.hasGatewayCa) return undefined;
  return async (request, actor) => {
    const record = await pki.issueCertificate({
      csrPem: request.csrPem,
      partnerId: request.partnerId,
      partnerName: request.partnerName,
      validityDays: request.validityDays ?? DEFAULT_CERTIFICATE_DAYS,
      actor,
    });
    if (record.partnerId !== request.partnerId) {
      throw new GatewayError('ENLACE_INTERNAL', 'issued certificate names another partner');
    }
    return { certificatePem: record.pem, serial: record.serial };
  };
}
