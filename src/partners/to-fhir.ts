// Partner records as the FHIR resources partners read: Organization and Endpoint.
import type { Endpoint, Organization } from '@medplum/fhirtypes';
import type { Partner, PartnerEndpoint } from './partner.js';
import { ORGANIZATION_ROLE_SYSTEM, PARTNER_ID_SYSTEM, roleDisplay } from './roles.js';

export function toOrganization(
  partner: Partner,
  endpoints: readonly PartnerEndpoint[],
): Organization {
  return {
    resourceType: 'Organization',
    id: partner.id,
    meta: { versionId: String(partner.version), lastUpdated: partner.updatedAt },
    identifier: [{ system: PARTNER_ID_SYSTEM, value: partner.id }],
    active: partner.status === 'active',
    type: [
      {
        coding: [
          {
            system: ORGANIZATION_ROLE_SYSTEM,
            code: partner.role,
            display: roleDisplay[partner.role],
          },
        ],
      },
    ],
    name: partner.name,
    ...(endpoints.length === 0
      ? {}
      : { endpoint: endpoints.map((endpoint) => ({ reference: `Endpoint/${endpoint.id}` })) }),
  };
}

export function toEndpoint(endpoint: PartnerEndpoint): Endpoint {
  return {
    resourceType: 'Endpoint',
    id: endpoint.id,
    status: endpoint.status,
    connectionType: {
      system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type',
      code: 'hl7-fhir-msg',
      display: 'HL7 FHIR Messaging',
    },
    managingOrganization: { reference: `Organization/${endpoint.partnerId}` },
    payloadType: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/endpoint-payload-type', code: 'any' },
        ],
      },
    ],
    payloadMimeType: ['application/jose'],
    address: endpoint.address,
  };
}
