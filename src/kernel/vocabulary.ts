// The FHIR package's codes that the gateway and the SDK both speak: defined once, on the lowest floor.

export const PURPOSE_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/consent-purpose';
export const DATA_CLASS_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/data-class';
export const ORGANIZATION_ROLE_SYSTEM =
  'https://enlace.example.org/fhir/CodeSystem/organization-role';

/** The purposes a partner may ask for or a consent may permit; `emergency` is not among them. */
export const requestablePurposes = [
  'protection',
  'healthcare',
  'legal-proceeding',
  'social-support',
  'shelter',
  'statistics',
] as const;

/** Why data moves. `emergency` is only ever granted through governed break-the-glass. */
export const purposes = [...requestablePurposes, 'emergency'] as const;
export type Purpose = (typeof purposes)[number];

/** Classes of case data a consent can permit or deny separately. */
export const dataClasses = [
  'contact-details',
  'location',
  'health-record',
  'police-report',
  'risk-assessment',
  'children',
  'judicial-record',
] as const;
export type DataClass = (typeof dataClasses)[number];

/** The roles an institution plays in the network: the codes of the organization-role CodeSystem. */
export const partnerRoles = [
  'women-ministry',
  'police',
  'health',
  'prosecution',
  'court',
  'shelter',
  'legal-aid',
  'social-services',
  'ngo',
  'oversight',
] as const;
export type PartnerRole = (typeof partnerRoles)[number];
