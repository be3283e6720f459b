// Step 1 — decrypt: a compact JWE to the gateway becomes strictly parsed JSON; plain JSON only where allowed.
import { decryptInbound } from '../../crypto/index.js';
import { GatewayError, decodeUtf8, parseStrictJson } from '../../kernel/index.js';
import type { SubmissionDeps } from './submission-deps.js';
import type { SubmissionInput } from './submission-types.js';

export async function decryptSubmission(
  input: SubmissionInput,
  deps: Pick<SubmissionDeps, 'keys' | 'limits' | 'allowPlainSubmissions'>,
): Promise<unknown> {
  if (input.mediaType === 'application/fhir+json') {
    // Why: a plain message crosses every proxy and log readable; production demands encryption.
    if (!deps.allowPlainSubmissions) {
      throw new GatewayError(
        'ENLACE_PLAIN_SUBMISSION_REFUSED',
        'This gateway accepts messages only encrypted to its key: send application/jose.',
      );
    }
    return input.body;
  }
  if (typeof input.body !== 'string') {
    throw new GatewayError(
      'ENLACE_JWE_MALFORMED',
      'The body is not a JWE in compact serialization.',
    );
  }
  // Why the body limit for both bounds: the plaintext of an A256GCM JWE is never longer than its
  // ciphertext, so nothing inside may be larger than what the HTTP layer would accept in the clear.
  const { plaintext } = await decryptInbound(input.body, deps.keys, {
    maxCompactLength: deps.limits.maxBytes,
    maxPlaintextBytes: deps.limits.maxBytes,
  });
  return parseStrictJson(decodeUtf8(plaintext), { maxDepth: deps.limits.maxDepth });
}
