// What a partner says about a referral, in plain terms: the SDK turns it into the profiled FHIR message.
import type { FormOfViolence, Purpose, RiskLevel, Service } from '../vocabulary.js';

/** How an institution names her: an identifier it holds (a national id, its own case number). */
export interface SurvivorIdentifier {
  readonly system: string;
  readonly value: string;
}

export interface ReferralInput {
  /** The receiving institution's partner id, e.g. `refugio-esperanza`. */
  readonly to: string;
  readonly survivor: SurvivorIdentifier;
  /**
   * The consent the referral relies on, `Consent/<id>` or `Consent/<id>/_history/<version>` (as
   * `consent.record()` returns it); carried in `ServiceRequest.supportingInfo`. The gateway
   * decides again from her consents on record, whatever this says.
   */
  readonly consent: string;
  /** Why her data moves; consent is decided for exactly this purpose. */
  readonly purpose: Purpose;
  readonly risk: RiskLevel;
  /** At least one. */
  readonly services: readonly Service[];
  /** At least one (the profile requires the reason for the referral). */
  readonly violence: readonly FormOfViolence[];
  /**
   * What the recipient needs to know, in free text. It travels in the ServiceRequest, which has no
   * data-class label and so always reaches the recipient: never put her address or phone here.
   */
  readonly summary: string;
  /** How to reach her; travels labelled `contact-details`, removed if her consent does not allow it. */
  readonly contact?: { readonly name?: string; readonly phone?: string; readonly email?: string };
  /** Year (or date) of birth, if the recipient needs it. */
  readonly birthDate?: string;
  /** Defaults to `urgent` for a high or extreme risk, `routine` otherwise. */
  readonly priority?: 'routine' | 'urgent' | 'asap' | 'stat';
  /** When the risk was assessed; defaults to now. */
  readonly riskAssessedAt?: Date;
  /**
   * The UUID in the message's `Bundle.identifier` (`urn:uuid:<id>`), the gateway's idempotency key;
   * a fresh one by default. To retry after a lost answer, submit the same prepared message again
   * (`referrals.submit`): the gateway answers its original acknowledgement. A new message under a
   * used id is refused (409 `ENLACE_MESSAGE_CONFLICT`).
   */
  readonly messageId?: string;
}
