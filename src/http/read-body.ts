// Reads a request body within the size limit while it streams, then parses it strictly.
import type { Request } from 'express';
import getRawBody from 'raw-body';
import { GatewayError, decodeUtf8, parseStrictJson } from '../kernel/index.js';
import { checkFormText } from './check-request-text.js';

export interface BodyLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
}

/** The raw bytes, refused with 413 as soon as they exceed the limit (or at once if Content-Length does). */
export async function readRawBody(req: Request, maxBytes: number): Promise<Buffer> {
  try {
    return await getRawBody(req, { limit: maxBytes, length: req.get('content-length') ?? null });
  } catch (cause) {
    const type = (cause as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      throw new GatewayError(
        'ENLACE_BODY_TOO_LARGE',
        `The request body exceeds the limit of ${maxBytes} bytes.`,
        { cause },
      );
    }
    throw new GatewayError(
      'ENLACE_MALFORMED_JSON',
      'The request body could not be read completely.',
      {
        cause,
      },
    );
  }
}

/** Reads and parses a JSON body: UTF-8 checked, depth and keys checked before any object is built. */
export async function readJsonBody(req: Request, limits: BodyLimits): Promise<unknown> {
  const bytes = await readRawBody(req, limits.maxBytes);
  if (bytes.length === 0) {
    throw new GatewayError('ENLACE_BODY_REQUIRED', 'This request needs a JSON body.');
  }
  return parseStrictJson(decodeUtf8(bytes), { maxDepth: limits.maxDepth });
}

export const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Reads form parameters; a repeated parameter is refused, as RFC 6749 §3.2 requires. */
export async function readFormBody(req: Request, maxBytes: number): Promise<Map<string, string>> {
  const text = decodeUtf8(await readRawBody(req, maxBytes));
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (params.has(name)) {
      throw new GatewayError(
        'ENLACE_FORM_DUPLICATE_PARAMETER',
        `The parameter ${name.slice(0, 64)} appears more than once.`,
      );
    }
    params.set(name, value);
  }
  checkFormText(params);
  return params;
}

export const JOSE_TYPE = 'application/jose';

/** Reads a compact JOSE serialisation (a JWE) as text; it is decrypted and parsed by the capability. */
export async function readJoseBody(req: Request, maxBytes: number): Promise<string> {
  const text = decodeUtf8(await readRawBody(req, maxBytes)).trim();
  if (text.length === 0) {
    throw new GatewayError('ENLACE_BODY_REQUIRED', 'This request needs a compact JWE body.');
  }
  return text;
}
