// Reads the gateway's SMART configuration: where to get tokens and who issues them.
import type { components } from '../generated/openapi-types.js';
import { EnlaceProtocolError } from '../errors.js';
import { unwrap } from '../transport/read-failure.js';
import type { GatewayHttp } from '../transport/gateway-http.js';

export type SmartConfiguration = components['schemas']['SmartConfiguration'];

/** `GET /.well-known/smart-configuration`; the token endpoint must be on the gateway's origin. */
export async function discover(http: GatewayHttp): Promise<SmartConfiguration> {
  const configuration = unwrap(await http.open.GET('/.well-known/smart-configuration'));
  // Why: the client assertion is only useful to the gateway, but a token endpoint elsewhere would
  // be handed one; a gateway pointing there is misconfigured or not the gateway.
  if (new URL(configuration.token_endpoint).origin !== new URL(http.baseUrl).origin) {
    throw new EnlaceProtocolError('the token endpoint is not on the gateway origin');
  }
  return configuration;
}
