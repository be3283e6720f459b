// Runs a break-the-glass step and, when it refuses, appends the refusal after the step's rollback.
import type { AuditEvent } from '@medplum/fhirtypes';
import { isGatewayError, type GatewayError } from '../../kernel/index.js';
import type { Store } from '../../store/index.js';

/**
 * Why outside the step's transaction: the refusal rolled that back, and the audit record of a
 * refused emergency access must survive it. Only GatewayErrors are refusals; other failures are
 * faults the error handler logs.
 */
export async function auditingRefusals<T>(
  store: Store,
  work: () => Promise<T>,
  toEvent: (error: GatewayError) => AuditEvent,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isGatewayError(error)) await store.audit.append(toEvent(error));
    throw error;
  }
}
