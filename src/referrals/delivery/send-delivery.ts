// Posts one delivery over HTTP(S) to a checked, pinned address: no redirects, no proxy, a hard timeout.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { DeliveryTarget } from './check-delivery-target.js';

export interface DeliveryRequest {
  readonly target: DeliveryTarget;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface DeliveryResponse {
  readonly status: number;
}

/** Posts a delivery; rejects on network failure or timeout, resolves with any HTTP status. */
export type SendDelivery = (request: DeliveryRequest) => Promise<DeliveryResponse>;

export interface HttpSendOptions {
  readonly timeoutMs: number;
}

/** The default sender: node:http(s), which never follows redirects nor reads proxy variables. */
export function createHttpSend(options: HttpSendOptions): SendDelivery {
  return ({ target, headers, body }) =>
    new Promise<DeliveryResponse>((resolve, reject) => {
      const { address, family } = target.address;
      // Why: connect to the address that was checked, not to whatever DNS answers a second time.
      const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
        if (lookupOptions.all === true) callback(null, [{ address, family }]);
        else callback(null, address, family);
      };
      const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(target.url, {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: pinned,
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      req.on('response', (res: IncomingMessage) => {
        // The answer's body is not needed; drain it so the socket closes, bounded by the timeout.
        res.on('error', reject);
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0 });
        });
        res.resume();
      });
      req.on('error', reject);
      req.end(body);
    });
}
