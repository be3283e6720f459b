// Loads openapi/enlace.yaml once at start; the same document is served and checked against the route table.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export const OPENAPI_PATH = new URL('../../openapi/enlace.yaml', import.meta.url);

export async function loadOpenApiDocument(): Promise<Record<string, unknown>> {
  const document: unknown = parse(await readFile(OPENAPI_PATH, 'utf8'));
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error('openapi/enlace.yaml is not an OpenAPI document');
  }
  return document as Record<string, unknown>;
}
