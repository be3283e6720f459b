// Conditional reads (RFC 9110 §13): every FHIR read sends its version as ETag and Last-Modified and answers 304 when the caller already holds it.
import type { Resource } from '@medplum/fhirtypes';
import { versionEtag } from '../fhir/index.js';
import { GatewayError } from '../kernel/index.js';
import type { RequestContext, RouteResponse } from './route.js';

/** What identifies one version of a resource: FHIR `meta.versionId` and `meta.lastUpdated`. */
export interface ResourceVersion {
  readonly versionId: string;
  /** ISO-8601; sent as Last-Modified, which has one-second precision. */
  readonly lastUpdated: string;
}

/** The version a read resource carries in its meta; a read without one is a wiring mistake. */
export function versionOf(resource: Resource): ResourceVersion {
  const versionId = resource.meta?.versionId;
  const lastUpdated = resource.meta?.lastUpdated;
  if (versionId === undefined || lastUpdated === undefined) {
    throw new GatewayError(
      'ENLACE_INTERNAL',
      `${resource.resourceType} read without meta.versionId and meta.lastUpdated`,
    );
  }
  return { versionId, lastUpdated };
}

/** ETag and Last-Modified of a version, as every read and every write answers them. */
export function versionHeaders(version: ResourceVersion): Record<string, string> {
  return {
    ETag: versionEtag(version.versionId),
    'Last-Modified': new Date(version.lastUpdated).toUTCString(),
  };
}

const headerText = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(', ') : value;

/** The opaque tags of an If-None-Match list (`W/` dropped: GET compares weakly), or undefined when malformed. */
function entityTags(value: string): string[] | undefined {
  const tag = /(?:\s*,)*\s*(?:W\/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)/y;
  const tags: string[] = [];
  while (tag.lastIndex < value.length) {
    const start = tag.lastIndex;
    const match = tag.exec(value);
    if (match?.[1] === undefined) {
      return /^[\s,]*$/.test(value.slice(start)) ? tags : undefined;
    }
    tags.push(match[1]);
  }
  return tags;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const TIME = String.raw`(\d{2}):(\d{2}):(\d{2})`;
const IMF_FIXDATE = new RegExp(
  String.raw`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (${MONTH}) (\d{4}) ${TIME} GMT$`,
);
const RFC850_DATE = new RegExp(
  String.raw`^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\d{2})-(${MONTH})-(\d{2}) ${TIME} GMT$`,
);
const ASCTIME_DATE = new RegExp(
  String.raw`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) ([ \d]\d) ${TIME} (\d{4})$`,
);

function utc(
  year: number,
  month: string,
  day: number,
  time: readonly string[],
): number | undefined {
  const [hours, minutes, seconds] = time.map(Number);
  const monthIndex = MONTHS.indexOf(month);
  const at = new Date(Date.UTC(year, monthIndex, day, hours, minutes, seconds));
  // Why the round trip: Date.UTC rolls 31 Feb over into March instead of refusing it.
  const valid =
    at.getUTCFullYear() === year &&
    at.getUTCMonth() === monthIndex &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hours &&
    at.getUTCMinutes() === minutes &&
    at.getUTCSeconds() === seconds;
  return valid ? at.getTime() : undefined;
}

/**
 * An HTTP-date (RFC 9110 §5.6.7) in milliseconds: IMF-fixdate, and the obsolete RFC 850 and
 * asctime forms recipients must still accept. Anything else is not a date, and the header is ignored.
 */
export function parseHttpDate(text: string, now: Date = new Date()): number | undefined {
  const fixed = IMF_FIXDATE.exec(text);
  if (fixed !== null) {
    const [, day = '', month = '', year = '', ...time] = fixed;
    return utc(Number(year), month, Number(day), time);
  }
  const rfc850 = RFC850_DATE.exec(text);
  if (rfc850 !== null) {
    const [, day = '', month = '', shortYear = '', ...time] = rfc850;
    // Two-digit years more than 50 years ahead belong to the previous century (RFC 9110 §5.6.7).
    const century = Math.floor(now.getUTCFullYear() / 100) * 100;
    let year = century + Number(shortYear);
    if (year > now.getUTCFullYear() + 50) year -= 100;
    return utc(year, month, Number(day), time);
  }
  const asctime = ASCTIME_DATE.exec(text);
  if (asctime !== null) {
    const [, month = '', day = '', hours = '', minutes = '', seconds = '', year = ''] = asctime;
    return utc(Number(year), month, Number(day.trim()), [hours, minutes, seconds]);
  }
  return undefined;
}

/**
 * Whether If-None-Match names the opaque tag (the text between the quotes) or is `*`, compared
 * weakly as GET requires; undefined when the request has no If-None-Match. Also used by routes
 * whose validator is no FHIR version (the JWKS).
 */
export function ifNoneMatchHits(
  headers: RequestContext['headers'],
  opaqueTag: string,
): boolean | undefined {
  const ifNoneMatch = headerText(headers['if-none-match']);
  if (ifNoneMatch === undefined) return undefined;
  if (ifNoneMatch.trim() === '*') return true;
  return entityTags(ifNoneMatch)?.includes(opaqueTag) ?? false;
}

/**
 * RFC 9110 §13.2.2 for GET and HEAD: If-None-Match decides when present (a match, or `*`, means
 * not modified) and If-Modified-Since is then ignored; otherwise If-Modified-Since compares at the
 * one-second precision Last-Modified has. A malformed header never answers 304.
 */
export function isNotModified(
  headers: RequestContext['headers'],
  version: ResourceVersion,
): boolean {
  const matches = ifNoneMatchHits(headers, version.versionId);
  if (matches !== undefined) return matches;
  const ifModifiedSince = headerText(headers['if-modified-since']);
  if (ifModifiedSince === undefined) return false;
  const since = parseHttpDate(ifModifiedSince.trim());
  if (since === undefined) return false;
  const modified = Math.floor(new Date(version.lastUpdated).getTime() / 1000) * 1000;
  return modified <= since;
}

export interface ReadAnswerOptions {
  readonly headers?: Readonly<Record<string, string>>;
  readonly contentType?: string;
}

/**
 * The answer to a read the caller was already authorized, consent-checked and audited for: the
 * body with its validators, or 304 with the same validators and no body. Why the order matters:
 * a 304 still tells the caller the version is unchanged, so it is earned like the read itself.
 */
export function answerRead(
  ctx: Pick<RequestContext, 'headers'>,
  body: unknown,
  version: ResourceVersion,
  options: ReadAnswerOptions = {},
): RouteResponse {
  const headers = { ...versionHeaders(version), ...options.headers };
  if (isNotModified(ctx.headers, version)) return { status: 304, headers, body: undefined };
  return {
    headers,
    body,
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
  };
}

/** answerRead for a FHIR resource, whose meta carries its version. */
export const answerResourceRead = (
  ctx: Pick<RequestContext, 'headers'>,
  resource: Resource,
  options: ReadAnswerOptions = {},
): RouteResponse => answerRead(ctx, resource, versionOf(resource), options);
