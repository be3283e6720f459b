// What packaging a referral for its recipient needs: the vault, the gateway's signing key and the consent gate.
import type { GateDeps } from '../../consent/index.js';
import type { GatewayKey, PayloadVault, PublicKeyCache } from '../../crypto/index.js';

export interface RetrievalDeps {
  readonly vault: PayloadVault;
  /** Signs the decision Provenance (ES256). */
  readonly signingKey: GatewayKey;
  readonly gate: GateDeps;
  /** Where recipients' public keys are kept once imported; defaults to one cache for the process. */
  readonly keyCache?: PublicKeyCache;
}
