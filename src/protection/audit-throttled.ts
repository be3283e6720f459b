// Records refused-for-budget calls of authenticated callers as AuditEvents: the first per caller and window at once, the rest as one count.
import type { AuditEvent } from '@medplum/fhirtypes';
import {
  actorFromPrincipal,
  auditSubtype,
  auditType,
  buildAuditEvent,
  describeRefusal,
  type AuditActor,
} from '../audit/index.js';
import type { Clock, GatewayError, Principal } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import { windowStartOf } from './window.js';

/** Where the throttled call came in. */
export interface ThrottledCall {
  readonly requestId: string;
  readonly method: string;
  /** The route pattern, never the URL with its values. */
  readonly route: string;
  readonly source: string;
}

export interface ThrottleRecorder {
  record(principal: Principal, call: ThrottledCall, refusal: GatewayError): Promise<void>;
  /** Appends the counts not yet written (at shutdown). */
  flush(): Promise<void>;
}

interface Bucket {
  readonly window: number;
  /** The caller as its first throttled call recorded it. */
  readonly actor: AuditActor;
  further: number;
}

const WINDOW_MS = 60_000;
/** Callers tracked at once; authenticated callers are few, this only bounds memory. */
const MAX_CALLERS = 10_000;

const callerOf = (principal: Principal): string =>
  principal.kind === 'partner' ? `client:${principal.clientId}` : `person:${principal.userId}`;

/**
 * Why record: an institution's system hammering case routes is evidence an auditor must see (a
 * runaway integration, or stolen credentials harvesting), and it is an identified caller, as other
 * recorded refusals are. Why sample: recording every refused call would turn the flood the limit
 * stops into a flood of durable audit writes; one event per caller and minute plus a count keeps
 * the evidence without the cost. Each instance samples on its own.
 */
export function createThrottleRecorder(deps: {
  readonly store: Pick<Store, 'audit'>;
  readonly clock: Clock;
}): ThrottleRecorder {
  const buckets = new Map<string, Bucket>();
  const closed = (keep: (bucket: Bucket) => boolean): AuditEvent[] => {
    const summaries: AuditEvent[] = [];
    for (const [caller, bucket] of buckets) {
      if (keep(bucket)) continue;
      buckets.delete(caller);
      if (bucket.further > 0) summaries.push(summaryOf(bucket, deps.clock()));
    }
    return summaries;
  };
  const append = async (events: readonly AuditEvent[]) => {
    for (const event of events) await deps.store.audit.append(event);
  };
  return {
    async record(principal, call, refusal) {
      const at = deps.clock();
      const window = windowStartOf(at.getTime(), WINDOW_MS);
      const summaries = closed((bucket) => bucket.window === window);
      const caller = callerOf(principal);
      const bucket = buckets.get(caller);
      if (bucket !== undefined) {
        bucket.further += 1;
        await append(summaries);
        return;
      }
      const actor: AuditActor = { ...actorFromPrincipal(principal), network: call.source };
      if (buckets.size < MAX_CALLERS) buckets.set(caller, { window, actor, further: 0 });
      const event = throttledEvent(actor, call, refusal, at);
      await append([...summaries, event]);
    },
    flush: () => append(closed(() => false)),
  };
}

function throttledEvent(
  actor: AuditActor,
  call: ThrottledCall,
  refusal: GatewayError,
  at: Date,
): AuditEvent {
  return buildAuditEvent({
    type: auditType.securityAlert,
    subtype: auditSubtype.useOfRestrictedFunction,
    action: 'E',
    outcome: '4',
    outcomeDesc: describeRefusal(refusal),
    recorded: at,
    agents: [actor],
    entities: [{ description: `${call.method} ${call.route}: request budget exceeded` }],
    requestId: call.requestId,
  });
}

function summaryOf(bucket: Bucket, at: Date): AuditEvent {
  return buildAuditEvent({
    type: auditType.securityAlert,
    subtype: auditSubtype.useOfRestrictedFunction,
    action: 'E',
    outcome: '4',
    outcomeDesc: `ENLACE_RATE_LIMITED: ${bucket.further} further calls over budget in the minute from ${new Date(bucket.window).toISOString()}`,
    recorded: at,
    agents: [bucket.actor],
    entities: [{ description: 'sampled: calls refused for their budget, counted' }],
  });
}
