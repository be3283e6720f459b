// The consent gate every send and every retrieval passes through, inside the caller's transaction.
import type { AuditActor } from '../../audit/index.js';
import { telemetry } from '../../observability/index.js';
import type { UnitOfWork } from '../../store/index.js';
import { ConsentDenied, loadCurrentConsents, lockSurvivorState } from '../records/index.js';
import type { Decision, DecisionRequest } from '../types.js';
import { decideWithEmergency } from './decide-with-emergency.js';
import { decisionReason } from './decision-reason.js';
import { buildDecisionAuditEvent } from './decision-audit.js';
import type { GateDeps } from './gate-deps.js';

export interface GateRequest extends DecisionRequest {
  readonly requestId?: string;
  /** Who asks for the release (the sender); the decision's actor is who would receive. */
  readonly requestor?: AuditActor;
  /** Throw ConsentDenied unless the decision permits. Defaults to true: the gate fails closed. */
  readonly enforce?: boolean;
}

/**
 * Decides whether her data may move and records the decision, in the caller's transaction, so the
 * release, its audit and the decision commit together or not at all. The survivor's state rows are
 * held first: a revocation committing meanwhile either waits for this transaction or is seen by it.
 */
export async function checkConsent(
  unit: UnitOfWork,
  request: GateRequest,
  deps: GateDeps,
): Promise<Decision> {
  await lockSurvivorState(unit.db, deps.dialect, request.survivor);
  const consents = await loadCurrentConsents(unit.db, deps.vault, request.survivor);
  const decision = await decideWithEmergency(unit.db, consents, request, deps);
  const event = buildDecisionAuditEvent({
    decision,
    request,
    recorded: deps.clock(),
    via: 'gate',
    ...(request.requestor === undefined ? {} : { requestor: request.requestor }),
    ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
  });
  // The audit is appended last: on PostgreSQL it holds the trail's sequence row until commit.
  await unit.audit.append(event);
  telemetry().consentDecision(decision.outcome, decisionReason(decision));
  if (request.enforce !== false && decision.outcome !== 'permit') {
    throw new ConsentDenied(decision, event);
  }
  return decision;
}
