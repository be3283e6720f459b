// FHIR search plumbing shared by every search route: strict parameters, `_count` and `_sort`, keyset pages, searchset Bundles.
import { createHash } from 'node:crypto';
import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';
import { SEARCH_CURSOR_LIFETIME_MINUTES } from '../crypto/index.js';
import { GatewayError } from '../kernel/index.js';

export interface SearchLimits {
  readonly defaultCount: number;
  readonly maxCount: number;
}

/** How one search route pages; the CapabilityStatement documents `_count` and `_sort` from it. */
export interface SearchPaging {
  /** The `_sort` values the route supports, each a keyset order; the first is the default. */
  readonly sorts: readonly string[];
  readonly limits: SearchLimits;
  /** Whether the searchset carries `total`: only where counting the matches is cheap. */
  readonly total: boolean;
}

/** Parameters every search accepts besides its own; the paging ones only where the search pages. */
const GENERAL = new Set(['_format', '_count']);
const PAGING = new Set(['_sort', '_cursor']);

/** Limits of a parse without paging (a conditional create's criteria). */
const DEFAULT_LIMITS: SearchLimits = { defaultCount: 50, maxCount: 200 };

export interface FilterSearch {
  /** The route's own parameters; the general ones are read into the fields beside. */
  readonly params: ReadonlyMap<string, string>;
  readonly count: number;
}

export interface ParsedSearch extends FilterSearch {
  /** One of the route's `sorts`. */
  readonly sort: string;
  readonly cursor?: string;
}

const invalid = (name: string, text: string): GatewayError =>
  new GatewayError('ENLACE_INVALID_PARAMETER', text, { expression: [name] });

/**
 * `_count`: a non-negative integer; above the route's maximum the page is the maximum, as FHIR
 * lets a server return fewer than asked (the self link then says how many). 0 answers no entries.
 */
export function readCount(text: string | undefined, limits: SearchLimits): number {
  if (text === undefined) return limits.defaultCount;
  if (!/^\d{1,6}$/.test(text)) throw invalid('_count', '_count must be a non-negative integer.');
  return Math.min(Number(text), limits.maxCount);
}

/** `_sort`: one of the orders the route pages by, or its default; anything else is refused by name. */
export function readSort(text: string | undefined, sorts: readonly string[]): string {
  const [fallback] = sorts;
  if (fallback === undefined) throw new Error('a search route declares at least one sort order');
  if (text === undefined) return fallback;
  if (!sorts.includes(text)) {
    throw invalid('_sort', `_sort must be one of ${sorts.join(', ')} (default ${fallback}).`);
  }
  return text;
}

/**
 * Reads search parameters; an unknown or repeated parameter is refused rather than ignored, so a
 * misspelt filter can never silently widen what a partner receives. Without `paging` (criteria
 * that select but do not page, as If-None-Exist's), `_sort` and `_cursor` are unknown too.
 */
