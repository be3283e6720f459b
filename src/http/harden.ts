// Response headers every answer carries: no sniffing, no caching of case data, no framing, close while draining.
import type { NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';

export const hardenResponses =
  (isDraining: () => boolean) =>
  (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    res.setHeader('Referrer-Policy', 'no-referrer');
    // Why: a response written after shutdown began must end its keep-alive connection, so the
    // process can drain; decided when headers go out, not when the request arrived.
    onHeaders(res, () => {
      if (isDraining()) res.setHeader('Connection', 'close');
    });
    next();
  };
