// Runs a transaction that passes the consent gate; a refusal's decision record survives its rollback.
import { ConsentDenied } from '../records/index.js';
import type { Store, UnitOfWork } from '../../store/index.js';

/**
 * Why: checkConsent appends the decision in the caller's transaction, which a ConsentDenied rolls
 * back; refusals are evidence too, so the same AuditEvent is appended again on its own.
 */
export async function runWithConsentAudit<T>(
  store: Store,
  work: (unit: UnitOfWork) => Promise<T>,
): Promise<T> {
  try {
    return await store.transaction(work);
  } catch (error) {
    if (error instanceof ConsentDenied && error.auditEvent !== undefined) {
      await store.audit.append(error.auditEvent);
    }
    throw error;
  }
}
