// Runs a consent interaction and, when it is refused, appends the refusal's AuditEvent on its own.
import type { AuditEvent } from '@medplum/fhirtypes';
import { isGatewayError, type GatewayError } from '../../kernel/index.js';
import type { Store } from '../../store/index.js';

/**
 * Why: the refused interaction's transaction rolls back, taking its writes with it; the refusal
 * itself is evidence (probing, misconfigured clients), so it is recorded in a transaction of its own.
 */
export async function auditingRefusals<T>(
  store: Store,
  refusalEvent: (error: GatewayError) => AuditEvent,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isGatewayError(error) && error.status < 500) {
      await store.audit.append(refusalEvent(error));
    }
    throw error;
  }
}

export const describeRefusal = (error: GatewayError): string =>
  `${error.code}: ${error.message}`.slice(0, 500);
