// FHIR search plumbing: strict parameter parsing and searchset Bundles.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { GatewayError } from '../kernel/index.js';

/** Parameters every search accepts besides its own. */
const GENERAL = new Set(['_format', '_count']);

export interface ParsedSearch {
  readonly params: ReadonlyMap<string, string>;
  readonly count: number;
}

export interface SearchLimits {
  readonly defaultCount: number;
  readonly maxCount: number;
}

/**
 * Reads search parameters; an unknown or repeated parameter is refused rather than ignored, so a
 * misspelt filter can never silently widen what a partner receives.
 */
export function parseSearch(
  query: URLSearchParams,
  allowed: readonly string[],
  limits: SearchLimits = { defaultCount: 50, maxCount: 200 },
): ParsedSearch {
  const params = new Map<string, string>();
  for (const [name, value] of query) {
    if (!allowed.includes(name) && !GENERAL.has(name)) {
      throw new GatewayError(
        'ENLACE_INVALID_PARAMETER',
        `Unknown search parameter ${name.slice(0, 64)}; supported: ${allowed.join(', ')}, _count.`,
        { expression: [name.slice(0, 64)] },
      );
    }
    if (params.has(name)) {
      throw new GatewayError('ENLACE_INVALID_PARAMETER', `Search parameter ${name} is repeated.`, {
        expression: [name],
      });
    }
    params.set(name, value);
  }
  const rawCount = params.get('_count');
  let count = limits.defaultCount;
  if (rawCount !== undefined) {
    if (!/^\d{1,6}$/.test(rawCount)) {
      throw new GatewayError('ENLACE_INVALID_PARAMETER', '_count must be a non-negative integer.', {
        expression: ['_count'],
      });
    }
    count = Math.min(Number(rawCount), limits.maxCount);
  }
  params.delete('_count');
  params.delete('_format');
  return { params, count };
}

export function buildSearchSet<T extends Resource>(
  resources: readonly T[],
  selfUrl: string,
  fullUrlBase: string,
): Bundle<T> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: [{ relation: 'self', url: selfUrl }],
    entry: resources.map((resource) => ({
      fullUrl: `${fullUrlBase}/${resource.resourceType}/${resource.id ?? ''}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}
