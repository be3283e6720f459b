// The refusal of a release that no consent (and no break-the-glass grant) permits, carrying the decision.
import type { AuditEvent } from '@medplum/fhirtypes';
import { GatewayError } from '../../kernel/index.js';
import type { Decision } from '../types.js';

export class ConsentDenied extends GatewayError {
  readonly decision: Decision;
  /** The decision's AuditEvent; it rolls back with the caller's transaction, so it is appended again. */
  readonly auditEvent: AuditEvent | undefined;

  constructor(decision: Decision, auditEvent?: AuditEvent) {
    super(
      'ENLACE_CONSENT_DENIED',
      decision.outcome === 'deny'
        ? 'Her consent does not permit this release.'
        : 'No consent of hers permits this release.',
    );
    this.decision = decision;
    this.auditEvent = auditEvent;
  }
}
