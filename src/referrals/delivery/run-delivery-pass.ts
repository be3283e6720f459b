// One pass of the delivery worker: claim due rows, seal each for its recipient, push, record the outcome.
import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '@medplum/fhirtypes';
import { ConsentDenied } from '../../consent/index.js';
import { isGatewayError } from '../../kernel/index.js';
import { telemetry, traceOutgoing } from '../../observability/index.js';
import { findPartner, listEndpoints } from '../../partners/index.js';
import { AttemptFailure, describeNetworkError } from './attempt-failure.js';
import { backoffDelay } from './backoff.js';
import { buildDeliveryBody } from './build-delivery-body.js';
import {
  checkDeliveryTarget,
  resolveWithSystemDns,
  type DeliveryTarget,
} from './check-delivery-target.js';
import { claimDueDeliveries, type ClaimedDelivery } from './claim-deliveries.js';
import { buildPushAudit } from './delivery-audit.js';
import type { DeliveryDeps } from './delivery-deps.js';
import type { DeliveryRow } from './delivery-record.js';
import { enqueueBreakGlassNotices } from './enqueue-break-glass-notices.js';
import { recordOutcome, type AttemptOutcome } from './record-outcome.js';

export const DELIVERY_CONTENT_TYPE = 'application/jose';
export const DELIVERY_ID_HEADER = 'Enlace-Delivery-Id';
export const DELIVERY_KIND_HEADER = 'Enlace-Delivery-Kind';
/** Its number among the deliveries about its referral to this institution (the referral is 1). */
export const DELIVERY_SEQUENCE_HEADER = 'Enlace-Delivery-Sequence';
export const ENDPOINT_NOT_ALLOWED = 'endpoint not allowed';

export interface PassSummary {
  readonly claimed: number;
  readonly delivered: number;
  readonly retried: number;
  readonly dead: number;
}

/** Runs one pass at `now`; the worker calls it on a timer, tests call it directly. */
export async function runDeliveryPass(deps: DeliveryDeps, now: Date): Promise<PassSummary> {
  await enqueueBreakGlassNotices(deps.store.db, now, deps.vault);
  const claimed = await claimDueDeliveries(deps.store, now.getTime(), {
    leaseMs: deps.settings.leaseMs,
    limit: deps.settings.batchSize,
  });
  // The lease is counted from the claim on the pass's clock; what has elapsed since, on a clock
  // that no adjustment moves.
  const claimedAt = performance.now();
  const leaseLeft = (): number => deps.settings.leaseMs - (performance.now() - claimedAt);
  const outcomes = await Promise.all(
    claimed.map((claim) => deliverOne(deps, claim, now, leaseLeft)),
  );
  return {
    claimed: claimed.length,
    delivered: outcomes.filter((kind) => kind === 'delivered').length,
    retried: outcomes.filter((kind) => kind === 'retry').length,
    dead: outcomes.filter((kind) => kind === 'dead').length,
  };
}

async function deliverOne(
  deps: DeliveryDeps,
  claim: ClaimedDelivery,
  now: Date,
  leaseLeft: () => number,
): Promise<AttemptOutcome['kind'] | 'lost'> {
  const { row } = claim;
  const fields = { delivery: row.id, recipient: row.recipient, kind: row.kind };
  let outcome: AttemptOutcome;
  try {
    await attempt(deps, row, now, leaseLeft);
    outcome = { kind: 'delivered', at: now, audit: buildPushAudit(row, now, '0') };
  } catch (error) {
    if (error instanceof LeaseEnding) {
      deps.logger.warn(fields, 'delivery lease too short for the push; left for the next pass');
      return 'lost';
    }
    outcome = failureOutcome(deps, row, now, error);
  }
  const recorded = await recordOutcome(deps.store, claim, outcome);
  telemetry().deliveryAttempt(row.kind, recorded ? outcome.kind : 'lease-lost');
  if (!recorded) {
    deps.logger.warn(fields, 'delivery lease lost; another instance owns the row');
    return 'lost';
  }
  const attempts = row.attempts + 1;
  if (outcome.kind === 'delivered') deps.logger.info({ ...fields, attempts }, 'delivery delivered');
  if (outcome.kind === 'retry') {
    deps.logger.warn(
      {
        ...fields,
        attempts,
        reason: outcome.error,
        nextAttemptAt: new Date(outcome.nextAttemptAt).toISOString(),
      },
      'delivery attempt failed',
    );
  }
  if (outcome.kind === 'dead') {
    // The alert operators watch for: ids and the reason, never the payload.
    deps.logger.error({ ...fields, attempts, reason: outcome.error }, 'delivery dead-lettered');
  }
  return outcome.kind;
}

/** The lease would end before a push started now could time out: it is not started. */
class LeaseEnding extends Error {}

