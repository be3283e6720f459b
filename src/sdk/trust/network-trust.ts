// The network's CA certificates and CRL: what a sender's certificate chain must lead to and not be revoked by.
import {
  readCrl,
  readTrustBundle,
  type ExternalCrl,
  type TrustBundle,
} from '../../pki/offline/index.js';
import { EnlaceProtocolError } from '../errors.js';
import { unwrap } from '../transport/read-failure.js';
import type { GatewayHttp } from '../transport/gateway-http.js';

export interface NetworkTrust {
  bundle(): Promise<TrustBundle>;
  /** The gateway CA's current CRL; fetched again after a few minutes, so a revocation is seen soon. */
  crls(): Promise<readonly ExternalCrl[]>;
}

const CRL_MAX_AGE_MS = 5 * 60_000;

/**
 * `pinned` (a PEM bundle the partner got from its operator) is stronger than `GET /pki/ca.pem`,
 * which asks the gateway to vouch for its own CA; without a pin the gateway's copy is used.
 */
export function createNetworkTrust(
  http: GatewayHttp,
  now: () => number,
  pinned?: string,
): NetworkTrust {
  let bundle: Promise<TrustBundle> | undefined;
  let crl: { at: number; value: Promise<readonly ExternalCrl[]> } | undefined;
  const fetchBytes = async (path: '/pki/ca.pem' | '/pki/crl'): Promise<Buffer> =>
    Buffer.from(unwrap(await http.open.GET(path, { parseAs: 'arrayBuffer' })));
  return {
    bundle: () =>
      (bundle ??= (async () => {
        const pem = pinned ?? (await fetchBytes('/pki/ca.pem')).toString('utf8');
        const read = readTrustBundle(
          pem,
          pinned === undefined ? 'GET /pki/ca.pem' : 'the pinned CA',
        );
        if (read.anchors.length === 0) throw new EnlaceProtocolError('the CA bundle has no root');
        return read;
      })().catch((error: unknown) => {
        bundle = undefined;
        throw error;
      })),
    crls: () => {
      if (crl === undefined || now() - crl.at > CRL_MAX_AGE_MS) {
        const value = fetchBytes('/pki/crl').then((bytes) => [readCrl(bytes, 'GET /pki/crl')]);
        value.catch(() => {
          crl = undefined;
        });
        crl = { at: now(), value };
      }
      return crl.value;
    },
  };
}
