// Public face of audit: BALP-shaped AuditEvent building (the Merkle ledger and auditor API come later).
export { buildAuditEvent, GATEWAY_OBSERVER, REQUEST_ID_SYSTEM } from './build-audit-event.js';
export type {
  AuditActor,
  AuditEventInput,
  AuditOutcome,
  AuditSubject,
} from './build-audit-event.js';
export { auditSubtype, auditType, DCM, ENLACE_AUDIT_EVENT } from './audit-codes.js';
export { actorFromPrincipal, commandLineActor, CLIENT_ID_SYSTEM, PERSON_SYSTEM } from './actor.js';
