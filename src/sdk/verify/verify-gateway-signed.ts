// Checks a message the gateway signed (its acknowledgements and notices) with its published key.
import type { Bundle } from '@medplum/fhirtypes';
import { verifyBundleSignature } from '../../crypto/index.js';
import { GATEWAY_REFERENCE } from '../../kernel/index.js';
import { EnlaceVerificationError, type VerificationCheck } from '../errors.js';
import type { GatewayKeys } from '../trust/gateway-keys.js';

/**
 * Why check `who` and the header's sender as well as the key: the same key signs several kinds of
 * record, and a message naming another sender is not the gateway's statement, whoever signed it.
 */
export async function verifyGatewaySigned(
  bundle: Bundle,
  keys: GatewayKeys,
  now: Date,
  check: VerificationCheck,
): Promise<void> {
  try {
    const verified = await verifyBundleSignature(bundle, keys.resolver, {
      now,
      algorithms: ['ES256'],
    });
    if (verified.who.reference !== GATEWAY_REFERENCE) throw new Error('not signed as the gateway');
    const header = bundle.entry?.[0]?.resource;
    if (
      header?.resourceType !== 'MessageHeader' ||
      header.sender?.reference !== GATEWAY_REFERENCE
    ) {
      throw new Error('the message is not sent by the gateway');
    }
  } catch (cause) {
    throw new EnlaceVerificationError(check, { cause });
  }
}
