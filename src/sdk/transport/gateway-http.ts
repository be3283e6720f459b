// The typed HTTP client of one gateway: openapi-fetch over the generated paths, with the partner's bearer token added.
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../generated/openapi-types.js';
import { EnlaceProtocolError } from '../errors.js';

export type GatewayApi = Client<paths>;

export interface GatewayHttp {
  /** The gateway's base URL, without a trailing slash (the FHIR base is this plus `/fhir`). */
  readonly baseUrl: string;
  /** Routes that need the partner's access token. */
  readonly api: GatewayApi;
  /** Public routes: discovery, keys, the PKI, the audit log's checkpoints. */
  readonly open: GatewayApi;
  /** GET of a link the gateway gave (a `next` page), with the token; only on the gateway's origin. */
  follow(link: string, init?: RequestInit): Promise<Response>;
}

export interface GatewayHttpOptions {
  readonly baseUrl: string;
  readonly fetch: typeof fetch;
  /** The current access token; called before every authorized request. */
  readonly accessToken: () => Promise<string>;
}

export function createGatewayHttp(options: GatewayHttpOptions): GatewayHttp {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const origin = new URL(baseUrl).origin;
  const transport = (request: Request): Promise<Response> => options.fetch(request);
  const open = createClient<paths>({ baseUrl, fetch: transport });
  const api = createClient<paths>({ baseUrl, fetch: transport });
  api.use({
    onRequest: async ({ request }) => {
      request.headers.set('Authorization', `Bearer ${await options.accessToken()}`);
      return request;
    },
  });
  return {
    baseUrl,
    api,
    open,
    follow: async (link, init = {}) => {
      const url = new URL(link, `${baseUrl}/`);
      // Why: a link naming another host would receive the bearer token; only the gateway gets it.
      if (url.origin !== origin) {
        throw new EnlaceProtocolError(`the gateway gave a link to another origin: ${url.origin}`);
      }
      const headers = new Headers(init.headers);
      headers.set('Authorization', `Bearer ${await options.accessToken()}`);
      return options.fetch(url, { ...init, headers });
    },
  };
}
