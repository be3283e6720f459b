// The vocabulary of break-the-glass: code systems, the operation's names, risk levels and review outcomes.
import type { Coding } from '@medplum/fhirtypes';

export const RISK_LEVEL_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/risk-level';
export const EMERGENCY_GRANT_SYSTEM =
  'https://enlace.example.org/fhir/NamingSystem/emergency-grant';
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

/** The FHIR operation opening a grant, invoked on the Consent type: `POST /fhir/Consent/$emergency-access`. */
export const EMERGENCY_ACCESS_OPERATION = 'emergency-access';
/** The operation a granted institution uses to end its own grant early. */
export const EMERGENCY_ACCESS_STOP_OPERATION = 'emergency-access-stop';
export const OPERATION_DEFINITION_BASE = 'https://enlace.example.org/fhir/OperationDefinition';

/** BALP purposeOfEvent for break-the-glass: emergency treatment. */
export const EMERGENCY_TREATMENT: Coding = {
  system: ACT_REASON_SYSTEM,
  code: 'ETREAT',
  display: 'Emergency Treatment',
};

/** Only these risk levels justify acting without consent; lower ones must wait for consent. */
export const emergencyRiskLevels = ['high', 'extreme'] as const;
export type EmergencyRiskLevel = (typeof emergencyRiskLevels)[number];

export const reviewOutcomes = ['justified', 'unjustified', 'needs-follow-up'] as const;
export type ReviewOutcome = (typeof reviewOutcomes)[number];

/** Bounds of the free-text justification, counted after trimming. */
export const JUSTIFICATION_MIN_CHARS = 20;
export const JUSTIFICATION_MAX_CHARS = 2000;
/** Bound of an auditor's review note. */
export const REVIEW_NOTE_MAX_CHARS = 2000;
/** Grants default to this many hours, or the policy's maximum when it is lower. */
export const DEFAULT_GRANT_HOURS = 24;
