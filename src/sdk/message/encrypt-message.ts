// Encrypts a signed message to the gateway (compact JWE, the gateway's published `enc` key).
import type { Bundle } from '@medplum/fhirtypes';
import type { JWK } from 'jose';
import { encryptTo } from '../../crypto/index.js';
import { EnlaceProtocolError } from '../errors.js';

/**
 * `ECDH-ES+A256KW` (or `RSA-OAEP-256`) with `A256GCM`, the key's `kid` and `cty` FHIR JSON, by the
 * same code the gateway encrypts deliveries with (src/crypto).
 */
export async function encryptMessage(message: Bundle, gatewayKey: JWK): Promise<string> {
  try {
    return await encryptTo(gatewayKey, JSON.stringify(message), { cty: 'application/fhir+json' });
  } catch (cause) {
    throw new EnlaceProtocolError('the gateway encryption key cannot be used', undefined, {
      cause,
    });
  }
}
