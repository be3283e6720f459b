// Reads `date` (AuditEvent.recorded): eq/ge/gt/le/lt with FHIR date or dateTime precision, repeats intersect.
import type { DateRange } from './audit-search.js';
import { invalidParameter } from './invalid-parameter.js';

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
const PREFIXES = ['eq', 'ge', 'gt', 'le', 'lt'] as const;
type Prefix = (typeof PREFIXES)[number];

const FORM = 'must be [eq|ge|gt|le|lt] followed by a FHIR date or dateTime (a time needs a zone)';
const invalid = (): Error => invalidParameter('date', FORM);

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number): number =>
  [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;

/** Epoch ms of a UTC midnight; setUTCFullYear because Date.UTC maps years 0-99 to 1900-1999. */
function utc(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/** The instants a value covers: [start, end), e.g. a whole day for `2025-03-01` (UTC). */
function implicitRange(text: string): DateRange {
  const m = DATE_TIME.exec(text);
  if (m === null) throw invalid();
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) throw invalid();
  if (mo === undefined) return { from: utc(year, 1, 1), to: utc(year + 1, 1, 1) };
  if (d === undefined) {
    return { from: utc(year, month, 1), to: utc(year, month + 1, 1) };
  }
  if (h === undefined) {
    return { from: utc(year, month, day), to: utc(year, month, day) + 86_400_000 };
  }
  const [hour, minute, second] = [Number(h), Number(mi), s === undefined ? 0 : Number(s)];
  if (hour > 23 || minute > 59 || second > 59) throw invalid();
  const digits = fraction ?? '';
  const millis = Number(digits.padEnd(3, '0').slice(0, 3));
  const offset = zoneOffset(zone ?? 'Z');
  const from =
    utc(year, month, day) + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset;
  // Why the span follows the precision: `2025-03-01T10:00Z` is that whole minute, `…:00.5Z` 100 ms.
  const span =
    s === undefined ? 60_000 : digits.length === 0 ? 1000 : 10 ** Math.max(0, 3 - digits.length);
  return { from, to: from + span };
}

function zoneOffset(zone: string): number {
  if (zone === 'Z') return 0;
  const [hours, minutes] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
  if (hours > 14 || minutes > 59) throw invalid();
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

/** FHIR search semantics for a point in time (`recorded`) against the value's implicit range. */
function toRange(prefix: Prefix, { from, to }: DateRange): DateRange {
  switch (prefix) {
    case 'eq':
      return { from, to };
    case 'ge':
      return { from, to: Infinity };
    case 'gt':
      return { from: to, to: Infinity };
    case 'le':
      return { from: -Infinity, to };
    case 'lt':
      return { from: -Infinity, to: from };
  }
}

export function readDateValue(value: string): DateRange {
  const prefix = PREFIXES.find((candidate) => value.startsWith(candidate));
  if (prefix === undefined && /^[a-z]{2}/.test(value)) {
    throw invalidParameter('date', 'supports only the prefixes eq, ge, gt, le and lt');
  }
  return toRange(prefix ?? 'eq', implicitRange(prefix === undefined ? value : value.slice(2)));
}

/** Outside years 0000-9999 an ISO instant no longer sorts as text, nor reads back as a FHIR date. */
const FIRST = utc(0, 1, 1);
const BEYOND_LAST = utc(10000, 1, 1);
/** The one spelling of a range that matches nothing, so every empty search continues alike. */
export const EMPTY_RANGE: DateRange = { from: -Infinity, to: FIRST };

/** Every occurrence must hold (FHIR AND), so the range is their intersection; it may be empty. */
export function readDateRange(values: readonly string[]): DateRange {
  const { from, to } = values
    .map(readDateValue)
    .reduce(
      (range, next) => ({ from: Math.max(range.from, next.from), to: Math.min(range.to, next.to) }),
      { from: -Infinity, to: Infinity },
    );
  const range = { from: from <= FIRST ? -Infinity : from, to: to >= BEYOND_LAST ? Infinity : to };
  return range.from >= range.to || range.from >= BEYOND_LAST || range.to <= FIRST
    ? EMPTY_RANGE
    : range;
}
