// Mounts the route table on an express router: negotiation, body reading, 405 with Allow, 404 for the rest.
import type { NextFunction, Request, Response, Router } from 'express';
import { FHIR_JSON } from '../fhir/index.js';
import { GatewayError } from '../kernel/index.js';
import { chooseResponseType, checkRequestType } from './negotiate.js';
import { readJsonBody, type BodyLimits } from './read-body.js';
import { requestIdOf } from './request-id.js';
import type { HttpMethod, RequestContext, Route } from './route.js';
import { sendResponse } from './send.js';

const DEFAULT_PRODUCES = [FHIR_JSON] as const;

export function mountRoutes(router: Router, routes: readonly Route[], limits: BodyLimits): void {
  const methodsByPath = new Map<string, HttpMethod[]>();
  for (const route of routes) {
    const methods = methodsByPath.get(route.path) ?? [];
    methods.push(route.method);
    methodsByPath.set(route.path, methods);
    const register = router[route.method.toLowerCase() as Lowercase<HttpMethod>].bind(router);
    register(route.path, (req: Request, res: Response) => handle(route, req, res, limits));
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
  limits: BodyLimits,
): Promise<void> {
  res.locals.routePattern = route.path;
  const responseType = chooseResponseType(req, route.produces ?? DEFAULT_PRODUCES);
  let body: unknown;
  if (route.consumes !== undefined) {
    checkRequestType(req, route.consumes);
    body = await readJsonBody(req, limits);
  }
  const ctx: RequestContext = {
    requestId: requestIdOf(res),
    method: route.method,
    params: req.params as Record<string, string>,
    query: new URL(req.originalUrl, 'http://x').searchParams,
    headers: req.headers,
    body,
    responseType,
  };
  sendResponse(res, await route.handler(ctx), responseType);
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
