// The codes a partner writes and reads, as the FHIR package in profiles/ defines them (a test holds them to it).
import {
  DATA_CLASS_SYSTEM,
  dataClasses,
  ORGANIZATION_ROLE_SYSTEM,
  partnerRoles,
  PURPOSE_SYSTEM,
  requestablePurposes,
  type DataClass,
  type PartnerRole,
} from '../kernel/vocabulary.js';

export const CANONICAL = 'https://enlace.example.org/fhir';

export const MESSAGE_EVENT_SYSTEM = `${CANONICAL}/CodeSystem/message-event`;
export const SERVICE_SYSTEM = `${CANONICAL}/CodeSystem/service-requested`;
export const VIOLENCE_SYSTEM = `${CANONICAL}/CodeSystem/form-of-violence`;
export const RISK_LEVEL_SYSTEM = `${CANONICAL}/CodeSystem/risk-level`;
export const REFERRAL_STATUS_SYSTEM = `${CANONICAL}/CodeSystem/referral-status`;
export const NOTICE_SYSTEM = `${CANONICAL}/CodeSystem/delivery-notice`;
export const DELIVERY_SEQUENCE_EXTENSION = `${CANONICAL}/StructureDefinition/delivery-sequence`;
export const REVOCATION_REASON_EXTENSION = `${CANONICAL}/StructureDefinition/revocation-reason`;

/** The canonical URL of one of the package's profiles, e.g. `VawReferralMessage`. */
export const profileUrl = (name: string): string => `${CANONICAL}/StructureDefinition/${name}`;

/** The purposes a partner may ask for (break-the-glass `emergency` has a route of its own). */
export const purposes = requestablePurposes;
export type Purpose = (typeof purposes)[number];

export { DATA_CLASS_SYSTEM, dataClasses, type DataClass };

export const services = [
  'shelter',
  'legal-aid',
  'psychological-support',
  'medical-care',
  'police-protection',
  'protection-order',
  'economic-support',
  'child-protection',
] as const;
export type Service = (typeof services)[number];

export const formsOfViolence = [
  'physical',
  'psychological',
  'sexual',
  'economic-patrimonial',
  'digital',
  'attempted-femicide',
  'institutional',
  'obstetric',
  'reproductive',
  'political',
  'symbolic',
  'workplace',
  'vicarious',
  'trafficking',
] as const;
export type FormOfViolence = (typeof formsOfViolence)[number];

export const riskLevels = ['not-assessed', 'low', 'medium', 'high', 'extreme'] as const;
export type RiskLevel = (typeof riskLevels)[number];

export const organizationRoles = partnerRoles;
export type OrganizationRole = PartnerRole;
export { ORGANIZATION_ROLE_SYSTEM, PURPOSE_SYSTEM };

export const noticeKinds = [
  'task-update',
  'acknowledgement',
  'consent-revoked',
  'break-glass',
] as const;
export type NoticeKind = (typeof noticeKinds)[number];

/** Whether `value` is one of `codes`, narrowing it. */
export const isOneOf = <T extends string>(codes: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (codes as readonly string[]).includes(value);
