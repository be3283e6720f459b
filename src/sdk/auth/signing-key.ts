// The partner's signing credential: one private key, named by a registered `kid` or by its certificate chain.
import type { JoseSigner } from '../../crypto/index.js';

/**
 * Signs client assertions and referral messages alike: the gateway binds the same key to the
 * client (for tokens) and to the institution (for signatures). `x5c` is base64 DER, leaf first.
 */
export type SigningKey = JoseSigner;
