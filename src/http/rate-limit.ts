// Charges every call to its budget before it costs more: public routes by source address, protected ones by authenticated caller.
import { TOKEN_PATH } from '../auth/index.js';
import { GatewayError, isGatewayError, type Principal } from '../kernel/index.js';
import type { LimitVerdict, Protection, ThrottledCall } from '../protection/index.js';
import type { Route } from './route.js';

/**
 * Never limited nor shed: the balancer's and orchestrator's probes must always get an answer, and
 * the metrics scrape is how an operator sees the overload.
 */
export const UNPROTECTED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Public routes where a credential is presented (client assertion, password, TOTP code). */
const CREDENTIAL_PATHS: ReadonlySet<string> = new Set([TOKEN_PATH, '/auth/login', '/auth/totp']);

/**
 * Authorizes the call (when the route needs it) and counts it; throws ENLACE_RATE_LIMITED (429
 * with Retry-After) past the budget. Returns the principal `authorize` gave.
 */
export type CallLimiter = (
  route: Route,
  call: ThrottledCall,
  authorize: (() => Promise<Principal>) | undefined,
) => Promise<Principal | undefined>;

const callerOf = (principal: Principal): string =>
  principal.kind === 'partner' ? `partner:${principal.clientId}` : `person:${principal.userId}`;

function throttled(verdict: LimitVerdict, cause?: unknown): GatewayError {
  const wait = String(verdict.retryAfterSeconds);
  return new GatewayError(
    'ENLACE_RATE_LIMITED',
    `Too many requests: the budget is ${verdict.budget} per minute; retry after ${wait} s.`,
    { headers: { 'Retry-After': wait }, ...(cause === undefined ? {} : { cause }) },
  );
}

export function limitCalls(protection: Pick<Protection, 'limiter' | 'throttled'>): CallLimiter {
  const { limiter } = protection;
  return async (route, call, authorize) => {
    if (UNPROTECTED_PATHS.has(route.path)) return authorize?.();
    if (authorize === undefined) {
      // Why stricter at credential routes: they are where keys, passwords and TOTP codes are
      // guessed, so they have a budget of their own per source address, apart from discovery.
      const kind = CREDENTIAL_PATHS.has(route.path) ? 'credentials' : 'anonymous';
      const verdict = await limiter.check(kind, call.source);
      if (verdict?.allowed === false) throw throttled(verdict);
      return undefined;
    }
    let principal: Principal;
    try {
      principal = await authorize();
    } catch (error) {
      // Why: a call without a valid credential is anonymous whatever route it knocks at;
      // counting it by source address stops token probing at the anonymous budget. The refusal
      // itself was audited by the authorizer (sampled, as anonymous refusals are).
      if (isGatewayError(error) && error.status === 401) {
        const verdict = await limiter.check('anonymous', call.source);
        if (verdict?.allowed === false) throw throttled(verdict, error);
      }
      throw error;
    }
    const verdict = await limiter.check('client', callerOf(principal));
    if (verdict?.allowed === false) {
      const refusal = throttled(verdict);
      // Why audit: an identified institution or person over its budget is evidence, as its
      // other refusals are; the recorder samples, so the flood does not become one of writes.
      await protection.throttled.record(principal, call, refusal);
      throw refusal;
    }
    return principal;
  };
}
