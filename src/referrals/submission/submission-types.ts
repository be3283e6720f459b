// The vocabulary of the submission pipeline: what each step receives and hands on.
import type { Bundle, MessageHeader } from '@medplum/fhirtypes';
import type { PartnerPrincipal } from '../../kernel/index.js';
import type { MessageEvent, Partner } from '../../partners/index.js';
import type { SenderKeyInfo } from '../sender-keys.js';
import type { SubmissionDeps } from './submission-deps.js';

export type SubmissionMediaType = 'application/jose' | 'application/fhir+json';

/** A request to `$process-message` as the HTTP layer hands it over, after authentication. */
export interface SubmissionInput {
  readonly mediaType: SubmissionMediaType;
  /** The compact JWE text (application/jose) or the strictly parsed JSON (application/fhir+json). */
  readonly body: unknown;
  readonly caller: PartnerPrincipal;
  readonly requestId: string;
}

/** A Bundle of type message with its MessageHeader first; nothing about it verified yet. */
export interface SubmittedMessage {
  readonly bundle: Bundle;
  readonly header: MessageHeader;
  /** The MessageHeader's id (or its urn:uuid fullUrl): what a response's `response.identifier` names. */
  readonly headerId: string;
}

/** The institution whose key signed the message, which is also the caller and the header's sender. */
export interface VerifiedSender {
  readonly partner: Partner;
  readonly key: SenderKeyInfo;
  readonly signedAt: Date;
}

export interface MessageRoute {
  readonly event: MessageEvent;
  readonly recipient: Partner;
}

/** A message that passed every common step: decrypted, shaped, conforming, signed by its sender, routable. */
export interface AcceptedMessage {
  readonly message: SubmittedMessage;
  readonly sender: VerifiedSender;
  readonly route: MessageRoute;
  readonly caller: PartnerPrincipal;
  readonly requestId: string;
}

/** What the gateway answers: its signed acknowledgement, and whether it is the replay of an earlier one. */
export interface MessageOutcome {
  readonly acknowledgement: Bundle;
  readonly replayed: boolean;
}

/** Handles one message event after the common steps; throws a GatewayError to refuse. */
export type MessageHandler = (
  accepted: AcceptedMessage,
  deps: SubmissionDeps,
) => Promise<MessageOutcome>;

export type MessageHandlers = Readonly<Partial<Record<MessageEvent, MessageHandler>>>;
