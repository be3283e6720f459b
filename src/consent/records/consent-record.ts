// The consent records' domain types: a stored consent, its versions, and what the capability depends on.
import type { Consent } from '@medplum/fhirtypes';
import type { PayloadVault } from '../../crypto/index.js';
import type { Clock, PartnerPrincipal } from '../../kernel/index.js';
import type { Store, UnitOfWork } from '../../store/index.js';
import type {
  DecideFunction,
  DefaultDecision,
  EmergencyGrantLookup,
  Pseudonymizer,
} from '../types.js';

export type ConsentStatus = 'active' | 'inactive';
export type ConsentChange = 'create' | 'revoke';

/** A consent as it stands now. `resource` already carries id, meta and the pseudonym. */
export interface ConsentRecord {
  readonly id: string;
  readonly version: number;
  readonly pseudonym: string;
  readonly keyId: string;
  readonly status: ConsentStatus;
  /** Partner id of the institution that recorded it. */
  readonly recorder: string;
  readonly recordedAt: string;
  readonly updatedAt: string;
  readonly resource: Consent;
}

/** One entry of a consent's history. */
export interface ConsentVersion {
  readonly id: string;
  readonly version: number;
  readonly resource: Consent;
  readonly changedAt: string;
  /** `Organization/<partnerId>`. */
  readonly changedBy: string;
  readonly change: ConsentChange;
}

/** The parts of consent handling that other engineers' modules provide; injected so tests use the real ones. */
export interface ConsentDeps {
  readonly pseudonymizer: Pseudonymizer;
  readonly decide: DecideFunction;
  readonly emergencyGrants: EmergencyGrantLookup;
  /** What applies where no provision speaks; `no-consent` unless a jurisdiction decides otherwise. */
  readonly defaultDecision: DefaultDecision;
  /** Seals consents at rest and opens them for every read and decision. */
  readonly vault: Pick<PayloadVault, 'seal' | 'open'>;
  /**
   * Runs inside the revocation's transaction with the institutions that received data under the
   * consent, so the notices to them commit with the revocation or not at all.
   */
  readonly onRevoked?: RevocationHook;
}

export type RevocationHook = (
  unit: UnitOfWork,
  recipients: readonly string[],
  consentReference: string,
  at: Date,
) => Promise<unknown>;

/** What the record operations need: storage, time and the injected consent parts. */
export interface ConsentContext extends ConsentDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** Who asks, for audit and access decisions: the calling partner and the request's id. */
export interface ConsentCaller {
  readonly principal: PartnerPrincipal;
  readonly requestId?: string;
}
