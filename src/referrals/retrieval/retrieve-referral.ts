// The recipient pulls its referral: packaged under a fresh consent check, audited, and the Task marked received.
import { runWithConsentAudit } from '../../consent/index.js';
import type { AuditActor } from '../../audit/index.js';
import type { Clock } from '../../kernel/index.js';
import type { Store } from '../../store/index.js';
import { applyTaskChangeTo, buildTaskAuditEvent, referralNotFound } from '../task-updates/index.js';
import { findReferral } from '../referral-repository.js';
import type { PackageForRecipient } from '../types.js';

export interface RetrieveDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly packageForRecipient: PackageForRecipient;
}

export interface RetrieveRequest {
  readonly referralId: string;
  readonly partnerId: string;
  readonly actor: AuditActor;
  readonly requestId?: string;
}

/**
 * Returns the compact JWE for the recipient. Everything — consent decision, disclosure record,
 * audit, the status change and the sender's notification — commits in one transaction; a consent
 * refusal rolls it all back and leaves only the refusal's audit record.
 */
export function retrieveReferral(deps: RetrieveDeps, request: RetrieveRequest): Promise<string> {
  const requestId = request.requestId === undefined ? {} : { requestId: request.requestId };
  return runWithConsentAudit(deps.store, async (unit) => {
    const record = await findReferral(unit.db, request.referralId);
    // Why the recipient only, and 404 for everyone else: the content is addressed to it alone, and
    // a third institution must not learn the referral exists.
    if (record === undefined || record.recipient !== request.partnerId) {
      throw referralNotFound(request.referralId);
    }
    const at = deps.clock();
    const delivered = await deps.packageForRecipient(unit, record.id, at, request.requestId);
    const removed = delivered.decision.remove;
    await unit.audit.append(
      buildTaskAuditEvent({
        interaction: 'retrieve',
        actor: request.actor,
        recorded: at,
        entity: `Bundle/${record.id}`,
        pseudonym: record.pseudonym,
        description:
          removed.length === 0
            ? 'referral retrieved, encrypted to the recipient'
            : `referral retrieved, encrypted to the recipient; removed data classes: ${removed.join(', ')}`,
        ...requestId,
      }),
    );
    if (record.status === 'requested') {
      await applyTaskChangeTo(unit, record, {
        referralId: record.id,
        partnerId: request.partnerId,
        actor: request.actor,
        change: { status: 'received', notes: [], outputs: [] },
        at,
        ...requestId,
      });
    }
    return delivered.jwe;
  });
}
