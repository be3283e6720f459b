// Shapes what a recipient receives: a `collection` Bundle of the sender's message (obligations applied) and the gateway's Provenance.
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Provenance, Resource } from '@medplum/fhirtypes';
import { applyDataClassObligations, dataClassLabels, type Decision } from '../../consent/index.js';

export interface DeliveryContent {
  readonly bundle: Bundle;
  /** `Type/id` of every resource consent obligations removed. */
  readonly removed: readonly string[];
}

/**
 * Entry 1 is the sender's signed message Bundle, byte-for-byte what was signed when nothing was
 * removed. When obligations removed resources the signature no longer covers what remains, so it
 * is dropped rather than left to fail, and the redaction Provenance (entry 3) says what went and
 * why. Entry 2 is the gateway-signed decision Provenance.
 */
export function buildDeliveryBundle(
  message: Bundle,
  decision: Decision,
  decisionProvenance: Provenance,
  at: Date,
): DeliveryContent {
  const entries = message.entry ?? [];
  const resources = entries.flatMap((entry) =>
    entry.resource === undefined ? [] : [entry.resource],
  );
  const obligations = applyDataClassObligations(resources, decision, { recorded: at });
  let delivered: Bundle = message;
  if (obligations.removed.length > 0) {
    const permitted = new Set<string>(decision.permitted);
    const isKept = (resource: Resource): boolean =>
      dataClassLabels(resource).every((code) => permitted.has(code));
    // Kept resources come back from the obligations in input order, marked REDACTED.
    const kept = [...obligations.resources];
    const keptEntries: BundleEntry[] = [];
    for (const entry of entries) {
      if (entry.resource === undefined) keptEntries.push(entry);
      else if (isKept(entry.resource))
        keptEntries.push({ ...entry, resource: kept.shift() ?? entry.resource });
    }
    delivered = { ...message, entry: keptEntries };
    delete delivered.signature;
  }
  const entry: BundleEntry[] = [
    { fullUrl: `urn:uuid:${randomUUID()}`, resource: delivered },
    { fullUrl: `urn:uuid:${randomUUID()}`, resource: decisionProvenance },
  ];
  if (obligations.provenance !== undefined) {
    entry.push({ fullUrl: `urn:uuid:${randomUUID()}`, resource: obligations.provenance });
  }
  return {
    bundle: {
      resourceType: 'Bundle',
      id: randomUUID(),
      type: 'collection',
      timestamp: at.toISOString(),
      entry,
    },
    removed: obligations.removed,
  };
}
