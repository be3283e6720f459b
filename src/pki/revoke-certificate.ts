// Revokes a gateway-issued certificate in the database, with its AuditEvent in the same transaction.
import { GatewayError } from '../kernel/index.js';
import type { AuditActor } from '../audit/index.js';
import type { Store } from '../store/index.js';
import { findCertificate, markRevoked } from './certificate-repository.js';
import type { CertificateRecord } from './certificate-repository.js';
import { buildCertificateAuditEvent } from './pki-audit.js';
import { isRevocationReason, REVOCATION_REASONS } from './revocation-reasons.js';
import type { RevocationReason } from './revocation-reasons.js';
import { isSerialKey, toSerialKey } from './serial-number.js';

export interface RevokeCertificateInput {
  /** Hexadecimal serial, any case, leading zeros allowed. */
  readonly serial: string;
  readonly reason: RevocationReason;
  /** When the certificate stopped being trustworthy; defaults to now, never in the future. */
  readonly at?: Date;
  readonly actor: AuditActor;
}

export async function revokeCertificate(
  store: Store,
  now: Date,
  input: RevokeCertificateInput,
): Promise<CertificateRecord> {
  if (!isSerialKey(input.serial)) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      'serial must be 1 to 20 bytes in hexadecimal',
    );
  }
  if (!isRevocationReason(input.reason)) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      `reason must be one of ${REVOCATION_REASONS.join(', ')}`,
    );
  }
  const at = input.at ?? now;
  if (Number.isNaN(at.getTime()) || at > now) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      'the revocation time cannot be in the future',
    );
  }
  const serial = toSerialKey(input.serial);
  return store.transaction(async (unit) => {
    if (!(await markRevoked(unit.db, serial, at, input.reason))) {
      const existing = await findCertificate(unit.db, serial);
      throw existing === undefined
        ? new GatewayError('ENLACE_CERTIFICATE_NOT_FOUND', `no certificate has serial ${serial}`)
        : new GatewayError(
            'ENLACE_CERTIFICATE_ALREADY_REVOKED',
            `certificate ${serial} was already revoked`,
          );
    }
    const record = await findCertificate(unit.db, serial);
    if (record === undefined) {
      throw new GatewayError('ENLACE_CERTIFICATE_NOT_FOUND', `no certificate has serial ${serial}`);
    }
    await unit.audit.append(
      buildCertificateAuditEvent({
        actor: input.actor,
        recorded: now,
        serial,
        partnerId: record.partnerId,
        change: 'revoked',
        reason: input.reason,
      }),
    );
    return record;
  });
}
