// FHIR history: the version ETag and `history` Bundles, one entry per version, newest first, each naming the interaction that made it.
import type { Bundle, BundleEntryRequest, Resource } from '@medplum/fhirtypes';

/** FHIR's version ETag: weak, because the JSON may be reformatted while the version stays the same. */
export const versionEtag = (versionId: string): string => `W/"${versionId}"`;

export interface HistoryVersion<T extends Resource> {
  readonly resource: T;
  readonly versionId: string;
  /** ISO-8601: when the version was written. */
  readonly lastUpdated: string;
  /** The interaction that made the version, relative to the FHIR base (`Consent`, `Task/<id>`). */
  readonly request: {
    readonly method: NonNullable<BundleEntryRequest['method']>;
    readonly url: string;
  };
  /** The status line its response had, e.g. `201 Created`. */
  readonly status: string;
}

/**
 * A `history` Bundle of one resource (FHIR http.html#history): every version with its `request`
 * and `response` (status, ETag, last modified), as given: callers pass them newest first.
 */
export function buildHistoryBundle<T extends Resource>(
  selfUrl: string,
  fullUrl: string,
  versions: readonly HistoryVersion<T>[],
): Bundle<T> {
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: versions.length,
    link: [{ relation: 'self', url: selfUrl }],
    entry: versions.map((version) => ({
      fullUrl,
      resource: version.resource,
      request: { method: version.request.method, url: version.request.url },
      response: {
        status: version.status,
        etag: versionEtag(version.versionId),
        lastModified: version.lastUpdated,
      },
    })),
  };
}
