// Turns a refused response into the SDK's typed exception: the OperationOutcome, the OAuth error, or a protocol fault.
import type { OperationOutcome } from '@medplum/fhirtypes';
import { EnlaceError, EnlaceOAuthError, EnlaceProtocolError } from '../errors.js';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `body` as openapi-fetch or `readBody` parsed it: JSON when it was JSON, else the text. */
export function failureOf(status: number, body: unknown): Error {
  if (isObject(body) && body.resourceType === 'OperationOutcome' && Array.isArray(body.issue)) {
    return new EnlaceError(status, body as unknown as OperationOutcome);
  }
  if (isObject(body) && typeof body.error === 'string') {
    const description = body.error_description;
    return new EnlaceOAuthError(
      status,
      body.error,
      typeof description === 'string' ? description : undefined,
    );
  }
  const text = typeof body === 'string' ? body.slice(0, 200) : '';
  return new EnlaceProtocolError(
    `the gateway answered ${status}${text ? `: ${text}` : ''}`,
    status,
  );
}

/** A raw response's body as JSON when it parses, else as text; for responses outside openapi-fetch. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The body of a successful openapi-fetch result; the typed exception otherwise. */
export function unwrap<D>(result: {
  readonly data?: D;
  readonly error?: unknown;
  readonly response: Response;
}): D {
  const { status, ok } = result.response;
  if (!ok || result.error !== undefined) throw failureOf(status, result.error);
  if (result.data === undefined) {
    throw new EnlaceProtocolError(`the gateway answered ${status} without a body`, status);
  }
  return result.data;
}
