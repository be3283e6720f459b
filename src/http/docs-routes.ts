// GET /docs: the OpenAPI document as an interactive reference, every byte served by the gateway under a policy of its own.
import Negotiator from 'negotiator';
import { GatewayError } from '../kernel/index.js';
import {
  loadApiReference,
  REFERENCE_MEDIA_TYPES,
  type ApiReference,
  type ReferenceFile,
} from './api-reference.js';
import { ifNoneMatchHits } from './conditional-read.js';
import type { RequestContext, Route, RouteResponse } from './route.js';

export const DOCS_PATH = '/docs';

/**
 * Replaces the gateway's `default-src 'none'` on these routes only. Why each source: scripts,
 * styles and the icon are this gateway's files ('self', and no inline code, so an injected
 * `<script>` or `style=` does nothing); Swagger UI's style sheet draws its icons as `data:` SVGs;
 * the page fetches the document and sends Try it out to this gateway alone (`connect-src`), so a
 * token pasted in it cannot leave for another host.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Why revalidated: the page names the files of this version, so an upgrade must show at once. */
const PAGE_CACHING = { 'Cache-Control': 'no-cache' } as const;

/** Why a year and immutable: a file's name carries its hash, so new content comes with a new name. */
const FILE_CACHING = { 'Cache-Control': 'public, max-age=31536000, immutable' } as const;

function answerFile(
  ctx: RequestContext,
  file: ReferenceFile,
  caching: Readonly<Record<string, string>>,
): RouteResponse {
  const headers = {
    ...caching,
    ETag: `"${file.digest}"`,
    'Content-Security-Policy': DOCS_CONTENT_SECURITY_POLICY,
  };
  if (ifNoneMatchHits(ctx.headers, file.digest) === true) {
    return { status: 304, body: undefined, headers };
  }
  return { body: file.body, contentType: file.contentType, headers };
}

export function docsRoutes(): Route[] {
  // Read on the first visit, not at start: a gateway nobody browses never holds the 2 MB.
  let loading: Promise<ApiReference> | undefined;
  const reference = (): Promise<ApiReference> =>
    (loading ??= loadApiReference().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
  return [
    {
      method: 'GET',
      path: DOCS_PATH,
      operationId: 'getApiReference',
      produces: ['text/html'],
      handler: async (ctx) => answerFile(ctx, (await reference()).page, PAGE_CACHING),
    },
    {
      method: 'GET',
      path: `${DOCS_PATH}/:asset`,
      operationId: 'getApiReferenceAsset',
      produces: REFERENCE_MEDIA_TYPES,
      handler: async (ctx) => {
        const name = ctx.params.asset ?? '';
        // Why a map lookup and never a path: no name, however encoded, reaches the file system.
        const file = (await reference()).files.get(name);
        if (file === undefined) {
          throw new GatewayError(
            'ENLACE_ROUTE_NOT_FOUND',
            `The API reference has no file named ${JSON.stringify(name.slice(0, 100))}.`,
          );
        }
        // The route offers three types; this file has one, which Accept must admit.
        if (new Negotiator({ headers: ctx.headers }).mediaType([file.mediaType]) === undefined) {
          throw new GatewayError(
            'ENLACE_NOT_ACCEPTABLE',
            `The Accept header excludes ${file.mediaType}, the type of this file.`,
          );
        }
        return answerFile(ctx, file, FILE_CACHING);
      },
    },
  ];
}
