// The /docs page and the only files it loads: Swagger UI from swagger-ui-dist and the gateway's start script, read once and named by their hash.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** One file the reference serves, held in memory. */
export interface ReferenceFile {
  /** The name the page links: `<stem>.<first 12 hex digits of SHA-256>.<extension>`. */
  readonly name: string;
  /** What Accept is checked against: `text/javascript`. */
  readonly mediaType: string;
  /** The Content-Type sent: `text/javascript; charset=utf-8`. */
  readonly contentType: string;
  readonly body: Buffer;
  /** base64url SHA-256 of the body: the opaque part of its strong ETag. */
  readonly digest: string;
}

export interface ApiReference {
  readonly page: ReferenceFile;
  /** The allow-list of `/docs/{asset}`: nothing outside this map is ever read for a request. */
  readonly files: ReadonlyMap<string, ReferenceFile>;
}

interface ReferenceSource {
  readonly stem: string;
  readonly extension: 'css' | 'js' | 'png';
  /** The file on disk, resolved when the reference is first loaded. */
  readonly locate: () => string | URL;
}

const MEDIA_TYPES = { css: 'text/css', js: 'text/javascript', png: 'image/png' } as const;

export const REFERENCE_MEDIA_TYPES: readonly string[] = Object.values(MEDIA_TYPES);

const fromSwaggerUi =
  (file: string): (() => string) =>
  () =>
    createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`);

/** In the order the page loads them. */
const SOURCES: readonly ReferenceSource[] = [
  { stem: 'swagger-ui', extension: 'css', locate: fromSwaggerUi('swagger-ui.css') },
  { stem: 'favicon', extension: 'png', locate: fromSwaggerUi('favicon-32x32.png') },
  { stem: 'swagger-ui-bundle', extension: 'js', locate: fromSwaggerUi('swagger-ui-bundle.js') },
  {
    stem: 'start-reference',
    extension: 'js',
    locate: () => new URL('../../openapi/reference/start-reference.js', import.meta.url),
  },
];

function toReferenceFile(
  stem: string,
  extension: keyof typeof MEDIA_TYPES | 'html',
  body: Buffer,
): ReferenceFile {
  const mediaType = extension === 'html' ? 'text/html' : MEDIA_TYPES[extension];
  return {
    name: `${stem}.${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${extension}`,
    mediaType,
    contentType: mediaType.startsWith('text/') ? `${mediaType}; charset=utf-8` : mediaType,
    body,
    digest: createHash('sha256').update(body).digest('base64url'),
  };
}

/** Why no inline script or style: the policy allows only files from this gateway ('self'). */
function renderPage(files: readonly ReferenceFile[]): Buffer {
  const link = (stem: string): string => {
    const file = files.find((candidate) => candidate.name.startsWith(`${stem}.`));
    if (file === undefined) throw new Error(`the API reference has no ${stem}`);
    // Relative to /docs, so the page also works behind a path prefix.
    return `docs/${file.name}`;
  };
  return Buffer.from(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Enlace API reference</title>
    <link rel="stylesheet" href="${link('swagger-ui')}">
    <link rel="icon" type="image/png" href="${link('favicon')}">
  </head>
  <body>
    <noscript>This reference needs JavaScript. The OpenAPI document is at <a href="openapi.json">openapi.json</a>.</noscript>
    <div id="swagger-ui"></div>
    <script src="${link('swagger-ui-bundle')}"></script>
    <script src="${link('start-reference')}"></script>
  </body>
</html>
`);
}

/** Reads the files (about 2 MB) and builds the page that links them. */
export async function loadApiReference(): Promise<ApiReference> {
  const files = await Promise.all(
    SOURCES.map(async (source) =>
      toReferenceFile(source.stem, source.extension, await readFile(source.locate())),
    ),
  );
  return {
    page: toReferenceFile('docs', 'html', renderPage(files)),
    files: new Map(files.map((file) => [file.name, file])),
  };
}
