// The caller of a route that declared `access`: the authorizer guaranteed it, these only narrow the type.
import {
  GatewayError,
  type PartnerPrincipal,
  type PersonPrincipal,
  type Principal,
} from '../kernel/index.js';
import type { RequestContext } from './route.js';

// Why throw: reaching here without the principal a route declared is a wiring mistake, never a client's.
const missing = (what: string): GatewayError =>
  new GatewayError('ENLACE_INTERNAL', `route reached without a ${what} principal`);

export function principalOf(ctx: RequestContext): Principal {
  if (ctx.principal === undefined) throw missing('');
  return ctx.principal;
}

export function partnerOf(ctx: RequestContext): PartnerPrincipal {
  if (ctx.principal?.kind !== 'partner') throw missing('partner');
  return ctx.principal;
}

export function personOf(ctx: RequestContext): PersonPrincipal {
  if (ctx.principal?.kind !== 'person') throw missing('person');
  return ctx.principal;
}
