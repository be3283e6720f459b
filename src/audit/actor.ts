// Who acted, as an AuditEvent agent: from an authenticated principal, or an operator at the command line.
import { userInfo } from 'node:os';
import type { Principal } from '../kernel/index.js';
import type { AuditActor } from './build-audit-event.js';

export const CLIENT_ID_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/client-id';
export const PERSON_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/person';
export const OS_USER_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/os-user';

export function actorFromPrincipal(principal: Principal): AuditActor {
  if (principal.kind === 'partner') {
    return {
      reference: `Organization/${principal.partnerId}`,
      identifier: { system: CLIENT_ID_SYSTEM, value: principal.clientId },
    };
  }
  return {
    identifier: { system: PERSON_SYSTEM, value: principal.username },
    display: principal.role,
  };
}

/** The operator running the `enlace` command: the OS account, since no token was presented. */
export function commandLineActor(): AuditActor {
  return {
    identifier: { system: OS_USER_SYSTEM, value: userInfo().username },
    display: 'enlace command line',
  };
}
