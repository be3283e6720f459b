// Mounts the route table on an express router: negotiation, body reading, 405 with Allow, 404 for the rest.
import type { NextFunction, Request, Response, Router } from 'express';
import { FHIR_JSON } from '../fhir/index.js';
import { GatewayError, type Authorizer } from '../kernel/index.js';
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
import { requestIdOf } from './request-id.js';
import type { HttpMethod, RequestContext, Route } from './route.js';
import { sendResponse } from './send.js';

const DEFAULT_PRODUCES = [FHIR_JSON] as const;

export interface MountOptions {
  readonly limits: BodyLimits;
  readonly authorize: Authorizer;
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
  { limits, authorize }: MountOptions,
): Promise<void> {
  res.locals.routePattern = route.path;
  if (route.errorFormat !== undefined) res.locals.errorFormat = route.errorFormat;
  const responseType = chooseResponseType(req, route.produces ?? DEFAULT_PRODUCES);
  const params = req.params as Record<string, string>;
  const query = new URL(req.originalUrl, 'http://x').searchParams;
  checkRequestText(params, query);
  const requestId = requestIdOf(res);
  // Why: authenticate before reading a body, so an anonymous caller cannot make us parse 1 MiB.
  const principal =
    route.access === undefined
      ? undefined
      : await authorize(req.get('authorization'), route.access, {
          requestId,
          method: route.method,
          route: route.path,
          source: req.socket.remoteAddress ?? 'unknown',
        });
  let body: unknown;
  if (route.consumes !== undefined) {
    const type = checkRequestType(req, route.consumes);
    body =
      type === FORM_TYPE
        ? await readFormBody(req, limits.maxBytes)
        : type === JOSE_TYPE
          ? await readJoseBody(req, limits.maxBytes)
          : await readJsonBody(req, limits);
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
