// Walks a FHIR searchset page by page along its `next` links, yielding each entry's resource.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { EnlaceProtocolError } from '../errors.js';
import { asResource } from './as-resource.js';
import { failureOf, readBody } from './read-failure.js';
import type { GatewayHttp } from './gateway-http.js';

/**
 * Why follow `next` as given: the gateway's cursor is sealed and bound to the search, so a page
 * built by hand would be refused; and keyset paging means nothing is skipped or repeated.
 */
export async function* searchPages(
  http: GatewayHttp,
  firstPage: Bundle,
): AsyncGenerator<Bundle, void, undefined> {
  let page: Bundle = firstPage;
  for (;;) {
    if (page.type !== 'searchset') {
      throw new EnlaceProtocolError('a search answered something other than a searchset Bundle');
    }
    yield page;
    const next = page.link?.find((link) => link.relation === 'next')?.url;
    if (next === undefined) return;
    const response = await http.follow(next, { headers: { Accept: 'application/fhir+json' } });
    const body = await readBody(response);
    if (!response.ok) throw failureOf(response.status, body);
    page = asResource<Bundle>(body, 'Bundle');
  }
}

/** Every resource of every page, in the server's order. */
export async function* searchResources<T extends Resource>(
  http: GatewayHttp,
  firstPage: Bundle,
  type: T['resourceType'],
): AsyncGenerator<T, void, undefined> {
  for await (const page of searchPages(http, firstPage)) {
    for (const entry of page.entry ?? []) {
      const resource = entry.resource;
      if (resource?.resourceType !== type) {
        throw new EnlaceProtocolError(
          `a ${type} search returned a ${resource?.resourceType ?? 'missing'} entry`,
        );
      }
      yield resource as T;
    }
  }
}
