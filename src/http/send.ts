// Writes a handler's answer: JSON in the negotiated FHIR media type, bytes or text as the route says.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { FHIR_JSON, FHIR_JSON_UTF8 } from '../fhir/index.js';
import type { RouteResponse } from './route.js';

export function sendResponse(res: Response, answer: RouteResponse, responseType: string): void {
  res.status(answer.status ?? 200);
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  // No body: 204, 304, and a write answered as `Prefer: return=minimal` asked.
  if (answer.status === 204 || answer.status === 304 || answer.body === undefined) {
    res.end();
    return;
  }
  const type = answer.contentType ?? responseType;
  if (answer.body instanceof Readable) {
    // Large files (audit exports) stream: memory stays flat whatever their size.
    res.setHeader('Content-Type', type);
    pipeline(answer.body, res).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : undefined);
    });
    return;
  }
  if (Buffer.isBuffer(answer.body) || typeof answer.body === 'string') {
    res.setHeader('Content-Type', type);
    res.end(answer.body);
    return;
  }
  res.setHeader('Content-Type', type === FHIR_JSON ? FHIR_JSON_UTF8 : `${type}; charset=utf-8`);
  res.end(JSON.stringify(answer.body));
}
