// Who may use the auditors' routes: a signed-in auditor, or the system of an oversight body holding system/AuditEvent.*.
import { actorFromPrincipal, type AuditActor } from '../audit/index.js';
import type { AccessRequirement } from '../kernel/index.js';
import { principalOf } from './principal-of.js';
import type { RequestContext } from './route.js';

/**
 * Why two kinds: auditors are people (two-factor sessions), and an oversight body's own system
 * audits by machine with SMART Backend Services; the network policy grants `system/AuditEvent.rs`
 * to the `oversight` role alone, so the scope means exactly "an auditor's client".
 */
export const auditorAccess = (
  scope: 'system/AuditEvent.r' | 'system/AuditEvent.s',
): AccessRequirement => ({
  kind: 'any',
  of: [
    { kind: 'person', roles: ['auditor'] },
    { kind: 'partner', scope },
  ],
});

export interface AuditorIdentity {
  readonly actor: AuditActor;
  /** Stable id of the auditor: a cursor or an export belongs to it alone. */
  readonly id: string;
  /** How records name it: the username, or the oversight body's partner id. */
  readonly name: string;
}

export function auditorOf(ctx: RequestContext): AuditorIdentity {
  const principal = principalOf(ctx);
  return principal.kind === 'person'
    ? {
        actor: actorFromPrincipal(principal),
        id: `person:${principal.userId}`,
        name: principal.username,
      }
    : {
        actor: actorFromPrincipal(principal),
        id: `partner:${principal.clientId}`,
        name: principal.partnerId,
      };
}
