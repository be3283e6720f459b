// Codes for AuditEvents following IHE BALP: DICOM event types, REST interactions, IHE transactions.
import type { Coding } from '@medplum/fhirtypes';

export const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
export const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
export const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
export const IHE_EVENT_TYPE = 'urn:ihe:event-type-code';
export const ENLACE_AUDIT_EVENT = 'https://enlace.example.org/fhir/CodeSystem/audit-event';

const coding = (system: string, code: string, display: string): Coding => ({
  system,
  code,
  display,
});

/** AuditEvent.type values. */
export const auditType = {
  rest: coding(AUDIT_EVENT_TYPE, 'rest', 'Restful Operation'),
  userAuthentication: coding(DCM, '110114', 'User Authentication'),
  securityAlert: coding(DCM, '110113', 'Security Alert'),
  applicationActivity: coding(DCM, '110100', 'Application Activity'),
} as const;

/** AuditEvent.subtype values. */
export const auditSubtype = {
  create: coding(RESTFUL_INTERACTION, 'create', 'create'),
  read: coding(RESTFUL_INTERACTION, 'read', 'read'),
  vread: coding(RESTFUL_INTERACTION, 'vread', 'vread'),
  history: coding(RESTFUL_INTERACTION, 'history-instance', 'history instance'),
  update: coding(RESTFUL_INTERACTION, 'update', 'update'),
  patch: coding(RESTFUL_INTERACTION, 'patch', 'patch'),
  search: coding(RESTFUL_INTERACTION, 'search-type', 'search type'),
  operation: coding(RESTFUL_INTERACTION, 'operation', 'operation'),
  login: coding(DCM, '110122', 'Login'),
  logout: coding(DCM, '110123', 'Logout'),
  /** IHE IUA "Get Access Token": the token endpoint issuing (or refusing) an access token. */
  getAccessToken: coding(IHE_EVENT_TYPE, 'ITI-71', 'Get Access Token'),
  securityConfiguration: coding(DCM, '110129', 'Security Configuration'),
  useOfRestrictedFunction: coding(DCM, '110132', 'Use of Restricted Function'),
  userSecurityAttributesChanged: coding(DCM, '110137', 'User Security Attributes Changed'),
  emergencyOverrideStarted: coding(DCM, '110127', 'Emergency Override Started'),
  emergencyOverrideStopped: coding(DCM, '110138', 'Emergency Override Stopped'),
} as const;
