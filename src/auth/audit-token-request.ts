// Builds the AuditEvent of a token request (BALP, ITI-71 Get Access Token): who asked, for which partner, with what outcome.
import type { AuditEvent } from '@medplum/fhirtypes';
import { auditSubtype, auditType, buildAuditEvent, type AuditSubject } from '../audit/index.js';

export const CLIENT_ID_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/client-id';
export const ACCESS_TOKEN_ID_SYSTEM =
  'https://enlace.example.org/fhir/NamingSystem/access-token-id';

export interface TokenAttempt {
  readonly requestId: string;
  readonly at: Date;
  /** The client the assertion names; claimed until verified, and unknown when unreadable. */
  clientId?: string;
  /** The partner of the registered client, once found. */
  partnerId?: string;
}

export type TokenOutcome =
  | { readonly granted: true; readonly tokenId: string; readonly scope: string }
  | { readonly granted: false; readonly reason: string };

/** Never the assertion or the token: only identifiers, the granted scope and the refusal reason. */
export function buildTokenAuditEvent(attempt: TokenAttempt, outcome: TokenOutcome): AuditEvent {
  const entities: AuditSubject[] = [];
  if (attempt.partnerId !== undefined) {
    entities.push({ reference: `Organization/${attempt.partnerId}` });
  }
  if (outcome.granted) {
    entities.push({
      identifier: { system: ACCESS_TOKEN_ID_SYSTEM, value: outcome.tokenId },
      description: `scope: ${outcome.scope}`,
    });
  }
  return buildAuditEvent({
    type: auditType.userAuthentication,
    subtype: auditSubtype.getAccessToken,
    action: 'E',
    outcome: outcome.granted ? '0' : '4',
    ...(outcome.granted ? {} : { outcomeDesc: outcome.reason }),
    recorded: attempt.at,
    agents: [
      attempt.clientId === undefined
        ? { display: 'unidentified client' }
        : { identifier: { system: CLIENT_ID_SYSTEM, value: attempt.clientId } },
    ],
    entities,
    requestId: attempt.requestId,
  });
}