export function parseSearch(query: URLSearchParams, allowed: readonly string[]): FilterSearch;
export function parseSearch(
  query: URLSearchParams,
  allowed: readonly string[],
  paging: SearchPaging,
): ParsedSearch;
export function parseSearch(
  query: URLSearchParams,
  allowed: readonly string[],
  paging?: SearchPaging,
): FilterSearch | ParsedSearch {
  const params = new Map<string, string>();
  const general = new Map<string, string>();
  const isGeneral = (name: string): boolean =>
    GENERAL.has(name) || (paging !== undefined && PAGING.has(name));
  for (const [name, value] of query) {
    if (!allowed.includes(name) && !isGeneral(name)) {
      const supported = [...allowed, '_count', ...(paging === undefined ? [] : ['_sort'])];
      throw invalid(
        name.slice(0, 64),
        `Unknown search parameter ${name.slice(0, 64)}; supported: ${supported.join(', ')}.`,
      );
    }
    const into = isGeneral(name) ? general : params;
    if (into.has(name)) throw invalid(name, `Search parameter ${name} is repeated.`);
    into.set(name, value);
  }
  const count = readCount(general.get('_count'), paging?.limits ?? DEFAULT_LIMITS);
  if (paging === undefined) return { params, count };
  const cursor = general.get('_cursor');
  return {
    params,
    count,
    sort: readSort(general.get('_sort'), paging.sorts),
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/** A digest of what selects and orders a search (never the page size): what a cursor is bound to. */
export function searchDigest(selection: unknown): string {
  return createHash('sha256').update(JSON.stringify(selection)).digest('base64url');
}

/** The digest of a search read by `parseSearch`: its parameters in any order, and its sort. */
export function parsedSearchDigest(search: ParsedSearch): string {
  return searchDigest([[...search.params].sort(([a], [b]) => a.localeCompare(b)), search.sort]);
}

/**
 * The query the links of a page repeat: the request's own, with the sort and page size the
 * server used spelt out and without the cursor it came with.
 */
export function pagingQuery(
  query: URLSearchParams,
  search: Pick<ParsedSearch, 'sort' | 'count'>,
): URLSearchParams {
  const kept = new URLSearchParams(
    [...query].filter(([name]) => name !== '_cursor' && name !== '_sort' && name !== '_count'),
  );
  kept.set('_sort', search.sort);
  kept.set('_count', String(search.count));
  return kept;
}

/** Seals and opens a page position for one owner and one search; crypto's `sealedCursors` is one. */
export interface CursorCodec<P> {
  seal(owner: string, search: string, position: P): Promise<string>;
  open(owner: string, search: string, cursor: string): Promise<P>;
}

export interface KeysetPageRequest<Row, P> {
  readonly cursors: CursorCodec<P>;
  /** Who searches: a cursor continues only its owner's search. */
  readonly owner: string;
  /** The search's digest: a cursor continues only the search it came from. */
  readonly search: string;
  readonly cursor: string | undefined;
  readonly count: number;
  /** The rows strictly past `after` in the search's order (from the first when absent), at most `limit`. */
  fetch(after: P | undefined, limit: number): Promise<readonly Row[]>;
  /** The position of a row: its sort value and its unique tie-break. */
  positionOf(row: Row): P;
}

export interface KeysetPage<Row> {
  readonly rows: readonly Row[];
  /** The cursor of the next page, only when at least one more row matches. */
  readonly next?: string;
}

/**
 * One page of a search in a total order. Why keyset and not an offset: the cursor holds the last
 * row's position, so rows inserted or removed before it while a client pages shift nothing, and
 * no row is skipped or repeated. One row more than the page is read to know whether a next page
 * exists, so the last page never carries a next link; `_count=0` reads one and answers none.
 */
export async function keysetPage<Row, P>(
  request: KeysetPageRequest<Row, P>,
): Promise<KeysetPage<Row>> {
  const { cursors, owner, search, cursor, count } = request;
  // Why open before anything else: a refused cursor must be refused even for an empty page.
  const after = cursor === undefined ? undefined : await cursors.open(owner, search, cursor);
  const rows = await request.fetch(after, count + 1);
  const page = rows.slice(0, count);
  const last = page.at(-1);
  if (rows.length <= count || last === undefined) return { rows: page };
  return { rows: page, next: await cursors.seal(owner, search, request.positionOf(last)) };
}

export interface SearchSetPage {
  /** The search's URL without a query: `<base>/fhir/Organization`. */
  readonly url: string;
  /** The search as the server understood it (see `pagingQuery`); links must not repeat identifiers. */
  readonly query: URLSearchParams;
  /** The cursor this page was asked with, repeated in the self link. */
  readonly cursor?: string;
  readonly next?: string;
  readonly total?: number;
}

const withCursor = (query: URLSearchParams, cursor: string | undefined): string => {
  const copy = new URLSearchParams(query);
  if (cursor !== undefined) copy.set('_cursor', cursor);
  const text = copy.toString();
  return text === '' ? '' : `?${text}`;
};

/** A searchset: `self` always, `next` only when more match, `total` where the route counts. */
export function buildSearchSet<T extends Resource>(
  resources: readonly T[],
  page: SearchSetPage,
  fullUrlBase: string,
): Bundle<T> {
  const link: BundleLink[] = [
    { relation: 'self', url: `${page.url}${withCursor(page.query, page.cursor)}` },
  ];
  if (page.next !== undefined) {
    link.push({ relation: 'next', url: `${page.url}${withCursor(page.query, page.next)}` });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(page.total === undefined ? {} : { total: page.total }),
    link,
    // FHIR JSON forbids empty arrays: an empty page has no entry at all.
    ...(resources.length === 0
      ? {}
      : {
          entry: resources.map((resource) => ({
            fullUrl: `${fullUrlBase}/${resource.resourceType}/${resource.id ?? ''}`,
            resource,
            search: { mode: 'match' as const },
          })),
        }),
  };
}

/** What the CapabilityStatement says of `_count` for a route that pages this way. */
export function describeCount(paging: SearchPaging): string {
  return (
    `Page size, default ${paging.limits.defaultCount}, at most ${paging.limits.maxCount}. When more match, ` +
    `the Bundle has a next link whose opaque _cursor continues this search for the same caller ` +
    `for ${SEARCH_CURSOR_LIFETIME_MINUTES} minutes; the last page has none. ` +
    (paging.total ? 'Bundle.total is given.' : 'Bundle.total is not given (counting is not cheap).')
  );
}

/** What the CapabilityStatement says of `_sort`. */
export function describeSort(paging: SearchPaging): string {
  const [fallback] = paging.sorts;
  return `One of ${paging.sorts.join(', ')} (default ${fallback ?? ''}); any other order is refused with 400.`;
}
