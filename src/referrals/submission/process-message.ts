// $process-message: the pipeline every submitted message passes, step by step, each step one file.
import { isGatewayError } from '../../kernel/index.js';
import { annotateStep, telemetry, traceStep } from '../../observability/index.js';
import { checkMessageProfile } from './check-message-profile.js';
import { checkMessageShape } from './check-message-shape.js';
import { checkRoute } from './check-route.js';
import { decryptSubmission } from './decrypt-submission.js';
import { messageHandlers } from './message-handlers.js';
import { selectHandler } from './select-handler.js';
import { buildRefusalAuditEvent } from './submission-audit.js';
import type { SubmissionDeps } from './submission-deps.js';
import type {
  MessageHandlers,
  MessageOutcome,
  SubmissionInput,
  SubmittedMessage,
} from './submission-types.js';
import { verifySender } from './verify-sender.js';

/**
 * authenticate (the route's access requirement) → decrypt → shape → profile → event → signature →
 * route → the event's handler (referral-request: consent → idempotency → persist → acknowledge).
 * Every step throws a GatewayError to refuse; nothing is written before the handler's transaction.
 * Each step is a span of the request's trace (codes and sizes only), and the outcome is counted.
 */
export async function processMessage(
  input: SubmissionInput,
  deps: SubmissionDeps,
  handlers: MessageHandlers = messageHandlers,
): Promise<MessageOutcome> {
  let event = 'unknown';
  try {
    const parsed = await traceStep(
      'enlace.submission.decrypt',
      () => decryptSubmission(input, deps),
      { 'enlace.submission.media_type': input.mediaType, ...bytesOf(input.body) },
    );
    const message = await traceStep('enlace.submission.validate', () => {
      const shaped = checkMessageShape(parsed);
      checkMessageProfile(deps.profiles, shaped);
      return shaped;
    });
    const handler = selectHandler(handlers, message);
    event = handler.event;
    annotateStep({ 'enlace.message.event': event, 'enlace.message.entries': entriesOf(message) });
    const sender = await traceStep('enlace.submission.verify', () =>
      verifySender(message, input.caller, deps),
    );
    const route = await traceStep('enlace.submission.route', () =>
      checkRoute(message, handler.event, sender.partner, deps),
    );
    const outcome = await traceStep('enlace.submission.handle', () =>
      handler.handle(
        { message, sender, route, caller: input.caller, requestId: input.requestId },
        deps,
      ),
    );
    telemetry().submission(event, outcome.replayed ? 'replayed' : 'accepted');
    return outcome;
  } catch (error) {
    // The refusal's registry code, a closed set; the gateway's own faults count as `internal`.
    telemetry().submission(event, isGatewayError(error) ? error.code : 'internal');
    // Why: the refused request's writes rolled back, but the refusal is evidence (probing, broken
    // clients), so it is recorded on its own. The gateway's own faults (5xx) go to the log instead.
    if (isGatewayError(error) && error.status < 500) {
      await traceStep('enlace.submission.audit', () =>
        deps.store.audit.append(
          buildRefusalAuditEvent(input.caller, error, deps.clock(), input.requestId),
        ),
      );
    }
    throw error;
  }
}

/** How many entries the Bundle holds: a size for the trace, never their content. */
const entriesOf = (message: SubmittedMessage): number => message.bundle.entry?.length ?? 0;

/** The compact JWE's length in bytes (ASCII); a plain message was parsed already and has none. */
const bytesOf = (body: unknown): Record<string, number> =>
  typeof body === 'string' ? { 'enlace.submission.bytes': body.length } : {};
