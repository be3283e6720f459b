// Step 4 — route: one registered, active recipient, and a network policy that lets this sender reach it.
import { GatewayError } from '../../kernel/index.js';
import { findPartner, type MessageEvent, type Partner } from '../../partners/index.js';
import type { SubmissionDeps } from './submission-deps.js';
import type { MessageRoute, SubmittedMessage } from './submission-types.js';

const ORGANIZATION = /^Organization\/([a-z0-9][a-z0-9-]{1,62})$/;
const EXPRESSION = ['Bundle.entry[0].resource.destination'];

export async function checkRoute(
  message: SubmittedMessage,
  event: MessageEvent,
  sender: Partner,
  deps: Pick<SubmissionDeps, 'store' | 'policy'>,
): Promise<MessageRoute> {
  const destinations = message.header.destination ?? [];
  // Why one recipient: consent is decided per recipient and the referral row has one; a message to
  // several would need several decisions that could disagree. Send one message per recipient.
  if (destinations.length !== 1) {
    throw new GatewayError(
      'ENLACE_MESSAGE_INVALID',
      'A message has exactly one destination; send one message per recipient.',
      { expression: EXPRESSION },
    );
  }
  const reference = destinations[0]?.receiver?.reference ?? '';
  const id = ORGANIZATION.exec(reference)?.[1];
  const recipient = id === undefined ? undefined : await findPartner(deps.store.db, id);
  if (recipient?.status !== 'active') {
    throw new GatewayError(
      'ENLACE_RECIPIENT_UNKNOWN',
      'MessageHeader.destination.receiver must name an active partner as Organization/<id>.',
      { expression: ['Bundle.entry[0].resource.destination[0].receiver'] },
    );
  }
  // Why deny by default: the operator's policy lists who may send what to whom; anything else is refused.
  if (!deps.policy.allowsRoute(event, sender.role, recipient.role)) {
    throw new GatewayError(
      'ENLACE_ROUTE_FORBIDDEN',
      `The network policy does not let a ${sender.role} institution send ${event} to a ${recipient.role} institution.`,
      { expression: EXPRESSION },
    );
  }
  return { event, recipient };
}
