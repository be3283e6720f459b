// The pull inbox of notices: read them (each verified), then acknowledge them by id so they are not returned again.
import type { Bundle, Parameters } from '@medplum/fhirtypes';
import type { Session } from '../session.js';
import { asResource } from '../transport/as-resource.js';
import { searchPages } from '../transport/pages.js';
import { unwrap } from '../transport/read-failure.js';
import { verifyNotice, type VerifiedNotice } from '../verify/verify-notice.js';

export interface NoticesApi {
  /**
   * Unacknowledged notices, oldest first, across every page. Reading acknowledges nothing: what
   * is not acknowledged comes back at the next read.
   */
  pending(options?: { readonly count?: number }): AsyncGenerator<VerifiedNotice, void, undefined>;
  /** `POST /fhir/$acknowledge-notices` (1 to 100 ids per call); repeating one is harmless. */
  acknowledge(ids: readonly string[]): Promise<void>;
}

const MAX_PER_ACKNOWLEDGEMENT = 100;

export function createNoticesApi(session: Session): NoticesApi {
  const { http } = session;
  return {
    pending: async function* (options = {}) {
      const first = unwrap(
        await http.api.GET('/fhir/$notices', {
          params: { query: options.count === undefined ? {} : { _count: options.count } },
        }),
      );
      const me = await session.me();
      for await (const page of searchPages(http, asResource<Bundle>(first, 'Bundle'))) {
        for (const entry of page.entry ?? []) {
          const message = asResource<Bundle>(entry.resource, 'Bundle');
          yield await verifyNotice(message, {
            gatewayKeys: session.gatewayKeys,
            me,
            now: session.now(),
          });
        }
      }
    },
    acknowledge: async (ids) => {
      for (let start = 0; start < ids.length; start += MAX_PER_ACKNOWLEDGEMENT) {
        const parameter = ids
          .slice(start, start + MAX_PER_ACKNOWLEDGEMENT)
          .map((id) => ({ name: 'notice', valueId: id }));
        asResource<Parameters>(
          unwrap(
            await http.api.POST('/fhir/$acknowledge-notices', {
              body: { resourceType: 'Parameters', parameter },
              headers: { 'Content-Type': 'application/fhir+json' },
            }),
          ),
          'Parameters',
        );
      }
    },
  };
}
