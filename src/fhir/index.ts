// Public face of the FHIR helpers: OperationOutcome, CapabilityStatement, media types, search and paging.
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
  MessageDeclaration,
  MessagingDeclaration,
  SearchParamDeclaration,
  TypeInteraction,
} from './capability-statement.js';
export { FHIR_JSON, FHIR_JSON_UTF8, JSON_TYPE, JSON_FORMAT_ALIASES } from './media-types.js';
export { buildHistoryBundle, versionEtag } from './history.js';
export type { HistoryVersion } from './history.js';
export {
  buildSearchSet,
  describeCount,
  describeSort,
  keysetPage,
  pagingQuery,
  parsedSearchDigest,
  parseSearch,
  readCount,
  readSort,
  searchDigest,
} from './search.js';
export type {
  CursorCodec,
  KeysetPage,
  KeysetPageRequest,
  FilterSearch,
  ParsedSearch,
  SearchLimits,
  SearchPaging,
  SearchSetPage,
} from './search.js';
