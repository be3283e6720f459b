// Mounts the route table on an express router: negotiation, body reading, 405 with Allow, 404 for the rest.
import type { NextFunction, Request, Response, Router } from 'express';
import { FHIR_JSON } from '../fhir/index.js';
import { GatewayError, type Authorizer } from '../kernel/index.js';
import { traceStep } from '../observability/index.js';
import { checkRequestText } from './check-request-text.js';
import { chooseResponseType, checkRequestType } from './negotiate.js';
import {
  FORM_TYPE,
  JOSE_TYPE,
  readFormBody,
  readJoseBody,
  readJsonBody,
  type BodyLimits,
} from './read-body.js';
import type { CallLimiter } from './rate-limit.js';
import { requestIdOf } from './request-id.js';
import type { HttpMethod, RequestContext, Route } from './route.js';
import { sendResponse } from './send.js';
import { presentedCertificateOf } from '../transport/index.js';

const DEFAULT_PRODUCES = [FHIR_JSON] as const;

export interface MountOptions {
  readonly limits: BodyLimits;
  readonly authorize: Authorizer;
  /** Counts each call against its rate limit (see rate-limit.ts); absent, nothing is limited. */
  readonly limitCalls?: CallLimiter;
}

export function mountRoutes(router: Router, routes: readonly Route[], options: MountOptions): void {
  const methodsByPath = new Map<string, HttpMethod[]>();
  for (const route of routes) {
    const methods = methodsByPath.get(route.path) ?? [];
    methods.push(route.method);
    methodsByPath.set(route.path, methods);
    const register = router[route.method.toLowerCase() as Lowercase<HttpMethod>].bind(router);
    register(route.path, (req: Request, res: Response) => handle(route, req, res, options));
  }
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    router.options(path, (_req: Request, res: Response) => {
      res.locals.routePattern = path;
      res.setHeader('Allow', allow);
      res.status(204).end();
    });
    router.all(path, (req: Request, res: Response, next: NextFunction) => {
      res.locals.routePattern = path;
      next(
        new GatewayError(
          'ENLACE_METHOD_NOT_ALLOWED',
          `${req.method} is not allowed on this resource; allowed: ${allow}.`,
          { headers: { Allow: allow } },
        ),
      );
    });
  }
}

async function handle(
  route: Route,
  req: Request,
  res: Response,
  { limits, authorize, limitCalls }: MountOptions,
): Promise<void> {
  res.locals.routePattern = route.path;
  if (route.errorFormat !== undefined) res.locals.errorFormat = route.errorFormat;
  const responseType = chooseResponseType(req, route.produces ?? DEFAULT_PRODUCES);
  const params = req.params as Record<string, string>;
  const query = new URL(req.originalUrl, 'http://x').searchParams;
  checkRequestText(params, query);
  const requestId = requestIdOf(res);
  const source = req.socket.remoteAddress ?? 'unknown';
  // Mutual TLS: the certificate of this connection, for the partner checks and token binding.
  const clientCertificate = presentedCertificateOf(req.socket);
  const access = route.access;
  const authorizeCall =
    access === undefined
      ? undefined
      : () =>
          traceStep('enlace.authenticate', () =>
            authorize(req.get('authorization'), access, {
              requestId,
              method: route.method,
              route: route.path,
              source,
              ...(clientCertificate === undefined ? {} : { clientCertificate }),
            }),
          );
  // Why: authenticate (and count the call against its rate limit) before reading a body, so an
  // anonymous or over-budget caller cannot make us parse 1 MiB.
  const principal =
    limitCalls === undefined
      ? await authorizeCall?.()
      : await limitCalls(
          route,
          { requestId, method: route.method, route: route.path, source },
          authorizeCall,
        );
  let body: unknown;
  if (route.consumes !== undefined) {
    const type = checkRequestType(req, route.consumes);
    body = await traceStep('enlace.http.read-body', () =>
      type === FORM_TYPE
        ? readFormBody(req, limits.maxBytes)
        : type === JOSE_TYPE
          ? readJoseBody(req, limits.maxBytes)
          : readJsonBody(req, limits),
    );
  }
  const ctx: RequestContext = {
    requestId,
    method: route.method,
    params,
    query,
    headers: req.headers,
    body,
    principal,
    responseType,
    ...(clientCertificate === undefined ? {} : { clientCertificate }),
  };
  const answer = await route.handler(ctx);
  await traceStep('enlace.http.respond', () => {
    sendResponse(res, answer, responseType);
  });
}

/** The last route: anything unmatched is a FHIR 404. */
export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(
    new GatewayError(
      'ENLACE_ROUTE_NOT_FOUND',
      `No route matches ${req.method} ${req.path.slice(0, 200)}.`,
    ),
  );
}
