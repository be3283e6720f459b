// Routes over a partner's clients and keys: operators add, rotate and remove them; partners read each other's published signing keys.
import { actorFromPrincipal, auditedRead } from '../audit/index.js';
import { GatewayError } from '../kernel/index.js';
import {
  addClient,
  certificateIssuerFor,
  readPartnerJwks,
  removeClient,
  rotateClientKey,
  type CertificateIssuer,
} from '../partners/index.js';
import { principalOf } from './principal-of.js';
import { fieldsOf, readAlgorithms, readCredential, readText } from './read-partner-credential.js';
import type { Route } from './route.js';
import type { AppServices } from './services.js';

const JSON_TYPES = ['application/json', 'application/fhir+json'] as const;
const JWK_SET_TYPE = 'application/jwk-set+json';
const operator = { kind: 'person', roles: ['operator'] } as const;

/**
 * Why a short private cache: a rotation publishes the new key at once and the old one until its
 * overlap ends, so a copy at most a minute old misses nothing an overlap of minutes or more covers.
 */
const PARTNER_JWKS_CACHING = { 'Cache-Control': 'private, max-age=60', Vary: 'Accept' } as const;

/** The network CA's issuer when the gateway has one now (`pki init` takes effect without a restart). */
export async function issuerOption(
  services: Pick<AppServices, 'pki'>,
): Promise<{ issueCertificate?: CertificateIssuer }> {
  const issueCertificate = await certificateIssuerFor(services.pki);
  return issueCertificate === undefined ? {} : { issueCertificate };
}

export function partnerClientRoutes(services: AppServices): Route[] {
  const deps = async () => ({
    store: services.store,
    clock: services.clock,
    ...(await issuerOption(services)),
  });
  return [
    {
      method: 'POST',
      path: '/admin/partners/:id/clients',
      operationId: 'addPartnerClient',
      access: operator,
      consumes: JSON_TYPES,
      produces: ['application/json'],
      handler: async (ctx) => {
        const input = fieldsOf(ctx.body);
        const algorithms = readAlgorithms(input);
        const added = await addClient(
          {
            partnerId: ctx.params.id ?? '',
            credential: readCredential(input),
            ...(algorithms === undefined ? {} : { allowedAlgorithms: algorithms }),
          },
          actorFromPrincipal(principalOf(ctx)),
          await deps(),
        );
        return {
          status: 201,
          headers: { Location: `${services.config.publicUrl}/admin/partners/${added.partnerId}` },
          body: {
            client_id: added.client.clientId,
            client: added.client,
            ...(added.certificatePem === undefined ? {} : { certificate: added.certificatePem }),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/admin/partners/:id/clients/:clientId/rotate-key',
      operationId: 'rotatePartnerKey',
      access: operator,
      consumes: JSON_TYPES,
      produces: ['application/json'],
      handler: async (ctx) => {
        const input = fieldsOf(ctx.body);
        const rotated = await rotateClientKey(
          {
            partnerId: ctx.params.id ?? '',
            clientId: ctx.params.clientId ?? '',
            credential: readCredential(input),
            overlap: readText(input, 'overlap'),
          },
          actorFromPrincipal(principalOf(ctx)),
          await deps(),
        );
        return {
          body: {
            client: rotated.client,
            retiresAt: rotated.retiresAt,
            ...(rotated.certificatePem === undefined
              ? {}
              : { certificate: rotated.certificatePem }),
          },
        };
      },
    },
    {
      method: 'DELETE',
      path: '/admin/partners/:id/clients/:clientId',
      operationId: 'removePartnerClient',
      access: operator,
      produces: ['application/json'],
      handler: async (ctx) => {
        const removed = await removeClient(
          { partnerId: ctx.params.id ?? '', clientId: ctx.params.clientId ?? '' },
          actorFromPrincipal(principalOf(ctx)),
          { store: services.store, clock: services.clock },
        );
        return { body: { client: removed.client } };
      },
    },
    {
      method: 'GET',
      path: '/partners/:id/jwks.json',
      operationId: 'getPartnerJwks',
      access: { kind: 'partner', scope: 'system/Organization.r' },
      produces: ['application/json', JWK_SET_TYPE],
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        if (id === '') throw new GatewayError('ENLACE_PARTNER_NOT_FOUND', 'No partner id given.');
        const jwks = await auditedRead(
          services.store,
          {
            interaction: 'read',
            actor: actorFromPrincipal(principalOf(ctx)),
            reference: `Organization/${id.slice(0, 64)}`,
            description: 'partner signing keys read',
            requestId: ctx.requestId,
            clock: services.clock,
          },
          () => readPartnerJwks(services.store.db, id, services.clock()),
        );
        return { body: jwks, headers: PARTNER_JWKS_CACHING };
      },
    },
  ];
}
