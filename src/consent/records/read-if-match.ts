// Reads an If-Match header holding a FHIR version ETag (W/"<n>"), for optimistic concurrency.
import { GatewayError } from '../../kernel/index.js';

const VERSION_ETAG = /^(?:W\/)?"([1-9]\d{0,8})"$/;

/** The version the client expects, or undefined when it sent no If-Match. */
export function readIfMatch(header: string | readonly string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const text = typeof header === 'string' ? header.trim() : undefined;
  const match = text === undefined ? null : VERSION_ETAG.exec(text);
  if (match?.[1] === undefined) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      'If-Match must be one version ETag such as W/"1".',
      { expression: ['If-Match'] },
    );
  }
  return Number(match[1]);
}

export const versionEtag = (version: number): string => `W/"${version}"`;
