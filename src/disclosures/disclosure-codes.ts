// The names the disclosure report is published under: the operation, its extensions and its audit marker.

/** `GET /fhir/Patient/$disclosures`. */
export const DISCLOSURES_OPERATION = 'disclosures';
export const DISCLOSURES_DEFINITION = `https://enlace.example.org/fhir/OperationDefinition/${DISCLOSURES_OPERATION}`;

/** On each reported AuditEvent: the legal basis (consent, break-the-glass…), as a code. */
export const DISCLOSURE_BASIS_EXTENSION =
  'https://enlace.example.org/fhir/StructureDefinition/disclosure-basis';
/** AuditEvent.subtype of each reported access: what was done (referral-sent, consent-read…). */
export const DISCLOSURE_KIND_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/disclosure-kind';

/** The entity description that marks the AuditEvent of a request for this report. */
export const REPORT_REQUEST_DESCRIPTION = 'Patient/$disclosures';
