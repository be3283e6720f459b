// What the delivery worker is given; it builds none of it, so tests inject clock, sender, DNS and randomness.
import type { Logger } from 'pino';
import type { GatewayKey, PayloadVault } from '../../crypto/index.js';
import type { Clock } from '../../kernel/index.js';
import type { Store } from '../../store/index.js';
import type { PackageForRecipient } from '../types.js';
import type { RandomSource } from './backoff.js';
import type { ResolveHost } from './check-delivery-target.js';
import type { DeliverySettings } from './delivery-settings.js';
import type { findEncryptionKey } from '../encryption-keys.js';
import type { SendDelivery } from './send-delivery.js';

export interface DeliveryDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Posts one delivery; `createHttpSend` in production. */
  readonly send: SendDelivery;
  /** Re-checks consent and seals a referral for its recipient, inside a transaction, at each attempt. */
  readonly packageForRecipient: PackageForRecipient;
  /** The recipient's public encryption key, for every kind but referrals; `findEncryptionKey` by default. */
  readonly encryptionKeys: typeof findEncryptionKey;
  /** Opens the sealed payloads of the outbox (and seals the break-glass notices it queues). */
  readonly vault: PayloadVault;
  /** The gateway's signing key: every notice is a message signed by it. */
  readonly signingKey: GatewayKey;
  /** The gateway's public base URL, named in each notice's MessageHeader. */
  readonly publicUrl: string;
  readonly settings: DeliverySettings;
  /** Jitter source; defaults to Math.random. */
  readonly random?: RandomSource;
  /** DNS; defaults to the system resolver. */
  readonly resolveHost?: ResolveHost;
}
