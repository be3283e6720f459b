// Works out which resource type a Reference points to, from its string or within the enclosing Bundle.
import { asList, isJsonObject, type JsonObject } from './json-value.js';

/** Where references resolve: the current resource (contained) and the Bundle it travels in. */
export interface ReferenceScope {
  readonly resource: JsonObject;
  readonly bundle: JsonObject | undefined;
}

const TYPE_NAME = /^[A-Z][A-Za-z]+$/;

function fromBundle(reference: string, bundle: JsonObject | undefined): string | undefined {
  for (const entry of asList(bundle?.entry)) {
    if (!isJsonObject(entry) || entry.fullUrl !== reference || !isJsonObject(entry.resource))
      continue;
    const type = entry.resource.resourceType;
    return typeof type === 'string' ? type : undefined;
  }
  return undefined;
}

/**
 * The target type of `reference` (`Organization/x`, `https://h/fhir/Organization/x`, `#c1`, a
 * Bundle entry's fullUrl), or of `type` when given; undefined when it cannot be known.
 */
export function referenceTargetType(value: JsonObject, scope: ReferenceScope): string | undefined {
  const reference = value.reference;
  if (typeof reference !== 'string') return typeof value.type === 'string' ? value.type : undefined;
  if (reference.startsWith('#')) {
    const contained = asList(scope.resource.contained).find(
      (c) => isJsonObject(c) && c.id === reference.slice(1),
    );
    return isJsonObject(contained) && typeof contained.resourceType === 'string'
      ? contained.resourceType
      : undefined;
  }
  const inBundle = fromBundle(reference, scope.bundle);
  if (inBundle !== undefined || reference.startsWith('urn:')) return inBundle;
  const parts = reference.split('?')[0]?.split('/') ?? [];
  const history = parts.lastIndexOf('_history');
  const typeIndex = (history >= 0 ? history : parts.length) - 2;
  const type = parts[typeIndex];
  return type !== undefined && TYPE_NAME.test(type) ? type : undefined;
}
