// Step 5b — the survivor as the gateway may know her: pseudonyms of every identifier, never the identifiers.
import type { Pseudonymizer, SurvivorIdentifier } from '../../consent/index.js';

export interface SurvivorPseudonyms {
  /** Every pseudonym of every identifier under every key: the consent lookup misses nothing. */
  readonly all: readonly string[];
  /** The first identifier under the current key: what the referral row stores. */
  readonly current: string;
}

export function survivorPseudonyms(
  identifiers: readonly SurvivorIdentifier[],
  pseudonymizer: Pseudonymizer,
): SurvivorPseudonyms {
  const [first] = identifiers;
  if (first === undefined) throw new TypeError('a survivor needs at least one identifier');
  const all = new Set<string>();
  for (const identifier of identifiers) {
    for (const pseudonym of pseudonymizer.all(identifier)) all.add(pseudonym.value);
  }
  return { all: [...all], current: pseudonymizer.current(first).value };
}
