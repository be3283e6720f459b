// Finds the key a referral's sender signed with: its certificate chain to the network CA, or a key it registered.
import { createPublicKeyCache, type SignatureKeyResolver } from '../../crypto/index.js';
import { verifyChainOffline } from '../../pki/offline/index.js';
import { unwrap } from '../transport/read-failure.js';
import type { GatewayHttp } from '../transport/gateway-http.js';
import { createKeySetCache, type KeySetCache } from './key-set-cache.js';
import type { NetworkTrust } from './network-trust.js';

/** How the sender's key was vouched for. */
export type SenderKey =
  | {
      readonly kind: 'certificate';
      readonly subject: string;
      readonly serial: string;
      readonly fingerprint256: string;
    }
  | { readonly kind: 'registered-key'; readonly kid: string };

export interface SenderKeys {
  /** A resolver that accepts only keys of the institution `partnerId`. */
  resolverFor(partnerId: string): SignatureKeyResolver<SenderKey>;
}

export function createSenderKeys(
  http: GatewayHttp,
  trust: NetworkTrust,
  now: () => number,
): SenderKeys {
  const sets = new Map<string, KeySetCache>();
  const imported = createPublicKeyCache();
  const registeredKeys = (partnerId: string): KeySetCache => {
    let set = sets.get(partnerId);
    if (set === undefined) {
      set = createKeySetCache({
        load: async () =>
          unwrap(
            await http.api.GET('/partners/{id}/jwks.json', { params: { path: { id: partnerId } } }),
          ).keys,
        now,
        maxAgeMs: 60_000,
        minRefetchMs: 5_000,
      });
      sets.set(partnerId, set);
    }
    return set;
  };
  return {
    resolverFor: (partnerId) => async (request) => {
      if (request.x5c !== undefined) {
        const chain = await verifyChainOffline(request.x5c, await trust.bundle(), {
          at: request.now,
          crls: await trust.crls(),
        });
        // Why: a valid certificate of another institution must not pass as this sender's.
        if (!chain.partnerIds.includes(partnerId)) {
          throw new Error(`the certificate does not name Organization/${partnerId}`);
        }
        const { subject, serial, fingerprint256 } = chain;
        return {
          key: chain.publicKey,
          info: { kind: 'certificate', subject, serial, fingerprint256 },
        };
      }
      const kid = request.kid;
      if (kid === undefined) throw new Error('the signature names no key');
      const jwk = await registeredKeys(partnerId).find(kid, () => true);
      if (jwk === undefined) throw new Error(`Organization/${partnerId} has no key ${kid}`);
      return {
        key: await imported.importKey(jwk, request.alg),
        info: { kind: 'registered-key', kid },
      };
    },
  };
}
