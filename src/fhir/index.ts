// Public face of the FHIR helpers: OperationOutcome, CapabilityStatement, media types.
export {
  buildOperationOutcome,
  ERROR_CODE_SYSTEM,
  REQUEST_ID_EXTENSION,
} from './operation-outcome.js';
export type { OutcomeIssue } from './operation-outcome.js';
export { buildCapabilityStatement } from './capability-statement.js';
export type {
  CapabilityStatementInput,
  FhirCapability,
  SearchParamDeclaration,
  TypeInteraction,
} from './capability-statement.js';
export { FHIR_JSON, FHIR_JSON_UTF8, JSON_TYPE, JSON_FORMAT_ALIASES } from './media-types.js';
export { buildSearchSet, parseSearch } from './search.js';
export type { ParsedSearch, SearchLimits } from './search.js';
