// Per request: the latency histogram by route pattern, method and status, and the server span of its trace.
import type { NextFunction, Request, Response } from 'express';
import { startServerSpan, telemetry } from '../observability/index.js';

/** What a request that matched no route is counted as, so unknown paths stay one label value. */
const UNMATCHED = 'unmatched';

export function requestTelemetry(req: Request, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  const span = startServerSpan(req.method, req.headers);
  const finish = (): void => {
    res.off('finish', finish);
    res.off('close', finish);
    // Why: the route pattern, not the URL, so no Task id, client id or query value becomes a label.
    const route = typeof res.locals.routePattern === 'string' ? res.locals.routePattern : UNMATCHED;
    const status = res.headersSent ? res.statusCode : 0;
    telemetry().httpRequest(
      req.method,
      route,
      status,
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    span.end(route, res.headersSent ? res.statusCode : undefined);
  };
  res.on('finish', finish);
  res.on('close', finish);
  span.run(next);
}
