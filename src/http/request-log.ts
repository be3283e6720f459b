// One log line per request: id, method, route pattern, status, duration. Never bodies, tokens or query values.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestIdOf } from './request-id.js';

export const requestLogger =
  (logger: Logger) =>
  (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const finish = (): void => {
      res.off('finish', finish);
      res.off('close', finish);
      logger.info(
        {
          reqId: requestIdOf(res),
          method: req.method,
          // Why: the route pattern, not the URL, so ids and query values never reach the log.
          route: typeof res.locals.routePattern === 'string' ? res.locals.routePattern : null,
          status: res.headersSent ? res.statusCode : null,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          aborted: !res.writableFinished,
        },
        'request',
      );
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  };
