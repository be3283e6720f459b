// Reads FHIR date and dateTime values as the span of time they name, for period checks.

export interface InstantSpan {
  /** First millisecond the value covers (epoch ms). */
  readonly from: number;
  /** First millisecond after it (epoch ms): "2025-06-30" covers the whole day, in UTC. */
  readonly until: number;
}

const FHIR_DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** The span a FHIR `date` or `dateTime` names, or undefined when the text is not one. */
export function toInstantSpan(text: string): InstantSpan | undefined {
  const match = FHIR_DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, , , fraction, zone] = match;
  if (hour !== undefined && zone !== undefined) {
    const from = Date.parse(text);
    if (Number.isNaN(from)) return undefined;
    return { from, until: from + (fraction === undefined ? 1000 : 1) };
  }
  const y = Number(year);
  if (month === undefined) return { from: Date.UTC(y, 0, 1), until: Date.UTC(y + 1, 0, 1) };
  const m = Number(month) - 1;
  if (m < 0 || m > 11) return undefined;
  if (day === undefined) return { from: Date.UTC(y, m, 1), until: Date.UTC(y, m + 1, 1) };
  const d = Number(day);
  const from = Date.UTC(y, m, d);
  // Why: Date.UTC rolls 2025-02-30 over into March; a date that does not exist is unreadable.
  if (new Date(from).getUTCDate() !== d || d < 1) return undefined;
  return { from, until: Date.UTC(y, m, d + 1) };
}
