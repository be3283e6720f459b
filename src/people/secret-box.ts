// Seals TOTP secrets at rest with AES-256-GCM under a key derived (HKDF-SHA256) from a configured gateway secret.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { GatewayError } from '../kernel/index.js';

export interface SecretBox {
  /** Encrypts `plaintext`, bound to `context` (the account id) so a sealed value cannot move rows. */
  seal(plaintext: Uint8Array, context: string): string;
  open(sealed: string, context: string): Uint8Array;
}

export const MIN_SECRET_BYTES = 32;
const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_INFO = 'enlace/people/totp-secret/v1';

export function createSecretBox(gatewaySecret: Uint8Array): SecretBox {
  if (gatewaySecret.length < MIN_SECRET_BYTES) {
    throw new Error(`the secret for sealing TOTP secrets needs at least ${MIN_SECRET_BYTES} bytes`);
  }
  // Why: a key derived for this one purpose means the configured secret is never used directly,
  // and other capabilities can derive their own keys from it without sharing one.
  const key = Buffer.from(hkdfSync('sha256', gatewaySecret, Buffer.alloc(0), HKDF_INFO, 32));
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const parts = [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'));
      return [FORMAT, ...parts].join('.');
    },
    open(sealed, context) {
      const [format, iv, ciphertext, tag, extra] = sealed.split('.');
      if (format !== FORMAT || !iv || !ciphertext || !tag || extra !== undefined) {
        throw new GatewayError('ENLACE_INTERNAL', 'a sealed TOTP secret is malformed');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([
          decipher.update(Buffer.from(ciphertext, 'base64url')),
          decipher.final(),
        ]);
      } catch (cause) {
        // Why: a tag mismatch means a wrong key or a tampered row; it must never verify a code.
        throw new GatewayError('ENLACE_INTERNAL', 'a sealed TOTP secret does not open', { cause });
      }
    },
  };
}
