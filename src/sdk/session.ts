// What every part of a connected client shares: the gateway's HTTP client, keys, trust, clock and the partner's own keys.
import type { SigningKey } from './auth/signing-key.js';
import type { TokenSource } from './auth/token-source.js';
import type { GatewayKeys } from './trust/gateway-keys.js';
import type { NetworkTrust } from './trust/network-trust.js';
import type { SenderKeys } from './trust/sender-keys.js';
import type { GatewayHttp } from './transport/gateway-http.js';
import type { DecryptionKey } from './verify/open-jwe.js';

export interface Session {
  readonly http: GatewayHttp;
  readonly tokens: TokenSource;
  readonly gatewayKeys: GatewayKeys;
  readonly senderKeys: SenderKeys;
  readonly trust: NetworkTrust;
  readonly signingKey: SigningKey;
  /** Opens referrals, pushes and notices; without it only sending and the loop are possible. */
  readonly decryptionKey: DecryptionKey | undefined;
  readonly now: () => Date;
  /** This institution's partner id, as the verified access token names it. */
  readonly me: () => Promise<string>;
}

/** The decryption key, or a TypeError naming what is missing. */
export function requireDecryptionKey(session: Session): DecryptionKey {
  if (session.decryptionKey === undefined) {
    throw new TypeError('opening referrals and notices needs the institution decryption key');
  }
  return session.decryptionKey;
}
