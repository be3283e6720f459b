// The roles an institution plays in the network: the codes of the organization-role CodeSystem.

export const ORGANIZATION_ROLE_SYSTEM =
  'https://enlace.example.org/fhir/CodeSystem/organization-role';
export const PARTNER_ID_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/partner-id';

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

export const roleDisplay: Readonly<Record<PartnerRole, string>> = {
  'women-ministry': "Women's ministry or institute (mechanism for the advancement of women)",
  police: 'Police',
  health: 'Health service',
  prosecution: "Prosecutor's office",
  court: 'Court',
  shelter: 'Shelter',
  'legal-aid': 'Legal aid',
  'social-services': 'Social services',
  ngo: 'Non-governmental organisation',
  oversight: 'Oversight body (data-protection authority, audit office)',
};

export const isPartnerRole = (value: unknown): value is PartnerRole =>
  typeof value === 'string' && (partnerRoles as readonly string[]).includes(value);
