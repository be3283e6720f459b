// Public face of the auditors' AuditEvent search: read the parameters, run the search, read one event, audit the access.
export { AUDIT_SEARCH_LIMITS, AUDIT_SEARCH_PAGING, AUDIT_SEARCH_PARAMS } from './audit-search.js';
export type { AuditSearch, Pseudonymize, RefFilter, TokenFilter } from './audit-search.js';
export { readAuditSearch } from './read-audit-search.js';
export { toAuditedQuery, toSearchQuery } from './search-query.js';
export { findAuditEvents } from './find-audit-events.js';
export type { AuditEventPage, AuditSearchDeps } from './find-audit-events.js';
export { isAuditEventId, readAuditEvent } from './read-audit-event.js';
export { buildAuditorAccessEvent, parameterNames, pseudonymsIn } from './auditor-access-audit.js';
export type { AuditorAccessInput } from './auditor-access-audit.js';
export { AUDIT_SEARCH_PARAM_DOCS } from './search-param-docs.js';
