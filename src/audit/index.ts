// Public face of audit: BALP-shaped AuditEvent building and the recording of refusals.
export { buildAuditEvent, GATEWAY_OBSERVER, REQUEST_ID_SYSTEM } from './build-audit-event.js';
export type {
  AuditActor,
  AuditEventInput,
  AuditOutcome,
  AuditSubject,
} from './build-audit-event.js';
export { auditSubtype, auditType, DCM, ENLACE_AUDIT_EVENT } from './audit-codes.js';
export { actorFromPrincipal, commandLineActor, CLIENT_ID_SYSTEM, PERSON_SYSTEM } from './actor.js';
export { auditingRefusals, describeRefusal } from './audit-refusals.js';
export { auditedRead } from './audited-read.js';
export type { ReadRecord } from './audited-read.js';
