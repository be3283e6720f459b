// A read search spelt back as query parameters: for the self and next links, the cursor's digest and the audit record.
import { searchDigest as digestOf } from '../../fhir/index.js';
import { PSEUDONYM_SYSTEM } from '../../kernel/index.js';
import { CLIENT_ID_SYSTEM, PERSON_SYSTEM } from '../actor.js';
import { REQUEST_ID_SYSTEM } from '../build-audit-event.js';
import type { AuditSearch } from './audit-search.js';

/** Identifier systems the gateway mints: their values name no survivor. */
const GATEWAY_SYSTEMS = new Set([
  REQUEST_ID_SYSTEM,
  CLIENT_ID_SYSTEM,
  PERSON_SYSTEM,
  PSEUDONYM_SYSTEM,
]);

/**
 * The search as the server understood it: dates as one ge/lt range, her identifier as her
 * pseudonyms. Why re-spell rather than echo: the links and the search's AuditEvent then never
 * carry the identifier an auditor typed, and a next link reads back to the very same search.
 */
export function toSearchQuery(search: AuditSearch): URLSearchParams {
  const query = new URLSearchParams();
  if (Number.isFinite(search.recorded.from)) {
    query.append('date', `ge${new Date(search.recorded.from).toISOString()}`);
  }
  if (Number.isFinite(search.recorded.to)) {
    query.append('date', `lt${new Date(search.recorded.to).toISOString()}`);
  }
  for (const ref of search.refs) query.append(ref.param, ref.values.join(','));
  for (const token of search.tokens) {
    const values = token.values.map(({ system, code }) =>
      system === undefined ? code : `${system}|${code}`,
    );
    query.append(token.param, values.join(','));
  }
  query.set('_sort', search.order === 'asc' ? 'date' : '-date');
  query.set('_count', String(search.count));
  return query;
}

/**
 * The search as its own AuditEvent records it. Why withhold some values: an `agent:identifier` or
 * `entity:identifier` in a system the gateway does not mint may be anything an auditor typed,
 * her national id included; the ledger never holds such values, so the record keeps the system.
 */
export function toAuditedQuery(search: AuditSearch): string {
  const withheld = {
    ...search,
    refs: search.refs.map((ref) =>
      ref.param === 'agent:identifier' || ref.param === 'entity:identifier'
        ? {
            ...ref,
            values: ref.values.map((value) => {
              const system = value.slice(0, value.indexOf('|'));
              return GATEWAY_SYSTEMS.has(system) ? value : `${system}|(withheld)`;
            }),
          }
        : ref,
    ),
  };
  return toSearchQuery(withheld).toString();
}

/**
 * A digest of what selects and orders rows (not the page size), binding a cursor to its search.
 * Sorted, because filters AND together in any order and a next link may list them differently.
 */
export function searchDigest(search: AuditSearch): string {
  const pairs = [...toSearchQuery(search)]
    .filter(([name]) => name !== '_count')
    .map(([name, value]) => JSON.stringify([name, value]))
    .sort();
  return digestOf(pairs);
}
