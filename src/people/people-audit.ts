// AuditEvents of person sign-in and sign-out (DCM 110114/110122, 110123) and of account changes (DCM 110113/110137), per IHE BALP.
import type { AuditEvent } from '@medplum/fhirtypes';
import { auditSubtype, auditType, buildAuditEvent, GATEWAY_OBSERVER } from '../audit/index.js';

/** Identifier system of person usernames in AuditEvents; the value is the username, never a secret. */
export const USERNAME_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/person-username';

const asUser = (username: string) => ({ system: USERNAME_SYSTEM, value: username });

export interface SignInAuditInput {
  /** The username as submitted (lower-cased), or a placeholder when it was not a valid name. */
  readonly username: string;
  readonly success: boolean;
  /** For failures: the stable code and why, e.g. `ENLACE_SIGN_IN_FAILED: wrong password`. */
  readonly detail?: string;
  readonly recorded: Date;
  readonly requestId: string | undefined;
}

/** One sign-in attempt (either step), successful or refused. */
export function buildSignInAudit(input: SignInAuditInput): AuditEvent {
  return buildAuditEvent({
    type: auditType.userAuthentication,
    subtype: auditSubtype.login,
    action: 'E',
    outcome: input.success ? '0' : '4',
    ...(input.detail === undefined ? {} : { outcomeDesc: input.detail }),
    recorded: input.recorded,
    agents: [{ identifier: asUser(input.username), requestor: true }],
    ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
  });
}

/** A person ending their own session (DCM 110123 Logout). */
export function buildSignOutAudit(input: {
  readonly username: string;
  readonly recorded: Date;
  readonly requestId: string | undefined;
}): AuditEvent {
  return buildAuditEvent({
    type: auditType.userAuthentication,
    subtype: auditSubtype.logout,
    action: 'E',
    outcome: '0',
    recorded: input.recorded,
    agents: [{ identifier: asUser(input.username), requestor: true }],
    ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
  });
}

export interface AccountChangeAuditInput {
  /** The account that changed. */
  readonly username: string;
  /** Who changed it: an operator's username, or undefined when the gateway itself did (a lockout). */
  readonly actor: string | undefined;
  readonly action: 'C' | 'U';
  readonly description: string;
  readonly recorded: Date;
  readonly requestId?: string | undefined;
}

/** An account created, locked, unlocked, disabled or its sessions revoked: a security alert an auditor can filter on. */
export function buildAccountChangeAudit(input: AccountChangeAuditInput): AuditEvent {
  return buildAuditEvent({
    type: auditType.securityAlert,
    subtype: auditSubtype.userSecurityAttributesChanged,
    action: input.action,
    outcome: '0',
    outcomeDesc: input.description,
    recorded: input.recorded,
    agents: [
      input.actor === undefined
        ? { reference: GATEWAY_OBSERVER, display: 'Enlace gateway' }
        : { identifier: asUser(input.actor) },
    ],
    entities: [{ identifier: asUser(input.username), description: 'person account' }],
    ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
  });
}
