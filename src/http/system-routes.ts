// Routes every gateway answers: liveness, readiness, the CapabilityStatement and the OpenAPI document.
import {
  buildCapabilityStatement,
  buildOperationOutcome,
  type FhirCapability,
} from '../fhir/index.js';
import { overloadOf } from '../protection/index.js';
import type { Route } from './route.js';
import type { AppServices } from './services.js';

const JSON_TYPE = 'application/json';

/**
 * Why readiness reports overload: while the instance sheds requests, a balancer that reads
 * readiness sends new ones elsewhere instead of to a 503.
 */
function loadCheck(services: AppServices): Record<string, { ok: boolean; detail?: string }> {
  const load = services.protection?.load;
  if (load === undefined) return {};
  const overload = overloadOf(load.probe(), load.thresholds);
  return { load: overload === undefined ? { ok: true } : { ok: false, detail: overload } };
}

export function systemRoutes(
  services: AppServices,
  capabilities: () => readonly FhirCapability[],
): Route[] {
  // Built once: the route table does not change while the process runs.
  let statement: unknown;
  return [
    {
      method: 'GET',
      path: '/healthz',
      operationId: 'getLiveness',
      produces: [JSON_TYPE],
      // Why: liveness never touches the database, so a slow disk does not get the process killed.
      handler: () => ({ body: { status: 'alive' } }),
    },
    {
      method: 'GET',
      path: '/readyz',
      operationId: 'getReadiness',
      produces: [JSON_TYPE],
      handler: async (ctx) => {
        const base = await services.readiness();
        // Why: draining is decided here, so every way of building services fails readiness on shutdown.
        const checks = {
          ...base.checks,
          lifecycle: services.isDraining() ? { ok: false, detail: 'shutting down' } : { ok: true },
          ...loadCheck(services),
        };
        const report = { ok: base.ok && Object.values(checks).every((check) => check.ok), checks };
        if (report.ok) return { body: { status: 'ready', checks: report.checks } };
        const failing = Object.entries(report.checks).filter(([, check]) => !check.ok);
        // Why: details name SQLSTATE codes, settings and files; they go to the operator's log,
        // and an unauthenticated caller learns only which checks fail.
        services.logger.warn(
          { reqId: ctx.requestId, failing: Object.fromEntries(failing) },
          'not ready',
        );
        return {
          status: 503,
          contentType: 'application/fhir+json',
          headers: { 'Retry-After': '5' },
          body: buildOperationOutcome(
            failing.map(([name]) => ({
              code: 'transient',
              errorCode: 'ENLACE_NOT_READY',
              text: `${name}: not ready; the gateway log has the detail (request id ${ctx.requestId}).`,
            })),
            ctx.requestId,
          ),
        };
      },
    },
    {
      method: 'GET',
      path: '/fhir/metadata',
      operationId: 'getCapabilityStatement',
      handler: () => {
        statement ??= buildCapabilityStatement({
          softwareName: services.software.name,
          softwareVersion: services.software.version,
          fhirBaseUrl: `${services.config.publicUrl}/fhir`,
          date: services.startedAt.toISOString().slice(0, 10),
          capabilities: capabilities(),
          security: {
            cors: false,
            service: [
              {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                    code: 'SMART-on-FHIR',
                  },
                ],
                text: 'SMART Backend Services (client_credentials, private_key_jwt)',
              },
            ],
            extension: [
              {
                url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
                extension: [
                  { url: 'token', valueUri: `${services.config.publicUrl}/oauth2/token` },
                ],
              },
            ],
            description:
              'Partners authenticate with SMART Backend Services: a client assertion (RFC 7523) signed by a key registered for the client or bound to it by an X.509 chain to a trust anchor. Discovery at /fhir/.well-known/smart-configuration.',
          },
        });
        return { body: statement };
      },
    },
    {
      method: 'GET',
      path: '/openapi.json',
      operationId: 'getOpenApiDocument',
      produces: [JSON_TYPE],
      handler: () => ({ body: services.openapi }),
    },
  ];
}
