// The JWK Set the gateway publishes: every published signing and encryption key, public members only, with its ETag.
import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { publishedKeysOf, type GatewayKeys } from '../crypto/index.js';
import { toPublicJwk } from './public-jwk.js';

export interface PublicJwks {
  readonly keys: readonly JWK[];
}

/** The document with its strong entity tag: the SHA-256 of exactly the bytes served. */
export interface PublishedJwks {
  readonly document: PublicJwks;
  /** `"<base64url SHA-256 of the JSON text>"`, quotes included. */
  readonly etag: string;
  /** The tag without its quotes, as If-None-Match lists are compared. */
  readonly opaqueTag: string;
  /** The JSON text the tag is computed over; what the route sends. */
  readonly text: string;
}

/**
 * Built from the published keys (in use, next and previous alike: a verifier must know a key
 * before it signs and after it stops); each passes through toPublicJwk, whatever its publicJwk holds.
 */
export function buildPublicJwks(keys: GatewayKeys): PublicJwks {
  return {
    keys: publishedKeysOf(keys).map(({ key }) =>
      toPublicJwk({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: key.use }),
    ),
  };
}

/** The published JWKS, rebuilt only when the key set's revision changes. */
export function createJwksPublisher(keys: GatewayKeys): () => PublishedJwks {
  let cached: { readonly revision: number | undefined; readonly published: PublishedJwks };
  const build = (): PublishedJwks => {
    const document = buildPublicJwks(keys);
    const text = JSON.stringify(document);
    const digest = createHash('sha256').update(text).digest('base64url');
    return { document, text, opaqueTag: digest, etag: `"${digest}"` };
  };
  cached = { revision: keys.revision, published: build() };
  return () => {
    if (cached.revision !== keys.revision) {
      cached = { revision: keys.revision, published: build() };
    }
    return cached.published;
  };
}
