// Prefer: return= (RFC 7240, FHIR http.html#ops): what a create or update answers with — the resource, nothing, or an OperationOutcome.
import { buildOperationOutcome } from '../fhir/index.js';
import type { RequestContext, RouteResponse } from './route.js';

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

const RETURN_VALUES: readonly ReturnPreference[] = [
  'minimal',
  'representation',
  'OperationOutcome',
];

/** One preference of a Prefer header: `token [= word]`, parameters after `;` dropped. */
function preferenceOf(text: string): { readonly name: string; readonly value: string } {
  const [head = ''] = text.split(';');
  const equals = head.indexOf('=');
  const name = (equals === -1 ? head : head.slice(0, equals)).trim().toLowerCase();
  const raw = equals === -1 ? '' : head.slice(equals + 1).trim();
  const value =
    raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  return { name, value };
}

/**
 * The `return` preference, or undefined when none is stated or its value is unknown. RFC 7240:
 * preferences the server does not understand are ignored, and of a repeated one only the first counts.
 */
export function readReturnPreference(
  headers: RequestContext['headers'],
): ReturnPreference | undefined {
  const raw = headers.prefer;
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  // Why a plain split: the FHIR return values hold no commas or quotes worth keeping.
  const first = text
    .split(',')
    .map(preferenceOf)
    .find((preference) => preference.name === 'return');
  return RETURN_VALUES.find((value) => value === first?.value);
}

export interface WriteAnswer {
  /** 201 for a create, 200 for an update or a conditional create that found the resource. */
  readonly status: number;
  readonly resource: unknown;
  /** ETag, Last-Modified and Location of the version written (or found). */
  readonly headers: Readonly<Record<string, string>>;
  /** What happened, for `return=OperationOutcome`; never case content. */
  readonly outcome: string;
}

/**
 * The answer to a create or update as the caller preferred: `representation` (the default) the
 * resource, `minimal` no body, `OperationOutcome` an informational OperationOutcome. The validators
 * and Location are sent in every case, and Preference-Applied says which preference was honoured.
 */
export function answerWrite(
  ctx: Pick<RequestContext, 'headers' | 'requestId'>,
  answer: WriteAnswer,
): RouteResponse {
  const preference = readReturnPreference(ctx.headers);
  const headers = {
    ...answer.headers,
    ...(preference === undefined ? {} : { 'Preference-Applied': `return=${preference}` }),
  };
  switch (preference) {
    case 'minimal':
      return { status: answer.status, headers, body: undefined };
    case 'OperationOutcome':
      return {
        status: answer.status,
        headers,
        body: buildOperationOutcome(
          [{ severity: 'information', code: 'informational', text: answer.outcome }],
          ctx.requestId,
        ),
      };
    default:
      return { status: answer.status, headers, body: answer.resource };
  }
}
