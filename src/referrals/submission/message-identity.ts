// Step 6a — a message's identity for idempotency: its Bundle.identifier and the hash of its canonical form.
import { createHash } from 'node:crypto';
import type { Bundle } from '@medplum/fhirtypes';
import { canonicalJsonBytes, type JsonValue } from '../../crypto/index.js';
import { GatewayError } from '../../kernel/index.js';

export interface MessageIdentity {
  /** `<system>|<value>` of Bundle.identifier. */
  readonly messageKey: string;
  /** SHA-256 (hex) of `canonicalBytes`. */
  readonly contentHash: string;
  /** RFC 8785 form of the signed Bundle: what is sealed at rest and what the hash covers. */
  readonly canonicalBytes: Uint8Array;
}

export function messageIdentity(bundle: Bundle): MessageIdentity {
  const { system, value } = bundle.identifier ?? {};
  // The profile requires both; checked again because the key is what idempotency rests on.
  if (system === undefined || value === undefined) {
    throw new GatewayError(
      'ENLACE_MESSAGE_INVALID',
      'Bundle.identifier needs a system and a value.',
      {
        expression: ['Bundle.identifier'],
      },
    );
  }
  // Why the canonical form: the same message re-serialised (other key order, whitespace) is the
  // same message, while any change of content — signature included — is a different one.
  const canonicalBytes = canonicalJsonBytes(bundle as unknown as JsonValue);
  return {
    messageKey: `${system}|${value}`,
    contentHash: createHash('sha256').update(canonicalBytes).digest('hex'),
    canonicalBytes,
  };
}
