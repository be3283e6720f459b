// A fetch for the SDK's `fetch` option that reports every HTTP exchange (method, path, status, short bodies) as it completes.

/** One request the SDK made and the answer it got, with short, single-line excerpts of both bodies. */
export interface Exchange {
  readonly method: string;
  /** Path and query, without the origin. */
  readonly path: string;
  readonly status: number;
  readonly sent: string | undefined;
  readonly received: string | undefined;
}

const EXCERPT_CHARS = 96;
const TEXTUAL = /json|jose|text|x-www-form-urlencoded|ndjson/i;

/**
 * Why redact: the demo prints to a terminal or a CI log, and an access token (or the assertion
 * that obtains one) is a live credential for its lifetime even on a throw-away gateway.
 */
function redact(text: string): string {
  return text
    .replace(/("access_token"\s*:\s*")[^"]*/g, '$1<redacted>')
    .replace(/(client_assertion=)[^&]*/g, '$1<redacted>');
}

/** A short, single-line excerpt of a body, or its size when it is not text. */
export function excerpt(bytes: Uint8Array, contentType: string | null): string | undefined {
  if (bytes.byteLength === 0) return undefined;
  const size =
    bytes.byteLength < 1024
      ? `${bytes.byteLength} B`
      : `${(bytes.byteLength / 1024).toFixed(1)} kB`;
  if (contentType !== null && !TEXTUAL.test(contentType)) return `(${size} of ${contentType})`;
  const text = redact(new TextDecoder().decode(bytes).replace(/\s+/g, ' ').trim());
  const short = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
  return `${short} (${size})`;
}

/** Wraps `inner` so that `onExchange` hears of each exchange once its answer is read. */
export function tracedFetch(
  onExchange: (exchange: Exchange) => void,
  inner: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const sentBytes = new Uint8Array(await request.clone().arrayBuffer());
    const response = await inner(request);
    const receivedBytes = new Uint8Array(await response.clone().arrayBuffer());
    const url = new URL(request.url);
    onExchange({
      method: request.method,
      path: `${url.pathname}${url.search}`,
      status: response.status,
      sent: excerpt(sentBytes, request.headers.get('content-type')),
      received: excerpt(receivedBytes, response.headers.get('content-type')),
    });
    return response;
  };
}
