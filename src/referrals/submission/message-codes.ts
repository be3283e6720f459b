// The code systems and names a submitted message and the gateway's acknowledgement use.

export const MESSAGE_EVENT_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/message-event';
/** Identifiers of messages the gateway itself sends (its acknowledgements). */
export const GATEWAY_MESSAGE_ID_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/message-id';
/** The gateway as the sending Organization of its acknowledgements (the profile wants an Organization). */
export const GATEWAY_ORGANIZATION = 'Organization/enlace-gateway';
/** The gateway as the signer of its acknowledgements: the device holding the signing key. */
export const GATEWAY_DEVICE = 'Device/enlace-gateway';
export const REFERRAL_MESSAGE_PROFILE =
  'https://enlace.example.org/fhir/StructureDefinition/VawReferralMessage';
export const PROCESS_MESSAGE_DEFINITION =
  'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message';

export const JOSE_MEDIA_TYPE = 'application/jose';
export const FHIR_JSON_MEDIA_TYPE = 'application/fhir+json';
