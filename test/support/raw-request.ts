// Requests written byte by byte with node:http, for what supertest cannot send: chunked bodies, no Content-Type.
import { request, type OutgoingHttpHeaders } from 'node:http';
import type { ReceivedResponse } from './outcome.js';

export interface RawRequestOptions {
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  /** Written one `write` call each; without Content-Length node sends them chunked. */
  readonly chunks: readonly Uint8Array[];
  /**
   * Whether to finish the request body. When false the answer must arrive while the body is
   * still open, which proves the server refused it while streaming; the socket is then destroyed.
   */
  readonly end?: boolean;
}

export function rawRequest(baseUrl: string, options: RawRequestOptions): Promise<ReceivedResponse> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(options.path, baseUrl), {
      method: options.method,
      headers: options.headers,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('error', reject);
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(parts).toString('utf8'),
        });
        if (options.end === false) req.destroy();
      });
    });
    for (const chunk of options.chunks) req.write(chunk);
    if (options.end !== false) req.end();
  });
}
