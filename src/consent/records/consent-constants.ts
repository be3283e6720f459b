// Canonical URLs and input limits of the VawConsent profile as the gateway records it.

export const VAW_CONSENT_PROFILE = 'https://enlace.example.org/fhir/StructureDefinition/VawConsent';
export const REVOCATION_REASON_EXTENSION =
  'https://enlace.example.org/fhir/StructureDefinition/revocation-reason';
export const CONSENT_EVALUATE_DEFINITION =
  'https://enlace.example.org/fhir/OperationDefinition/Consent-evaluate';
export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';
export const consentActions = ['collect', 'access', 'use', 'disclose', 'correct'] as const;

/** Bounds on one consent, so a single record cannot make every later decision expensive. */
export const consentLimits = {
  /** Provisions in the whole tree, root included. */
  maxProvisions: 32,
  /** The root provision is depth 1; an exception of an exception is depth 3. */
  maxDepth: 3,
  /** Entries in any one list (actors, purposes, classes, categories…). */
  maxListLength: 32,
  maxTextLength: 256,
  minReasonLength: 3,
  maxReasonLength: 500,
} as const;
