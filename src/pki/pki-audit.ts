// The AuditEvents of certificate issuance and revocation (BALP security alert, security configuration).
import type { AuditEvent } from '@medplum/fhirtypes';
import { auditSubtype, auditType, buildAuditEvent } from '../audit/index.js';
import type { AuditActor } from '../audit/index.js';
import { CERTIFICATE_SERIAL_SYSTEM } from './pki-constants.js';

export interface CertificateAuditInput {
  readonly actor: AuditActor;
  readonly recorded: Date;
  readonly serial: string;
  readonly partnerId: string;
  readonly change: 'issued' | 'revoked';
  readonly reason?: string;
}

export function buildCertificateAuditEvent(input: CertificateAuditInput): AuditEvent {
  const description =
    input.change === 'issued'
      ? 'partner certificate issued'
      : `partner certificate revoked (${input.reason ?? 'unspecified'})`;
  return buildAuditEvent({
    type: auditType.securityAlert,
    subtype: auditSubtype.securityConfiguration,
    action: input.change === 'issued' ? 'C' : 'U',
    outcome: '0',
    recorded: input.recorded,
    agents: [input.actor],
    entities: [
      { reference: `Organization/${input.partnerId}` },
      {
        identifier: { system: CERTIFICATE_SERIAL_SYSTEM, value: input.serial },
        description,
      },
    ],
  });
}
