// Issues a partner certificate from a CSR: subject and SAN from the operator, never from the CSR.
import { GatewayError } from '../kernel/index.js';
import type { AuditActor } from '../audit/index.js';
import type { Store } from '../store/index.js';
import { insertCertificate } from './certificate-repository.js';
import type { CertificateRecord } from './certificate-repository.js';
import { checkDisplayText, checkPartnerId, toPartnerName } from './distinguished-names.js';
import type { GatewayCa } from './gateway-ca.js';
import { readCsrPublicKey } from './parse-csr.js';
import { buildCertificateAuditEvent } from './pki-audit.js';
import {
  DAY_MS,
  ISSUING_CA_ALGORITHM,
  MAX_VALIDITY_DAYS,
  MIN_VALIDITY_DAYS,
  PARTNER_URI_PREFIX,
} from './pki-constants.js';
import { generateSerialHex, toSerialKey } from './serial-number.js';
import { x509 } from './x509.js';

export interface IssueCertificateInput {
  readonly csrPem: string;
  readonly partnerId: string;
  readonly partnerName: string;
  readonly validityDays: number;
  /** The operator issuing it, recorded as the AuditEvent agent. */
  readonly actor: AuditActor;
}

function checkValidityDays(days: number): void {
  if (!Number.isInteger(days) || days < MIN_VALIDITY_DAYS || days > MAX_VALIDITY_DAYS) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      `validity must be a whole number of days from ${MIN_VALIDITY_DAYS} to ${MAX_VALIDITY_DAYS}`,
    );
  }
}

async function buildPartnerExtensions(
  ca: GatewayCa,
  publicKey: x509.PublicKey,
  partnerId: string,
): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // digitalSignature only: partner keys sign tokens and messages, nothing else.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    new x509.SubjectAlternativeNameExtension([
      { type: 'url', value: `${PARTNER_URI_PREFIX}${partnerId}` },
    ]),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    new x509.AuthorityKeyIdentifierExtension(ca.issuingKeyId),
  ];
}

export async function issueCertificate(
  ca: GatewayCa,
  store: Store,
  now: Date,
  input: IssueCertificateInput,
): Promise<CertificateRecord> {
  checkPartnerId(input.partnerId);
  checkDisplayText('partner name', input.partnerName);
  checkValidityDays(input.validityDays);
  const publicKey = await readCsrPublicKey(input.csrPem);

  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + input.validityDays * DAY_MS);
  // Why: a certificate outliving its issuer would stop validating early and surprise the partner.
  if (notAfter > ca.issuing.notAfter) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      `validity must end before the issuing CA expires (${ca.issuing.notAfter.toISOString()})`,
    );
  }
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: generateSerialHex(),
    subject: toPartnerName(input.partnerId, input.partnerName),
    issuer: ca.issuing.peculiar.subjectName,
    notBefore,
    notAfter,
    signingAlgorithm: ISSUING_CA_ALGORITHM,
    publicKey,
    signingKey: ca.issuingKey,
    extensions: await buildPartnerExtensions(ca, publicKey, input.partnerId),
  });

  const record: CertificateRecord = {
    serial: toSerialKey(certificate.serialNumber),
    partnerId: input.partnerId,
    subject: certificate.subject,
    notBefore,
    notAfter,
    pem: certificate.toString('pem'),
    issuedAt: now,
    revokedAt: undefined,
    revocationReason: undefined,
  };
  await store.transaction(async (unit) => {
    await insertCertificate(unit.db, record);
    // Appended last: on PostgreSQL the audit append holds the trail's sequence row until commit.
    await unit.audit.append(
      buildCertificateAuditEvent({
        actor: input.actor,
        recorded: now,
        serial: record.serial,
        partnerId: record.partnerId,
        change: 'issued',
      }),
    );
  });
  return record;
}
