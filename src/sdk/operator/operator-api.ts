// An operator's session at the gateway: two-factor sign-in, the delivery outbox (list, retry), sign-out.
import type { components } from '../generated/openapi-types.js';
import { createGatewayHttp } from '../transport/gateway-http.js';
import { unwrap } from '../transport/read-failure.js';

export type Delivery = components['schemas']['Delivery'];

export interface DeliveryFilter {
  readonly status?: Delivery['status'];
  /** The recipient's partner id. */
  readonly recipient?: string;
  /** At most this many, newest first (the gateway serves 1 to 500, 100 by default). */
  readonly limit?: number;
}

export interface OperatorSignIn {
  readonly gateway: string;
  readonly username: string;
  readonly password: string;
  /** The current 6-digit code of the authenticator app (RFC 6238). */
  readonly code: string;
  readonly fetch?: typeof fetch;
}

export interface OperatorClient {
  readonly gateway: string;
  /** The session token (15 minutes), for another call or another process. */
  readonly sessionToken: string;
  readonly deliveries: {
    list(filter?: DeliveryFilter): Promise<Delivery[]>;
    /** A dead delivery back to the queue, due now. */
    retry(id: string): Promise<Delivery>;
  };
  /** Ends this session at the gateway (its token is refused from then on). */
  signOut(): Promise<void>;
}

/** A client on a session token already obtained (`signInOperator().sessionToken`). */
export function connectOperator(options: {
  readonly gateway: string;
  readonly sessionToken: string;
  readonly fetch?: typeof fetch;
}): OperatorClient {
  const http = createGatewayHttp({
    baseUrl: options.gateway,
    fetch: options.fetch ?? globalThis.fetch,
    accessToken: () => Promise.resolve(options.sessionToken),
  });
  return {
    gateway: http.baseUrl,
    sessionToken: options.sessionToken,
    deliveries: {
      list: async (filter = {}) =>
        unwrap(await http.api.GET('/admin/deliveries', { params: { query: { ...filter } } }))
          .deliveries,
      retry: async (id) =>
        unwrap(await http.api.POST('/admin/deliveries/{id}/retry', { params: { path: { id } } })),
    },
    signOut: async () => {
      const result = await http.api.POST('/auth/logout', {});
      if (!result.response.ok) unwrap(result);
    },
  };
}

/** `POST /auth/login` then `POST /auth/totp`; refusals arrive as EnlaceError with the OperationOutcome. */
export async function signInOperator(options: OperatorSignIn): Promise<OperatorClient> {
  const http = createGatewayHttp({
    baseUrl: options.gateway,
    fetch: options.fetch ?? globalThis.fetch,
    accessToken: () => Promise.reject(new TypeError('sign-in routes take no token')),
  });
  const challenge = unwrap(
    await http.open.POST('/auth/login', {
      body: { username: options.username, password: options.password },
    }),
  );
  const session = unwrap(
    await http.open.POST('/auth/totp', {
      body: { mfa_token: challenge.mfa_token, code: options.code },
    }),
  );
  return connectOperator({
    gateway: options.gateway,
    sessionToken: session.access_token,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}
