// The SDK's exceptions: the gateway's refusals with their OperationOutcome, OAuth refusals, and failed verifications.
import type { OperationOutcome } from '@medplum/fhirtypes';
import { ERROR_CODE_SYSTEM, REQUEST_ID_EXTENSION } from '../fhir/index.js';

/** The gateway refused a request: `status` and the OperationOutcome it answered, as sent. */
export class EnlaceError extends Error {
  override readonly name = 'EnlaceError';
  /** The first issue's stable Enlace code (`ENLACE_*`), when it has one. */
  readonly code: string | undefined;
  /** The request id the gateway logged, to quote to its operator. */
  readonly requestId: string | undefined;

  constructor(
    readonly status: number,
    readonly outcome: OperationOutcome,
  ) {
    super(describeOutcome(status, outcome));
    const codes = outcome.issue.flatMap((issue) => issue.details?.coding ?? []);
    this.code = codes.find((coding) => coding.system === ERROR_CODE_SYSTEM)?.code;
    this.requestId = outcome.extension?.find((e) => e.url === REQUEST_ID_EXTENSION)?.valueString;
  }
}

/** The token endpoint refused (RFC 6749 §5.2): `invalid_client`, `invalid_scope`… */
export class EnlaceOAuthError extends Error {
  override readonly name = 'EnlaceOAuthError';

  constructor(
    readonly status: number,
    readonly error: string,
    readonly errorDescription: string | undefined,
  ) {
    super(`${status} ${error}${errorDescription === undefined ? '' : `: ${errorDescription}`}`);
  }
}

/** What the SDK checks for itself rather than taking the gateway's word. */
export type VerificationCheck =
  | 'access-token'
  | 'acknowledgement'
  | 'audit-checkpoint'
  | 'audit-proof'
  | 'decryption'
  | 'notice'
  | 'provenance'
  | 'push'
  | 'referral'
  | 'sender-signature';

/**
 * Something received did not verify. Why one message per check and the detail only in `cause`:
 * the same rule as the gateway's — which property failed is for the log, not for a forger.
 */
export class EnlaceVerificationError extends Error {
  override readonly name = 'EnlaceVerificationError';

  constructor(
    readonly check: VerificationCheck,
    options: { readonly cause?: unknown } = {},
  ) {
    super(`${check} verification failed`, options);
  }
}

/** The gateway answered something that is not what its API describes (not JSON, not FHIR). */
export class EnlaceProtocolError extends Error {
  override readonly name = 'EnlaceProtocolError';

  constructor(
    message: string,
    readonly status?: number,
    options: { readonly cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** One readable line: `403 ENLACE_CONSENT_DENIED: Her consent does not permit … (Bundle.entry[3])`. */
function describeOutcome(status: number, outcome: OperationOutcome): string {
  const parts = outcome.issue.map((issue) => {
    const code = (issue.details?.coding ?? []).find((c) => c.system === ERROR_CODE_SYSTEM)?.code;
    const text = issue.details?.text ?? issue.diagnostics ?? issue.code;
    const where = issue.expression?.length ? ` (${issue.expression.join(', ')})` : '';
    return `${code === undefined ? '' : `${code}: `}${text}${where}`;
  });
  return `${status} ${parts.join('; ')}`;
}
