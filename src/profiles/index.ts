// Public face of the profiles capability: load profiles/ once at start, validate resources against them.
export { loadProfiles } from './load-profiles.js';
export type { LoadProfilesOptions, ProfileValidator } from './load-profiles.js';
export { assertConforms, toGatewayIssues } from './assert-conforms.js';
export type { ValidationIssue, ValidationIssueCode } from './validation-issue.js';
export type { CompiledExpression, ExpressionCompiler } from './compile-expression.js';
export { compileFhirPath } from './compile-expression.js';
export { ProfileCompileError } from './compile-profile.js';
export { ExpansionError } from './expand-value-sets.js';
export { PackageError } from './read-package.js';

/** Canonical URLs of the Enlace profiles, for callers that validate against one explicitly. */
export const PROFILE_URLS = {
  referralMessage: 'https://enlace.example.org/fhir/StructureDefinition/VawReferralMessage',
  messageHeader: 'https://enlace.example.org/fhir/StructureDefinition/VawMessageHeader',
  referralTask: 'https://enlace.example.org/fhir/StructureDefinition/VawReferralTask',
  serviceRequest: 'https://enlace.example.org/fhir/StructureDefinition/VawServiceRequest',
  survivor: 'https://enlace.example.org/fhir/StructureDefinition/VawSurvivor',
  survivorContact: 'https://enlace.example.org/fhir/StructureDefinition/VawSurvivorContact',
  riskAssessment: 'https://enlace.example.org/fhir/StructureDefinition/VawRiskAssessment',
  consent: 'https://enlace.example.org/fhir/StructureDefinition/VawConsent',
} as const;
