// The referral-update and referral-cancel events: a signed message changes the Task exactly as PATCH would.
import { actorFromPrincipal } from '../../audit/index.js';
import { applyTaskMessage } from '../task-updates/index.js';
import { answer } from './handle-acknowledgement.js';
import type { MessageHandler } from './submission-types.js';

/** Both doors (PATCH /fhir/Task and a signed message) lead through the same transition checks. */
export const handleTaskMessage: MessageHandler = async (accepted, deps) => {
  const event = accepted.route.event;
  if (event !== 'referral-update' && event !== 'referral-cancel') {
    throw new Error(`handleTaskMessage cannot handle ${event}`);
  }
  const result = await deps.store.transaction((unit) =>
    applyTaskMessage(unit, deps.vault, {
      message: accepted.message.bundle,
      event,
      partnerId: accepted.sender.partner.id,
      actor: actorFromPrincipal(accepted.caller),
      at: deps.clock(),
      requestId: accepted.requestId,
    }),
  );
  return answer(accepted, result.record, deps, false);
};
