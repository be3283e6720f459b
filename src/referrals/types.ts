// The referral capability's shared vocabulary: a stored referral and the functions its parts offer each other.
import type { Bundle } from '@medplum/fhirtypes';
import type { DataClass, Decision, Purpose } from '../consent/index.js';
import type { UnitOfWork } from '../store/index.js';
import type { ReferralStatus } from './task-workflow.js';

/** A referral as stored: the sealed signed message, its Task, and the two parties who may see it. */
export interface ReferralRecord {
  readonly id: string;
  /** `Bundle.identifier` as `<system>|<value>`. */
  readonly messageKey: string;
  readonly contentHash: string;
  /** Partner ids. */
  readonly sender: string;
  readonly recipient: string;
  readonly pseudonym: string;
  readonly event: string;
  readonly purpose: Purpose;
  readonly dataClasses: readonly DataClass[];
  readonly status: ReferralStatus;
  /** The Task, sealed at rest (open it with openTask, aad = `task:<id>:<taskVersion>`). */
  readonly sealedTask: string;
  readonly taskVersion: number;
  readonly payloadKeyId: string;
  /** The sealed signed Bundle (open it with the payload vault, aad = the referral id). */
  readonly payload: string;
  /** The gateway-signed acknowledgement returned to the sender. */
  readonly acknowledgement: Bundle;
  /** The recipient's own signed acknowledgement, sealed (open it with openRecipientAcknowledgement). */
  readonly sealedRecipientAcknowledgement?: string;
  /** The request's MessageHeader.id, which a recipient's acknowledgement names in response.identifier. */
  readonly messageHeaderId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * What made a Task version: the submitted referral (`create`), a PATCH, a `referral-update` or
 * `referral-cancel` message, the recipient's first retrieval (`retrieve`, requested → received), or
 * unknown because it was the current version when versions began to be kept (`migrated`).
 */
export type TaskVersionChange = 'create' | 'patch' | 'message' | 'retrieve' | 'migrated';

/** One kept version of a referral's Task, sealed as the referral row held it. */
export interface TaskVersionRecord {
  readonly referralId: string;
  readonly version: number;
  readonly status: ReferralStatus;
  /** Open with openTask (aad = `task:<referral id>:<version>`). */
  readonly sealedTask: string;
  /** ISO-8601, when it was written. */
  readonly changedAt: string;
  readonly change: TaskVersionChange;
}

/** What a recipient receives: the sender's signed Bundle, consent obligations applied, plus the gateway's signed decision Provenance. */
export interface RecipientPackage {
  /** Compact JWE to the recipient's registered encryption key. */
  readonly jwe: string;
  readonly decision: Decision;
}

/**
 * Opens, consent-checks (inside the caller's transaction, so a revocation that commits first wins),
 * applies the obligations and encrypts a referral for its recipient; records the disclosure.
 * Throws ConsentDenied when consent no longer allows it.
 */
export type PackageForRecipient = (
  unit: UnitOfWork,
  referralId: string,
  at: Date,
  requestId?: string,
) => Promise<RecipientPackage>;

/** The message events a partner may send to `$process-message`. */
export type MessageEventCode =
  | 'referral-request'
  | 'referral-update'
  | 'referral-cancel'
  | 'acknowledgement'
  | 'consent-revoked';
