// Runs an interaction and, when it is refused, appends the refusal's AuditEvent after the rollback.
import type { AuditEvent } from '@medplum/fhirtypes';
import { isGatewayError, type GatewayError } from '../kernel/index.js';
import type { Store } from '../store/index.js';

/**
 * Why: the refused interaction's transaction rolls back, taking its writes with it; the refusal
 * itself is evidence (probing, misconfigured clients), so it is recorded in a transaction of its
 * own. Refusals that answer 404 to hide that a record exists are recorded like any other. Only
 * refusals (4xx) count; the gateway's own faults go to the log.
 */
export async function auditingRefusals<T>(
  store: Pick<Store, 'audit'>,
  /** The refusal's record; undefined when a lower layer already recorded this refusal itself. */
  refusalEvent: (error: GatewayError) => AuditEvent | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const event = isGatewayError(error) && error.status < 500 ? refusalEvent(error) : undefined;
    if (event !== undefined) await store.audit.append(event);
    throw error;
  }
}

/** The refusal as an AuditEvent records it: the stable code and the text the client saw. */
export const describeRefusal = (error: GatewayError): string =>
  `${error.code}: ${error.message}`.slice(0, 500);
