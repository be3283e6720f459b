// A certificate record as operators see it, in the admin API and on the command line.
import type { CertificateRecord } from './certificate-repository.js';

export const toCertificateJson = (record: CertificateRecord) => ({
  serial: record.serial,
  partnerId: record.partnerId,
  subject: record.subject,
  notBefore: record.notBefore.toISOString(),
  notAfter: record.notAfter.toISOString(),
  issuedAt: record.issuedAt.toISOString(),
  revokedAt: record.revokedAt?.toISOString() ?? null,
  revocationReason: record.revocationReason ?? null,
  pem: record.pem,
});
