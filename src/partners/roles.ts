// The roles an institution plays in the network: the codes of the organization-role CodeSystem.

export { ORGANIZATION_ROLE_SYSTEM, partnerRoles, type PartnerRole } from '../kernel/vocabulary.js';
import { partnerRoles, type PartnerRole } from '../kernel/vocabulary.js';
export const PARTNER_ID_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/partner-id';

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
