// $process-message: the pipeline every submitted message passes, step by step, each step one file.
import { isGatewayError } from '../../kernel/index.js';
import { checkMessageProfile } from './check-message-profile.js';
import { checkMessageShape } from './check-message-shape.js';
import { checkRoute } from './check-route.js';
import { decryptSubmission } from './decrypt-submission.js';
import { messageHandlers } from './message-handlers.js';
import { selectHandler } from './select-handler.js';
import { buildRefusalAuditEvent } from './submission-audit.js';
import type { SubmissionDeps } from './submission-deps.js';
import type { MessageHandlers, MessageOutcome, SubmissionInput } from './submission-types.js';
import { verifySender } from './verify-sender.js';

/**
 * authenticate (the route's access requirement) → decrypt → shape → profile → event → signature →
 * route → the event's handler (referral-request: consent → idempotency → persist → acknowledge).
 * Every step throws a GatewayError to refuse; nothing is written before the handler's transaction.
 */
export async function processMessage(
  input: SubmissionInput,
  deps: SubmissionDeps,
  handlers: MessageHandlers = messageHandlers,
): Promise<MessageOutcome> {
  try {
    const parsed = await decryptSubmission(input, deps);
    const message = checkMessageShape(parsed);
    checkMessageProfile(deps.profiles, message);
    const { event, handle } = selectHandler(handlers, message);
    const sender = await verifySender(message, input.caller, deps);
    const route = await checkRoute(message, event, sender.partner, deps);
    return await handle(
      { message, sender, route, caller: input.caller, requestId: input.requestId },
      deps,
    );
  } catch (error) {
    // Why: the refused request's writes rolled back, but the refusal is evidence (probing, broken
    // clients), so it is recorded on its own. The gateway's own faults (5xx) go to the log instead.
    if (isGatewayError(error) && error.status < 500) {
      await deps.store.audit.append(
        buildRefusalAuditEvent(input.caller, error, deps.clock(), input.requestId),
      );
    }
    throw error;
  }
}
