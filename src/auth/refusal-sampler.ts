// Counts anonymous refusals per source and minute: the first is recorded at once, the rest as one count.
import type { AuditEvent } from '@medplum/fhirtypes';

const WINDOW_MS = 60_000;
/** Sources tracked in one minute; past this, further sources share one bucket (memory stays bounded). */
const MAX_SOURCES = 10_000;
const OVERFLOW = 'other sources';

interface Bucket {
  readonly window: number;
  further: number;
  /** The first refusal's event, whose shape the summary reuses. */
  readonly first: AuditEvent;
}

export interface RefusalSampler {
  /**
   * Whether this anonymous refusal is the first of its source in the current minute (record it);
   * otherwise it is counted. Returns the summaries of windows that have closed, to append.
   */
  admit(
    source: string,
    at: Date,
    event: AuditEvent,
  ): { readonly record: boolean; readonly closed: AuditEvent[] };
  /** Summaries of every window with counted refusals (at shutdown). */
  drain(): AuditEvent[];
}

/**
 * Why sample: requests without any credible identity cost an attacker nothing, and recording each
 * would let anyone grow the ledger at will and bury what matters. One event per source and
 * minute, plus a count of the rest, keeps the evidence without the flood.
 */
export function createRefusalSampler(
  summarize: (bucket: { first: AuditEvent; further: number; windowStart: Date }) => AuditEvent,
): RefusalSampler {
  const buckets = new Map<string, Bucket>();
  const summaries = (keep: (bucket: Bucket) => boolean): AuditEvent[] => {
    const closed: AuditEvent[] = [];
    for (const [source, bucket] of buckets) {
      if (keep(bucket)) continue;
      buckets.delete(source);
      if (bucket.further > 0) {
        closed.push(
          summarize({
            first: bucket.first,
            further: bucket.further,
            windowStart: new Date(bucket.window * WINDOW_MS),
          }),
        );
      }
    }
    return closed;
  };
  return {
    admit(source, at, event) {
      const window = Math.floor(at.getTime() / WINDOW_MS);
      const closed = summaries((bucket) => bucket.window === window);
      const key = buckets.has(source) || buckets.size < MAX_SOURCES ? source : OVERFLOW;
      const bucket = buckets.get(key);
      if (bucket === undefined) {
        buckets.set(key, { window, further: 0, first: event });
        return { record: true, closed };
      }
      bucket.further += 1;
      return { record: false, closed };
    },
    drain: () => summaries(() => false),
  };
}
