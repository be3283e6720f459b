// Sheds new requests with 503 while the instance is overloaded, before they cost anything (body, auth, database).
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { TOKEN_PATH } from '../auth/index.js';
import { GatewayError } from '../kernel/index.js';
import { overloadOf, type Protection } from '../protection/index.js';
import { UNPROTECTED_PATHS } from './rate-limit.js';
import { requestIdOf } from './request-id.js';

/** Long enough for a lag or a queue to drain, short enough that a retry does not wait idle. */
const RETRY_AFTER_SECONDS = '2';
/** At most one warning per interval, however many requests are shed. */
const WARN_EVERY_MS = 5_000;

/**
 * Why refuse early: an overloaded instance that still parses bodies, verifies tokens and queues
 * queries only gets slower for everyone, until requests time out as 500s or hang; a fast 503 with
 * Retry-After sends the client to another instance or back later. Liveness and readiness are
 * never shed, so the orchestrator sees the process alive (and, in readiness, overloaded).
 */
export function shedLoad(load: Protection['load'], logger: Logger) {
  let warnedAt = 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (UNPROTECTED_PATHS.has(req.path)) {
      next();
      return;
    }
    const overload = overloadOf(load.probe(), load.thresholds);
    if (overload === undefined) {
      next();
      return;
    }
    const now = Date.now();
    if (now - warnedAt >= WARN_EVERY_MS) {
      warnedAt = now;
      logger.warn({ reqId: requestIdOf(res), overload }, 'overloaded; shedding new requests');
    }
    // The token endpoint answers in OAuth's error shape, as its other refusals do.
    if (req.path === TOKEN_PATH) res.locals.errorFormat = 'oauth';
    // Why close when a body comes: Node would otherwise read and discard it to reuse the
    // connection; closing leaves it unread.
    if (
      req.headers['content-length'] !== undefined ||
      req.headers['transfer-encoding'] !== undefined
    ) {
      res.setHeader('Connection', 'close');
    }
    next(
      new GatewayError(
        'ENLACE_OVERLOADED',
        'The gateway is overloaded right now; retry after a short wait.',
        { headers: { 'Retry-After': RETRY_AFTER_SECONDS } },
      ),
    );
  };
}
