// The code systems and names a submitted message and the gateway's acknowledgement use.
import { GATEWAY_REFERENCE } from '../../kernel/index.js';

export const MESSAGE_EVENT_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/message-event';
/** Identifiers of messages the gateway itself sends (its acknowledgements). */
export const GATEWAY_MESSAGE_ID_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/message-id';
/** The gateway as sender and signer of its acknowledgements: one identity, served by the directory. */
export const GATEWAY_ORGANIZATION = GATEWAY_REFERENCE;
export const REFERRAL_MESSAGE_PROFILE =
  'https://enlace.example.org/fhir/StructureDefinition/VawReferralMessage';
export const PROCESS_MESSAGE_DEFINITION =
  'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message';

export const JOSE_MEDIA_TYPE = 'application/jose';
export const FHIR_JSON_MEDIA_TYPE = 'application/fhir+json';
