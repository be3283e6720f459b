// The one place errors become responses: a GatewayError's registry entry, or a generic 500 with the request id.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { buildOperationOutcome, FHIR_JSON } from '../fhir/index.js';
import { GatewayError, isGatewayError } from '../kernel/index.js';
import { isDatabaseUnavailable } from '../store/index.js';
import { requestIdOf } from './request-id.js';
import { sendResponse } from './send.js';

export const errorHandler =
  (logger: Logger) =>
  (err: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const requestId = requestIdOf(res);
    if (res.headersSent) {
      logger.error({ reqId: requestId, err }, 'error after the response started');
      next(err);
      return;
    }
    const error = toGatewayError(err);
    if (error.status >= 500) logger.error({ reqId: requestId, err }, 'request failed');
    else logger.debug({ reqId: requestId, code: error.code }, 'request refused');
    // Why: unexposed errors may carry SQL, paths or key material; the client gets a generic text.
    const text = error.expose
      ? error.message
      : `The gateway could not complete the request; quote request id ${requestId} to the operator.`;
    if (res.locals.errorFormat === 'oauth') {
      sendResponse(
        res,
        {
          status: error.status,
          body: { error: error.oauth ?? 'invalid_request', error_description: text },
          headers: { ...error.headers, Pragma: 'no-cache' },
        },
        'application/json',
      );
      return;
    }
    // A refusal with several problems (profile validation) answers one issue per problem.
    const issues =
      error.expose && error.issues.length > 0
        ? error.issues.map((issue) => ({ ...issue, errorCode: error.code }))
        : [{ code: error.issue, errorCode: error.code, text, expression: error.expression }];
    const outcome = buildOperationOutcome(issues, requestId);
    sendResponse(res, { status: error.status, body: outcome, headers: error.headers }, FHIR_JSON);
  };

/** Seconds a client should wait before retrying when the database cannot answer. */
const UNAVAILABLE_RETRY_SECONDS = '5';

function toGatewayError(err: unknown): GatewayError {
  // Why first: the store's failure may arrive wrapped in a capability's error; whatever wraps it,
  // a database that is down is a 503 the client may retry, never a 500.
  if (isDatabaseUnavailable(err)) {
    return new GatewayError(
      'ENLACE_STORE_UNAVAILABLE',
      'The gateway cannot reach its database right now; retry later.',
      { cause: err, headers: { 'Retry-After': UNAVAILABLE_RETRY_SECONDS } },
    );
  }
  if (isGatewayError(err)) return err;
  // express and its body reader tag client errors with a 4xx status; anything else is ours.
  const status = (err as { status?: unknown } | null)?.status;
  if (status === 413) {
    return new GatewayError('ENLACE_BODY_TOO_LARGE', 'The request is too large.', { cause: err });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new GatewayError('ENLACE_INVALID_PARAMETER', 'The request is malformed.', {
      cause: err,
    });
  }
  return new GatewayError('ENLACE_INTERNAL', 'unexpected failure', { cause: err });
}
