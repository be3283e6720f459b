// Suspends or re-activates a partner; a suspended partner's tokens stop working on their next use.
import { auditSubtype, auditType, buildAuditEvent, type AuditActor } from '../audit/index.js';
import { GatewayError, type Clock } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import type { Partner, PartnerStatus } from './partner.js';
import { findPartner, updatePartnerStatus } from './partner-repository.js';

export async function setPartnerStatus(
  partnerId: string,
  status: PartnerStatus,
  actor: AuditActor,
  deps: { readonly store: Store; readonly clock: Clock },
): Promise<Partner> {
  return deps.store.transaction(async (unit) => {
    const before = await findPartner(unit.db, partnerId);
    if (before === undefined) {
      throw new GatewayError(
        'ENLACE_PARTNER_NOT_FOUND',
        `No partner has the id ${partnerId.slice(0, 64)}.`,
      );
    }
    const now = deps.clock();
    const after =
      before.status === status
        ? before
        : ((await updatePartnerStatus(unit.db, partnerId, status, now.toISOString())) ?? before);
    await unit.audit.append(
      buildAuditEvent({
        type: auditType.securityAlert,
        subtype: auditSubtype.userSecurityAttributesChanged,
        action: 'U',
        outcome: '0',
        recorded: now,
        agents: [actor],
        entities: [
          {
            reference: `Organization/${partnerId}`,
            description: `partner status ${before.status} -> ${status}`,
          },
        ],
      }),
    );
    return after;
  });
}
