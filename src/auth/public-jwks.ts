// The JWK Set the gateway publishes: its signing key and its encryption keys, public members only.
import type { JWK } from 'jose';
import type { GatewayKeys } from '../crypto/index.js';
import { toPublicJwk } from './public-jwk.js';

export interface PublicJwks {
  readonly keys: readonly JWK[];
}

/** Built from the loaded keys; each passes through toPublicJwk, whatever its publicJwk holds. */
export function buildPublicJwks(keys: GatewayKeys): PublicJwks {
  return {
    keys: [keys.signing, ...keys.encryption].map((key) =>
      toPublicJwk({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: key.use }),
    ),
  };
}
