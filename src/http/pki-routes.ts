// Routes over the PKI: the CRL and CA chain for anyone who verifies, certificate listing and revocation for operators.
import { actorFromPrincipal } from '../audit/index.js';
import { GatewayError } from '../kernel/index.js';
import { isRevocationReason, REVOCATION_REASONS, toCertificateJson } from '../pki/index.js';
import { principalOf } from './principal-of.js';
import type { Route } from './route.js';
import type { AppServices } from './services.js';

const operator = { kind: 'person', roles: ['operator'] } as const;

export function pkiRoutes(services: AppServices): Route[] {
  return [
    {
      method: 'GET',
      path: '/pki/crl',
      operationId: 'getCrl',
      produces: ['application/pkix-crl'],
      handler: async () => ({ body: Buffer.from(await services.pki.buildCrl()) }),
    },
    {
      method: 'GET',
      path: '/pki/ca.pem',
      operationId: 'getCaChain',
      produces: ['application/pem-certificate-chain'],
      handler: async () => {
        // Why refresh first: a CA created by `enlace pki init` while the gateway runs is served at once.
        await services.pki.refresh();
        return { body: services.pki.caChainPem() };
      },
    },
    {
      method: 'GET',
      path: '/admin/certificates',
      operationId: 'listCertificates',
      access: operator,
      produces: ['application/json'],
      handler: async (ctx) => {
        const partner = ctx.query.get('partner') ?? undefined;
        const records = await services.pki.listCertificates(partner);
        return { body: { certificates: records.map(toCertificateJson) } };
      },
    },
    {
      method: 'POST',
      path: '/admin/certificates/:serial/revoke',
      operationId: 'revokeCertificate',
      access: operator,
      consumes: ['application/json'],
      produces: ['application/json'],
      handler: async (ctx) => {
        const reason = (ctx.body as { reason?: unknown } | null)?.reason;
        if (typeof reason !== 'string' || !isRevocationReason(reason)) {
          throw new GatewayError(
            'ENLACE_INVALID_PARAMETER',
            `reason must be one of ${REVOCATION_REASONS.join(', ')}.`,
            { expression: ['reason'] },
          );
        }
        const record = await services.pki.revokeCertificate({
          serial: ctx.params.serial ?? '',
          reason,
          actor: actorFromPrincipal(principalOf(ctx)),
        });
        return { body: toCertificateJson(record) };
      },
    },
  ];
}
