// Partner records as the FHIR resources partners read: Organization and Endpoint.
import type { Endpoint, Organization } from '@medplum/fhirtypes';
import { GATEWAY_ORGANIZATION_ID } from '../kernel/index.js';
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

/** Version 1 always: an endpoint is registered with its partner and never changed afterwards. */
export function toEndpoint(endpoint: PartnerEndpoint): Endpoint {
  return {
    resourceType: 'Endpoint',
    id: endpoint.id,
    ...(endpoint.registeredAt === undefined
      ? {}
      : { meta: { versionId: '1', lastUpdated: endpoint.registeredAt } }),
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

/**
 * The gateway itself, which every acknowledgement, Provenance and AuditEvent names as
 * `Organization/enlace-gateway`: not a partner (no role, no clients), but a reference it emits
 * must resolve, so the directory serves it. Its keys are at `/.well-known/jwks.json`.
 */
export function gatewayOrganization(): Organization {
  return {
    resourceType: 'Organization',
    id: GATEWAY_ORGANIZATION_ID,
    // Fixed in code: a new version (and date) whenever what it says here changes.
    meta: { versionId: '1', lastUpdated: '2026-12-04T00:00:00.000Z' },
    identifier: [{ system: PARTNER_ID_SYSTEM, value: GATEWAY_ORGANIZATION_ID }],
    active: true,
    type: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/organization-type',
            code: 'other',
            display: 'Other',
          },
        ],
        text: 'Interoperability gateway',
      },
    ],
    name: 'Enlace gateway',
  };
}
