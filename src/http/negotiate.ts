// Content negotiation: which type the answer takes (Accept, `_format`) and which request bodies are accepted.
import { parse as parseContentType, type ContentType } from 'content-type';
import type { Request } from 'express';
import Negotiator from 'negotiator';
import { FHIR_JSON, JSON_FORMAT_ALIASES, JSON_TYPE } from '../fhir/index.js';
import { GatewayError } from '../kernel/index.js';

const HTML = 'text/html';
/** FHIR `_format` values that mean HTML (http://hl7.org/fhir/R4/http.html#mime-type). */
const HTML_FORMAT_ALIASES: ReadonlySet<string> = new Set(['html', HTML]);

/** The response media type for this request, or a 406 refusal. `_format` overrides Accept, as FHIR says. */
export function chooseResponseType(req: Request, produces: readonly string[]): string {
  const format = new URL(req.originalUrl, 'http://x').searchParams.get('_format');
  if (format !== null) {
    if (JSON_FORMAT_ALIASES.has(format) && produces.includes(FHIR_JSON)) return FHIR_JSON;
    // Only routes that render a page for people (the disclosure report, /docs) produce HTML.
    if (HTML_FORMAT_ALIASES.has(format) && produces.includes(HTML)) return HTML;
    throw new GatewayError(
      'ENLACE_NOT_ACCEPTABLE',
      `_format "${format.slice(0, 40)}" is not supported; this server speaks JSON only.`,
    );
  }
  // application/json is always acceptable wherever FHIR JSON is produced.
  const offered = produces.includes(FHIR_JSON) ? [...produces, JSON_TYPE] : [...produces];
  const chosen = new Negotiator(req).mediaType(offered);
  if (chosen === undefined) {
    throw new GatewayError(
      'ENLACE_NOT_ACCEPTABLE',
      `The Accept header excludes every type this route answers with: ${produces.join(', ')}.`,
    );
  }
  return chosen === JSON_TYPE && produces.includes(FHIR_JSON) ? FHIR_JSON : chosen;
}

/** Checks the request's Content-Type and Content-Encoding against what the route consumes; returns the type. */
export function checkRequestType(req: Request, consumes: readonly string[]): string {
  const header = req.get('content-type');
  if (header === undefined) {
    throw new GatewayError(
      'ENLACE_UNSUPPORTED_MEDIA_TYPE',
      `A Content-Type is required; send one of ${consumes.join(', ')}.`,
    );
  }
  let parsed: ContentType;
  try {
    parsed = parseContentType(header);
  } catch (cause) {
    throw new GatewayError(
      'ENLACE_UNSUPPORTED_MEDIA_TYPE',
      'The Content-Type header is malformed.',
      {
        cause,
      },
    );
  }
  const charset = parsed.parameters.charset?.toLowerCase();
  if (!consumes.includes(parsed.type) || (charset !== undefined && charset !== 'utf-8')) {
    throw new GatewayError(
      'ENLACE_UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${parsed.type.slice(0, 80)} is not accepted here; send one of ${consumes.join(', ')} in UTF-8.`,
    );
  }
  // Why: compressed bodies would let a small request expand past every size limit.
  const encoding = req.get('content-encoding');
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    throw new GatewayError(
      'ENLACE_UNSUPPORTED_MEDIA_TYPE',
      'Content-Encoding is not supported; send the body uncompressed.',
    );
  }
  return parsed.type;
}
