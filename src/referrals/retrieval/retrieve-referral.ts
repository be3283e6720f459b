// The recipient pulls its referral: packaged under a fresh consent check, audited, and the Task marked received.
import { runWithConsentAudit } from '../../consent/index.js';
import type { AuditActor } from '../../audit/index.js';
import type { PayloadVault } from '../../crypto/index.js';
import type { Clock } from '../../kernel/index.js';
import type { Store } from '../../store/index.js';
import { applyTaskChangeTo, buildTaskAuditEvent, referralNotFound } from '../task-updates/index.js';
import { findReferral } from '../referral-repository.js';
import type { PackageForRecipient } from '../types.js';
import { deliveredVersionId } from './delivered-version.js';

export interface RetrieveDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Opens and seals the Task the first retrieval moves to `received`. */
  readonly vault: PayloadVault;
  readonly packageForRecipient: PackageForRecipient;
}

export interface RetrieveRequest {
  readonly referralId: string;
  readonly partnerId: string;
  readonly actor: AuditActor;
  readonly requestId?: string;
}

/** What a retrieval answers: the JWE and the version of the collection inside it. */
export interface RetrievedReferral {
  readonly jwe: string;
  /** The collection's meta.versionId (deliveredVersionId): the ETag a recipient revalidates with. */
  readonly versionId: string;
  /** The collection's meta.lastUpdated: when it was assembled, at this retrieval. */
  readonly lastUpdated: string;
}

/** retrieveReferralPackage for callers that need only the JWE. */
export async function retrieveReferral(
  deps: RetrieveDeps,
  request: RetrieveRequest,
): Promise<string> {
  return (await retrieveReferralPackage(deps, request)).jwe;
}

/**
 * Returns the compact JWE for the recipient, with its version. Everything — consent decision,
 * disclosure record, audit, the status change and the sender's notification — commits in one
 * transaction; a consent refusal rolls it all back and leaves only the refusal's audit record.
 */
export function retrieveReferralPackage(
  deps: RetrieveDeps,
  request: RetrieveRequest,
): Promise<RetrievedReferral> {
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
      await applyTaskChangeTo(unit, deps.vault, record, {
        referralId: record.id,
        partnerId: request.partnerId,
        actor: request.actor,
        change: { status: 'received', notes: [], outputs: [] },
        via: 'retrieve',
        at,
        ...requestId,
      });
    }
    return {
      jwe: delivered.jwe,
      versionId: deliveredVersionId(record.contentHash, delivered.decision),
      lastUpdated: at.toISOString(),
    };
  });
}