/** Resolves when the recipient accepted the push (2xx); throws AttemptFailure otherwise. */
async function attempt(
  deps: DeliveryDeps,
  row: DeliveryRow,
  now: Date,
  leaseLeft: () => number,
): Promise<void> {
  const target = await resolveTarget(deps, row);
  const body = await buildDeliveryBody(deps, row, now);
  // Why: once the lease ends another instance may claim the row and push it too; a push that
  // cannot finish (answer or time out) within the lease is left for whoever claims it next.
  if (leaseLeft() <= deps.settings.timeoutMs) throw new LeaseEnding();
  let status: number;
  try {
    // A span per push; its traceparent goes with it, so the recipient's trace can continue ours.
    ({ status } = await traceOutgoing(
      'enlace.delivery.push',
      { 'enlace.delivery.kind': row.kind, 'enlace.delivery.attempt': row.attempts + 1 },
      (traceHeaders) =>
        deps.send({
          target,
          headers: {
            ...traceHeaders,
            'Content-Type': DELIVERY_CONTENT_TYPE,
            'Idempotency-Key': row.idempotency_key,
            [DELIVERY_ID_HEADER]: row.id,
            [DELIVERY_KIND_HEADER]: row.kind,
            ...(row.referral_seq === null
              ? {}
              : { [DELIVERY_SEQUENCE_HEADER]: String(row.referral_seq) }),
            'User-Agent': 'Enlace-Delivery',
          },
          body,
        }),
    ));
  } catch (error) {
    throw new AttemptFailure(describeNetworkError(error), false, { cause: error });
  }
  // Why: a 3xx is a failure, never followed: the allow-list was checked for this address only.
  if (status < 200 || status > 299) throw new AttemptFailure(`HTTP ${status}`, false);
}

async function resolveTarget(deps: DeliveryDeps, row: DeliveryRow): Promise<DeliveryTarget> {
  const partner = await findPartner(deps.store.db, row.recipient);
  // Why: a suspended institution receives nothing until an operator reactivates it.
  if (partner?.status !== 'active') throw new AttemptFailure('the recipient is not active', false);
  const endpoint = (await listEndpoints(deps.store.db, { partnerId: row.recipient })).find(
    (candidate) => candidate.status === 'active',
  );
  if (endpoint === undefined)
    throw new AttemptFailure('the recipient has no active endpoint', false);
  try {
    return await checkDeliveryTarget(
      endpoint.address,
      deps.settings,
      deps.resolveHost ?? resolveWithSystemDns,
    );
  } catch (error) {
    if (isGatewayError(error) && error.code === 'ENLACE_DELIVERY_ENDPOINT_NOT_ALLOWED') {
      // Retrying cannot make a refused host allowed; the operator fixes the list, then retries.
      deps.logger.warn(
        {
          delivery: row.id,
          recipient: row.recipient,
          endpoint: endpoint.id,
          reason: error.message,
        },
        'delivery endpoint refused',
      );
      throw new AttemptFailure(ENDPOINT_NOT_ALLOWED, true, { cause: error });
    }
    throw new AttemptFailure(`the endpoint host did not resolve`, false, { cause: error });
  }
}

function failureOutcome(
  deps: DeliveryDeps,
  row: DeliveryRow,
  now: Date,
  error: unknown,
): AttemptOutcome {
  const failure =
    error instanceof AttemptFailure
      ? error
      : new AttemptFailure('the attempt failed unexpectedly', false, { cause: error });
  if (!(error instanceof AttemptFailure)) {
    deps.logger.error(
      { err: error, delivery: row.id },
      'delivery attempt raised an unexpected error',
    );
  }
  const attempts = row.attempts + 1;
  const nextAttemptAt =
    now.getTime() + backoffDelay(attempts, deps.settings, deps.random ?? Math.random);
  const horizon = Date.parse(row.created_at) + deps.settings.horizonMs;
  if (!failure.permanent && nextAttemptAt <= horizon) {
    return { kind: 'retry', nextAttemptAt, error: failure.message };
  }
  const consentAudit = consentDecisionAudit(failure);
  // A withdrawn consent is the system working as intended (4, minor); anything else is serious (8).
  const auditOutcome = failure.cause instanceof ConsentDenied ? '4' : '8';
  const audit: AuditEvent[] = [
    ...(consentAudit === undefined ? [] : [consentAudit]),
    buildPushAudit({ ...row, attempts }, now, auditOutcome, `dead-lettered: ${failure.message}`),
  ];
  return { kind: 'dead', error: failure.message, audit };
}

/** The consent gate's own AuditEvent rolled back with the packaging transaction; it is kept here. */
function consentDecisionAudit(failure: AttemptFailure): AuditEvent | undefined {
  return failure.cause instanceof ConsentDenied ? failure.cause.auditEvent : undefined;
}
