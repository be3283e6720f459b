// The codes and references the gateway's consent Provenance resources carry.
import type { Coding } from '@medplum/fhirtypes';
import { GATEWAY_REFERENCE } from '../../kernel/index.js';

/** The gateway as agent and signer: the Organization served at GET /fhir/Organization/enlace-gateway. */
export const GATEWAY_AGENT = GATEWAY_REFERENCE;

/** v3-ObservationValue REDACTED: set in meta.security of what remains after data was removed. */
export const REDACTED_LABEL: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'REDACTED',
  display: 'redacted',
};

/** v3-ActCode REDACT (obligation policy): the activity of removing data before disclosure. */
export const REDACT_ACTIVITY: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  code: 'REDACT',
  display: 'redact',
};

/** v3-DataOperation EXECUTE: the gateway ran the consent check (text `consent-check`). */
export const CONSENT_CHECK_ACTIVITY: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
  code: 'EXECUTE',
  display: 'execute',
};

/** Provenance agent type `performer`: the gateway carried out the check. */
export const PERFORMER: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  code: 'performer',
  display: 'Performer',
};

/**
 * ASTM E1762 Source Signature (1.2.840.10065.1.12.1.14), not Verification Signature (…1.5): the
 * gateway originates this record of its own decision; it is not attesting someone else's content.
 */
export const SOURCE_SIGNATURE: Coding = {
  system: 'urn:iso-astm:E1762-95:2013',
  code: '1.2.840.10065.1.12.1.14',
  display: 'Source Signature',
};

export const EMERGENCY_GRANT_SYSTEM =
  'https://enlace.example.org/fhir/NamingSystem/emergency-grant';
