// Response headers every answer carries: no sniffing, no caching of case data, no framing, HSTS over https, close while draining.
import type { NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';

/** RFC 6797: a year, subdomains included; browsers ignore it on plain HTTP (§8.1). */
export const HSTS = 'max-age=31536000; includeSubDomains';

export const hardenResponses =
  (isDraining: () => boolean, hsts = false) =>
  (_req: Request, res: Response, next: NextFunction): void => {
    // Why with TLS or an https public URL (a TLS-terminating proxy in front): once a client has
    // seen the gateway over https, it must never be talked into plain HTTP, where tokens leak.
    if (hsts) res.setHeader('Strict-Transport-Security', HSTS);
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
