// Reads GET /fhir/AuditEvent's query strictly: unknown parameters refused, each filter validated and bounded.
import { readCount, readSort } from '../../fhir/index.js';
import {
  AUDIT_SEARCH_LIMITS,
  AUDIT_SEARCH_PAGING,
  AUDIT_SEARCH_PARAMS,
  type AuditSearch,
  type Pseudonymize,
  type RefFilter,
  type TokenFilter,
} from './audit-search.js';
import { invalidParameter } from './invalid-parameter.js';
import { readDateRange } from './read-date-range.js';
import { isRefParam, readRefFilter } from './read-ref-filter.js';
import { isTokenParam, readTokenFilter } from './read-token-filter.js';

const SINGLE = new Set(['_count', '_sort', '_cursor', '_format']);
const KNOWN = new Set<string>(AUDIT_SEARCH_PARAMS);
const MAX_TEXT = AUDIT_SEARCH_LIMITS.maxValues * (AUDIT_SEARCH_LIMITS.maxValueLength + 1);
const SUPPORTED = AUDIT_SEARCH_PARAMS.filter((name) => name !== '_format').join(', ');

/** Groups values by name; why refuse unknown names: a misspelt filter must not silently widen the answer. */
function group(query: URLSearchParams): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const [name, value] of query) {
    if (!KNOWN.has(name)) {
      throw invalidParameter(name, `is not a supported AuditEvent search parameter (${SUPPORTED})`);
    }
    const values = byName.get(name) ?? [];
    values.push(value);
    const limit = SINGLE.has(name) ? 1 : AUDIT_SEARCH_LIMITS.maxRepeats;
    if (values.length > limit) throw invalidParameter(name, `may be given at most ${limit} times`);
    if (value.length > MAX_TEXT) throw invalidParameter(name, 'is too long');
    byName.set(name, values);
  }
  return byName;
}

/**
 * The search, with `patient:identifier` already turned into her pseudonyms by `pseudonymize`.
 * Occurrences of one parameter AND together; commas within one occurrence OR.
 */
export function readAuditSearch(query: URLSearchParams, pseudonymize: Pseudonymize): AuditSearch {
  const byName = group(query);
  const refs: RefFilter[] = [];
  const tokens: TokenFilter[] = [];
  for (const [name, values] of byName) {
    if (isRefParam(name)) {
      refs.push(...values.map((value) => readRefFilter(name, value, pseudonymize)));
    } else if (isTokenParam(name)) {
      tokens.push(...values.map((value) => readTokenFilter(name, value)));
    }
  }
  const cursor = byName.get('_cursor')?.[0];
  return {
    recorded: readDateRange(byName.get('date') ?? []),
    tokens,
    refs,
    // `_count` and `_sort` read as on every search route: the same limits rule, the same refusal.
    order:
      readSort(byName.get('_sort')?.[0], AUDIT_SEARCH_PAGING.sorts) === 'date' ? 'asc' : 'desc',
    count: readCount(byName.get('_count')?.[0], AUDIT_SEARCH_PAGING.limits),
    ...(cursor === undefined ? {} : { cursor }),
  };
}
