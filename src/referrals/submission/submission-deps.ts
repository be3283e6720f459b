// What the submission pipeline needs from the gateway: storage, keys, vault, profiles, PKI, policy, consent, limits.
import type { ConsentDeps } from '../../consent/index.js';
import type { GatewayKeys, PayloadVault } from '../../crypto/index.js';
import type { Clock } from '../../kernel/index.js';
import type { NetworkPolicy } from '../../partners/index.js';
import type { Pki } from '../../pki/index.js';
import type { ProfileValidator } from '../../profiles/index.js';
import type { Store } from '../../store/index.js';

export interface SubmissionLimits {
  /** The HTTP body limit: the longest JWE and the largest decrypted message, in bytes. */
  readonly maxBytes: number;
  /** The same JSON depth limit as HTTP bodies. */
  readonly maxDepth: number;
}

export interface SubmissionDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly keys: GatewayKeys;
  readonly vault: PayloadVault;
  readonly profiles: ProfileValidator;
  readonly pki: Pick<Pki, 'validateCertificateChain'>;
  readonly policy: NetworkPolicy;
  readonly consent: ConsentDeps;
  readonly limits: SubmissionLimits;
  /** Whether unencrypted application/fhir+json messages are accepted (development only). */
  readonly allowPlainSubmissions: boolean;
  readonly clockSkewSeconds: number;
  /** The gateway's public base URL, for the acknowledgement's source endpoint. */
  readonly publicUrl: string;
}
