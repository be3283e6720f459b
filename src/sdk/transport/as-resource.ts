// Narrows a body the gateway sent to the FHIR resource type its route answers, checking rather than assuming.
import type { Resource } from '@medplum/fhirtypes';
import { EnlaceProtocolError } from '../errors.js';

export function asResource<T extends Resource>(value: unknown, type: T['resourceType']): T {
  if (typeof value !== 'object' || value === null || (value as Resource).resourceType !== type) {
    throw new EnlaceProtocolError(`the gateway answered something other than a ${type}`);
  }
  return value as T;
}

/** The version an ETag `W/"<n>"` names. */
export function versionOf(etag: string | null): string | undefined {
  return etag === null ? undefined : /^(?:W\/)?"([^"]+)"$/.exec(etag)?.[1];
}
