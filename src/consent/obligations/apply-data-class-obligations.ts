// Removes, before delivery, every resource labelled with a data class the decision does not permit.
import type { Coding, Provenance, ProvenanceEntity, Reference, Resource } from '@medplum/fhirtypes';
import { DATA_CLASS_SYSTEM, type Decision } from '../types.js';
import { GATEWAY_AGENT, PERFORMER, REDACTED_LABEL, REDACT_ACTIVITY } from './provenance-codes.js';

export interface ObligationResult<R extends Resource> {
  /** What may be delivered; copies marked REDACTED in meta.security when anything was removed. */
  readonly resources: R[];
  /** `Type/id` (or `Type` for a resource without id) of every resource removed, in input order. */
  readonly removed: readonly string[];
  /** Records what was removed and under which consents; undefined when nothing was removed. */
  readonly provenance: Provenance | undefined;
}

/**
 * Whole resources only: a resource carrying a DATA_CLASS_SYSTEM label in `meta.security` that the
 * decision does not permit is removed entirely — elements inside a resource are not pruned, so
 * whoever labels data labels the resource that holds it. Resources without a data-class label
 * (MessageHeader, Task…) carry no classed case data and stay. A label with a code the gateway
 * does not know counts as not permitted.
 */
export interface ObligationOptions<R extends Resource> {
  readonly recorded: Date;
  /** What the removal Provenance is about: the delivered container of what remains. */
  readonly target: Reference;
  /**
   * How the Provenance names a removed resource. Why asked of the caller: the resource itself is
   * not delivered, so only a logical reference (e.g. by the URI it had in its message) can name it.
   */
  readonly identify: (resource: R) => Reference;
}

export function applyDataClassObligations<R extends Resource>(
  resources: readonly R[],
  decision: Decision,
  options: ObligationOptions<R>,
): ObligationResult<R> {
  const permitted = new Set<string>(decision.permitted);
  const kept: R[] = [];
  const removed: { reference: string; resource: R; classes: string[] }[] = [];
  for (const resource of resources) {
    const refused = dataClassLabels(resource).filter((code) => !permitted.has(code));
    if (refused.length === 0) kept.push(resource);
    else removed.push({ reference: referenceOf(resource), resource, classes: refused });
  }
  if (removed.length === 0) return { resources: kept, removed: [], provenance: undefined };
  const marked = kept.map(markRedacted);
  const provenance: Provenance = {
    resourceType: 'Provenance',
    target: [options.target],
    recorded: options.recorded.toISOString(),
    policy: [...decision.reliedOn],
    activity: { coding: [REDACT_ACTIVITY], text: 'consent obligation: data classes removed' },
    agent: [{ type: { coding: [PERFORMER] }, who: { reference: GATEWAY_AGENT } }],
    entity: removed.map(({ resource, classes }) =>
      removalEntity(options.identify(resource), classes),
    ),
  };
  return { resources: marked, removed: removed.map((entry) => entry.reference), provenance };
}

/** The DATA_CLASS_SYSTEM codes in a resource's meta.security, sorted and without repeats. */
export function dataClassLabels(resource: Resource): string[] {
  const codes = (resource.meta?.security ?? [])
    .filter((label) => label.system === DATA_CLASS_SYSTEM)
    .map((label) => label.code ?? '');
  return [...new Set(codes)].sort();
}

function removalEntity(what: Reference, classes: readonly string[]): ProvenanceEntity {
  // Why: only class codes go in the display, never content from the removed resource.
  return {
    role: 'removal',
    what: {
      ...what,
      display: `removed: data class ${classes.join(', ')} not permitted by consent`,
    },
  };
}

function markRedacted<R extends Resource>(resource: R): R {
  const security: Coding[] = [...(resource.meta?.security ?? [])];
  if (!security.some((c) => c.system === REDACTED_LABEL.system && c.code === REDACTED_LABEL.code)) {
    security.push(REDACTED_LABEL);
  }
  return { ...resource, meta: { ...resource.meta, security } };
}

const referenceOf = (resource: Resource): string =>
  resource.id === undefined ? resource.resourceType : `${resource.resourceType}/${resource.id}`;
