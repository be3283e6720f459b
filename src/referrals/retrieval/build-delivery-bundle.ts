// Shapes what a recipient receives: a `collection` Bundle of the sender's message (obligations applied) and the gateway's Provenance.
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Reference, Resource } from '@medplum/fhirtypes';
import {
  applyDataClassObligations,
  buildDecisionProvenance,
  dataClassLabels,
  type Decision,
  type DecisionRequest,
} from '../../consent/index.js';

/** RFC 3986: an identifier that is a URI — a removed entry's `fullUrl` in the sender's message. */
const URI_SYSTEM = 'urn:ietf:rfc:3986';

export interface DeliveryContent {
  /** The collection, its decision Provenance still unsigned: sign it with signDecisionProvenance. */
  readonly bundle: Bundle;
  /** `Type/id` of every resource consent obligations removed. */
  readonly removed: readonly string[];
}

/**
 * Entry 1 is the sender's signed message Bundle, byte-for-byte what was signed when nothing was
 * removed. When obligations removed resources the signature no longer covers what remains, so it
 * is dropped rather than left to fail, and the redaction Provenance (entry 3) says what went and
 * why. Entry 2 is the decision Provenance, whose targets (and, once signed, whose signature) cover
 * entry 1. Every reference the gateway adds resolves inside this Bundle, or is logical.
 */
export function buildDeliveryBundle(
  message: Bundle,
  decision: Decision,
  request: DecisionRequest,
  at: Date,
): DeliveryContent {
  const messageUrl = `urn:uuid:${randomUUID()}`;
  const entries = message.entry ?? [];
  const fullUrls = new Map<Resource, string>();
  for (const entry of entries) {
    if (entry.resource !== undefined && entry.fullUrl !== undefined) {
      fullUrls.set(entry.resource, entry.fullUrl);
    }
  }
  const resources = entries.flatMap((entry) =>
    entry.resource === undefined ? [] : [entry.resource],
  );
  const obligations = applyDataClassObligations(resources, decision, {
    recorded: at,
    target: { reference: messageUrl },
    identify: (resource): Reference => {
      const uri = fullUrls.get(resource);
      return uri === undefined
        ? { type: resource.resourceType }
        : { type: resource.resourceType, identifier: { system: URI_SYSTEM, value: uri } };
    },
  });
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
    { fullUrl: messageUrl, resource: delivered },
    {
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: buildDecisionProvenance({
        decision,
        request,
        targets: [{ reference: messageUrl }],
        recorded: at,
      }),
    },
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
