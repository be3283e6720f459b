// Step 2c — event: which message event this is, and the handler that takes it; unsupported events stop here.
import { GatewayError } from '../../kernel/index.js';
import { messageEvents, type MessageEvent } from '../../partners/index.js';
import { MESSAGE_EVENT_SYSTEM } from './message-codes.js';
import type { MessageHandler, MessageHandlers, SubmittedMessage } from './submission-types.js';

const EXPRESSION = ['Bundle.entry[0].resource.eventCoding'];

const isMessageEvent = (code: unknown): code is MessageEvent =>
  typeof code === 'string' && (messageEvents as readonly string[]).includes(code);

export function selectHandler(
  handlers: MessageHandlers,
  message: SubmittedMessage,
): { readonly event: MessageEvent; readonly handle: MessageHandler } {
  const coding = message.header.eventCoding;
  // Why the system too: a code from another code system means something else, whatever it spells.
  if (coding?.system !== MESSAGE_EVENT_SYSTEM || !isMessageEvent(coding.code)) {
    throw new GatewayError(
      'ENLACE_MESSAGE_EVENT_UNSUPPORTED',
      `The message event must be a code of ${MESSAGE_EVENT_SYSTEM}.`,
      { expression: EXPRESSION },
    );
  }
  const event = coding.code;
  const handle = handlers[event];
  if (handle === undefined) {
    throw new GatewayError(
      'ENLACE_MESSAGE_EVENT_UNSUPPORTED',
      `This gateway does not process ${event} messages.`,
      { expression: EXPRESSION },
    );
  }
  return { event, handle };
}
