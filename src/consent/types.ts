// The consent capability's vocabulary: survivors by pseudonym, decision requests, decisions and obligations.
import type { Consent } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';

export { PSEUDONYM_SYSTEM } from '../kernel/index.js';
export {
  DATA_CLASS_SYSTEM,
  dataClasses,
  PURPOSE_SYSTEM,
  purposes,
  type DataClass,
  type Purpose,
} from '../kernel/vocabulary.js';
import type { DataClass, Purpose } from '../kernel/vocabulary.js';

/**
 * A survivor as the gateway knows her: a keyed HMAC of a normalised identifier, never the
 * identifier itself. `value` is `<keyId>.<base64url HMAC-SHA-256>`.
 */
export interface Pseudonym {
  readonly keyId: string;
  readonly value: string;
}

/** Who asks: an institution, by id and role (organization-role code). */
export interface ConsentActor {
  readonly organization: string;
  readonly role: string;
}

export interface DecisionRequest {
  /** Every pseudonym of the survivor (one per active pseudonym key), so rotation loses nothing. */
  readonly survivor: readonly string[];
  readonly actor: ConsentActor;
  readonly purpose: Purpose;
  readonly dataClasses: readonly DataClass[];
  readonly at: Date;
}

export type DecisionOutcome = 'permit' | 'deny' | 'no-consent';

export interface Decision {
  readonly outcome: DecisionOutcome;
  /** Ids (with version) of the consents whose provisions decided, sorted: `Consent/<id>/_history/<v>`. */
  readonly reliedOn: readonly string[];
  /** Data classes that may move. */
  readonly permitted: readonly DataClass[];
  /** Data classes that must be removed before delivery (denied or without consent). */
  readonly remove: readonly DataClass[];
  /** Active consents that contradict each other for this request; they deny and need review. */
  readonly conflicts: readonly string[];
  /** Set when a break-the-glass grant, not a consent, permitted the request. */
  readonly emergencyGrant?: string;
}

/** A consent as the engine reads it: the FHIR resource with its storage id, version and status. */
export interface StoredConsent {
  readonly id: string;
  readonly version: number;
  readonly resource: Consent;
}

/** What applies when no provision speaks to a data class; per jurisdiction, `no-consent` by default. */
export type DefaultDecision = 'no-consent' | 'permit';

/** A business identifier a partner holds for a survivor: a national id number or its own case number. */
export interface SurvivorIdentifier {
  readonly system: string;
  readonly value: string;
}

export interface Pseudonymizer {
  /** The pseudonym under the current key; new records store this one. */
  current(identifier: SurvivorIdentifier): Pseudonym;
  /** The pseudonyms under every configured key (current first), to find records made before a rotation. */
  all(identifier: SurvivorIdentifier): readonly Pseudonym[];
}

/** The engine: pure, deterministic, independent of the order consents are given in. */
export type DecideFunction = (
  consents: readonly StoredConsent[],
  request: DecisionRequest,
  options: { readonly defaultDecision: DefaultDecision },
) => Decision;

/** A governed break-the-glass grant in force for one survivor and one institution. */
export interface EmergencyGrant {
  readonly id: string;
  readonly organization: string;
  readonly pseudonym: string;
  readonly expiresAt: Date;
}

/** Finds the grant in force at `at` for any of the survivor's pseudonyms and this institution. */
export type EmergencyGrantLookup = (
  db: Kysely<Database>,
  survivor: readonly string[],
  organization: string,
  at: Date,
) => Promise<EmergencyGrant | undefined>;
