// Builds the express app from injected services; no I/O happens at import time or here.
import express, { type Express } from 'express';
import { activeConsentRecorders } from './consent/index.js';
import { auditEventRoutes } from './http/audit-event-routes.js';
import { auditExportRoutes } from './http/audit-export-routes.js';
import { auditLogRoutes } from './http/audit-log-routes.js';
import { authRoutes } from './http/auth-routes.js';
import { consentRoutes } from './http/consent-routes.js';
import { deliveryRoutes } from './http/delivery-routes.js';
import { disclosureRoutes } from './http/disclosure-routes.js';
import { docsRoutes } from './http/docs-routes.js';
import { taskRoutes } from './http/task-routes.js';
import { submissionRoutes } from './http/submission-routes.js';
import { messageHandlers } from './referrals/index.js';
import { emergencyRoutes } from './http/emergency-routes.js';
import { errorHandler } from './http/error-handler.js';
import { hardenResponses } from './http/harden.js';
import { shedLoad } from './http/load-shedding.js';
import { limitCalls } from './http/rate-limit.js';
import { mountRoutes, notFound } from './http/mount-routes.js';
import { assignRequestId } from './http/request-id.js';
import { requestLogger } from './http/request-log.js';
import { requestTelemetry } from './http/request-telemetry.js';
import { metricsRoutes } from './http/metrics-routes.js';
import type { Route } from './http/route.js';
import type { AppServices } from './http/services.js';
import { partnerRoutes } from './http/partner-routes.js';
import { peopleAdminRoutes } from './http/people-admin-routes.js';
import { peopleRoutes } from './http/people-routes.js';
import { pkiRoutes } from './http/pki-routes.js';
import { systemRoutes } from './http/system-routes.js';

export interface AppOptions {
  /** Extra routes, mounted before the gateway's own so a test can stand in for one of them. */
  readonly routes?: readonly Route[];
}

/** The full route table for these services: what is served, what the CapabilityStatement and OpenAPI describe. */
export function buildRouteTable(services: AppServices, options: AppOptions = {}): Route[] {
  const table: Route[] = [];
  const capabilities = () =>
    table.flatMap((route) => (route.fhir === undefined ? [] : [route.fhir]));
  table.push(
    ...(options.routes ?? []),
    ...systemRoutes(services, capabilities),
    ...metricsRoutes({ token: services.config.metricsToken, scrape: services.scrapeMetrics }),
    ...docsRoutes(),
    ...authRoutes(services.tokens),
    ...partnerRoutes(services),
    ...pkiRoutes(services),
    ...peopleRoutes(services.people),
    ...peopleAdminRoutes(services.people),
    ...consentRoutes(services),
    ...submissionRoutes(services, messageHandlers),
    ...deliveryRoutes(services),
    ...auditLogRoutes(services),
    ...auditExportRoutes(services),
    ...auditEventRoutes(services),
    ...taskRoutes(services),
    ...disclosureRoutes(services),
    ...emergencyRoutes({
      store: services.store,
      clock: services.clock,
      policy: services.policy.emergency,
      pseudonymizer: services.consent.pseudonymizer,
      consentRecorders: activeConsentRecorders,
    }),
  );
  return table;
}

export function createApp(services: AppServices, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  app.use(assignRequestId);
  app.use(requestTelemetry);
  app.use(requestLogger(services.logger));
  app.use(hardenResponses(services.isDraining, services.config.hsts));
  const { protection } = services;
  // Before the router: a shed request costs no body parsing, no token check, no query.
  if (protection !== undefined) app.use(shedLoad(protection.load, services.logger));
  const router = express.Router({ caseSensitive: true, strict: true });
  mountRoutes(router, buildRouteTable(services, options), {
    limits: { maxBytes: services.config.bodyLimitBytes, maxDepth: services.config.jsonMaxDepth },
    authorize: services.authorize,
    ...(protection === undefined ? {} : { limitCalls: limitCalls(protection) }),
  });
  app.use(router);
  app.use(notFound);
  app.use(errorHandler(services.logger));
  return app;
}
