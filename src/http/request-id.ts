// Gives every request an id: the caller's X-Request-Id when it is safe to log, a new UUID otherwise.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

// Why: the id is echoed and logged, so only a short, plain token is accepted from outside.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function assignRequestId(req: Request, res: Response, next: NextFunction): void {
  const offered = req.get('x-request-id');
  const id = offered !== undefined && SAFE_ID.test(offered) ? offered : randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
}

export const requestIdOf = (res: Response): string =>
  typeof res.locals.requestId === 'string' ? res.locals.requestId : 'unknown';
