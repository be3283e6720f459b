// The shelter's rest-hook endpoint on 127.0.0.1: answers 2xx only to a push the SDK verified, and hands each delivery to the story.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EnlaceVerificationError,
  type PushedDelivery,
  type PushRequest,
} from '../../src/sdk/index.js';
import { excerpt, type Exchange } from './traced-fetch.js';

export interface PushReceiver {
  /** The endpoint to register, `http://127.0.0.1:<port>/enlace`. */
  readonly url: string;
  /** `127.0.0.1:<port>`, for ENLACE_DELIVERY_ALLOWED_HOSTS. */
  readonly host: string;
  /** From now on each push is checked with `verify`; until then the gateway is told to retry. */
  verifyWith(verify: (request: PushRequest) => Promise<PushedDelivery>): void;
  /** The first verified delivery of `kind` (waiting for it at most `timeoutMs`). */
  next(kind: PushedDelivery['kind'], timeoutMs: number): Promise<PushedDelivery>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      resolve(body);
    });
    request.on('error', reject);
  });
}

export async function startPushReceiver(
  onExchange: (exchange: Exchange) => void,
): Promise<PushReceiver> {
  let verify: ((request: PushRequest) => Promise<PushedDelivery>) | undefined;
  const delivered: PushedDelivery[] = [];
  const seen = new Set<string>();
  let wake: () => void = () => undefined;

  /** The status for one push; 2xx only once it verified and is kept. */
  const answer = async (body: string, request: IncomingMessage): Promise<number> => {
    if (verify === undefined) return 503;
    try {
      const delivery = await verify({ headers: request.headers, body });
      // Why: delivery is at least once; the idempotency key is the same at every attempt.
      if (!seen.has(delivery.idempotencyKey)) {
        seen.add(delivery.idempotencyKey);
        delivered.push(delivery);
        wake();
      }
      return 200;
    } catch (error) {
      // A push that does not verify is refused and nothing of it is kept.
      return error instanceof EnlaceVerificationError ? 400 : 500;
    }
  };

  const server = createServer((request, response) => {
    void readBody(request)
      .then(async (body) => {
        const status = await answer(body, request);
        response.writeHead(status).end();
        onExchange({
          method: request.method ?? 'POST',
          path: request.url ?? '/',
          status,
          sent: excerpt(Buffer.from(body), request.headers['content-type'] ?? null),
          received: undefined,
        });
      })
      .catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/enlace`,
    host: `127.0.0.1:${port}`,
    verifyWith: (verifier) => {
      verify = verifier;
    },
    next: async (kind, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = delivered.find((delivery) => delivery.kind === kind);
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no verified ${kind} push arrived within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
