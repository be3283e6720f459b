// Survivor pseudonyms: HMAC-SHA-256 of the normalised identifier under the gateway's pseudonym keys.
import { createHmac } from 'node:crypto';
import type { Pseudonym, Pseudonymizer, SurvivorIdentifier } from '../types.js';
import { normaliseIdentifier } from './normalise-identifier.js';
import { checkPseudonymKeySet, type PseudonymKeySet } from './pseudonym-keys.js';

/**
 * Why a keyed HMAC and not a plain hash: national id numbers are few and guessable, so an unkeyed
 * hash could be reversed by hashing every possible number; without the key nobody can.
 * The same identifier gives the same pseudonym whichever institution submits it, so consents and
 * referrals about one woman meet without the gateway storing her number.
 */
export function createPseudonymizer(keySet: PseudonymKeySet): Pseudonymizer {
  checkPseudonymKeySet(keySet);
  // Copies, so a caller mutating its buffers cannot change pseudonyms afterwards.
  const keys = new Map(
    Object.entries(keySet.keys).map(([id, key]) => [id, new Uint8Array(key)] as const),
  );
  const order = [keySet.current, ...[...keys.keys()].filter((id) => id !== keySet.current).sort()];
  const under = (keyId: string, normalised: string): Pseudonym => {
    const key = keys.get(keyId);
    if (key === undefined) throw new Error(`pseudonym key ${keyId} is missing`);
    const mac = createHmac('sha256', key).update(normalised, 'utf8').digest('base64url');
    return { keyId, value: `${keyId}.${mac}` };
  };
  return {
    current: (identifier: SurvivorIdentifier) =>
      under(keySet.current, normaliseIdentifier(identifier)),
    all: (identifier: SurvivorIdentifier) => {
      const normalised = normaliseIdentifier(identifier);
      return order.map((keyId) => under(keyId, normalised));
    },
  };
}
