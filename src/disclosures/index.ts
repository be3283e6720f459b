// Public face of disclosures: "who saw my case" — her report as FHIR AuditEvents or a printable page.
export { answerDisclosureRequest } from './answer-disclosure-request.js';
export type {
  DisclosureAnswer,
  DisclosureDeps,
  DisclosureRequest,
} from './answer-disclosure-request.js';
export { buildDisclosureBundle } from './build-disclosure-bundle.js';
export type { BundleOptions } from './build-disclosure-bundle.js';
export { CLOSED_STATUSES, checkMayAsk, holdsOpenReferral } from './check-may-ask.js';
export { collectDisclosures } from './collect-disclosures.js';
export {
  DISCLOSURE_BASIS_EXTENSION,
  DISCLOSURE_KIND_SYSTEM,
  DISCLOSURES_DEFINITION,
  DISCLOSURES_OPERATION,
} from './disclosure-codes.js';
export { chooseLanguage } from './html/choose-language.js';
export { renderReportPage } from './html/render-report-page.js';
export type { PageOptions } from './html/render-report-page.js';
export type { DisclosureQuery, ReportLanguage } from './read-disclosure-query.js';
export { accessKinds, MAX_REPORT_ENTRIES } from './types.js';
export type {
  AccessKind,
  DisclosureBasis,
  DisclosureEntry,
  DisclosureReport,
  GrantSummary,
  Party,
} from './types.js';
