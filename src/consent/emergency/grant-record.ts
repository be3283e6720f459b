// A break-the-glass grant as the capability sees it, converted from its storage row.
import type { Selectable } from 'kysely';
import type { EmergencyGrant } from '../types.js';
import type { EmergencyGrantTable } from '../../store/schema.js';
import type { EmergencyRiskLevel, ReviewOutcome } from './emergency-codes.js';

export interface GrantReview {
  readonly at: Date;
  /** The auditor's username. */
  readonly by: string;
  readonly outcome: ReviewOutcome;
  readonly note?: string;
}

export interface GrantRecord {
  readonly id: string;
  /** The survivor's pseudonym (`<keyId>.<hmac>`), never her identifier. */
  readonly pseudonym: string;
  readonly keyId: string;
  readonly organization: string;
  readonly role: string;
  readonly justification: string;
  readonly riskLevel?: EmergencyRiskLevel;
  readonly grantedAt: Date;
  readonly expiresAt: Date;
  readonly stoppedAt?: Date;
  readonly review?: GrantReview;
}

export type GrantRow = Selectable<EmergencyGrantTable>;

export function toGrantRecord(row: GrantRow): GrantRecord {
  return {
    id: row.id,
    pseudonym: row.pseudonym,
    keyId: row.key_id,
    organization: row.organization,
    role: row.role,
    justification: row.justification,
    ...(row.risk_level === null ? {} : { riskLevel: row.risk_level as EmergencyRiskLevel }),
    grantedAt: new Date(row.granted_at),
    expiresAt: new Date(row.expires_at),
    ...(row.stopped_at === null ? {} : { stoppedAt: new Date(row.stopped_at) }),
    ...(row.reviewed_at === null || row.reviewed_by === null || row.review_outcome === null
      ? {}
      : {
          review: {
            at: new Date(row.reviewed_at),
            by: row.reviewed_by,
            outcome: row.review_outcome as ReviewOutcome,
            ...(row.review_note === null ? {} : { note: row.review_note }),
          },
        }),
  };
}

/** Whether the grant permits at `at`: started, not yet expired, not stopped early. */
export function isGrantInForce(grant: GrantRecord, at: Date): boolean {
  return (
    grant.stoppedAt === undefined &&
    grant.grantedAt.getTime() <= at.getTime() &&
    at.getTime() < grant.expiresAt.getTime()
  );
}

export function toEmergencyGrant(grant: GrantRecord): EmergencyGrant {
  return {
    id: grant.id,
    organization: grant.organization,
    pseudonym: grant.pseudonym,
    expiresAt: grant.expiresAt,
  };
}
