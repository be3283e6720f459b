// The consent decision engine: pure and deterministic; which data classes may move for one request.
//
// Rules, as a data-protection officer reads them:
//   Data about a woman moves only where her consent says so. For each kind of data requested
//   (contact details, location, health record…) the gateway reads each of her consents. Within one
//   consent the most specific statement wins: one naming the requesting institution beats one
//   naming its kind (police, shelter…), which beats one naming nobody; next, one naming a purpose
//   or kind of data beats a blanket one; an exception written inside a
//   statement replaces it where it applies; and between equally specific statements, "no" beats
//   "yes". Across her consents, a consent that speaks specifically outweighs one that only says
//   "everything" or "nothing"; if two consents speak equally and one says yes while another says no,
//   the answer is no and both are flagged for review. A statement counts only within its dates and
//   only for the purposes and kinds of data it names (naming none means all). Revoking a consent
//   withdraws every "yes" it gave, immediately, but keeps every "no": revocation can only ever
//   reduce what moves. To lift a restriction she amends the consent (a new version), an explicit
//   act the gateway records. Drafts, proposals, rejected consents and consents entered in error
//   count for nothing. Where no consent speaks, data does not move ("no-consent"), unless the
//   operator configured the jurisdiction's default to permit. The emergency purpose is never
//   granted by consent or default — only by governed break-the-glass.
//
// Properties the tests prove with generated consents: adding a "no" never turns a deny into a
// permit nor adds a permitted class; revoking a consent (status inactive) never adds a permitted
// class, nor does removing a consent that holds no "no"; the order of consents does not matter.
// (Removing a consent that holds a "no" can widen access, and no rule can prevent it while
// conflicting consents deny: {A: yes, B: no} must deny, {A} alone must permit. So consents are
// never deleted — only revoked, or amended by a new version.)
import type { Consent } from '@medplum/fhirtypes';
import {
  PSEUDONYM_SYSTEM,
  type DataClass,
  type Decision,
  type DecideFunction,
  type DecisionRequest,
  type StoredConsent,
} from '../types.js';
import { toConsentReference } from './consent-reference.js';
import { evaluateConsent, type Ruling } from './evaluate-consent.js';

interface Voice {
  readonly reference: string;
  readonly ruling: Ruling;
}

interface ClassOutcome {
  readonly verdict: 'permit' | 'deny' | 'none';
  readonly reliedOn: readonly string[];
  readonly conflicts: readonly string[];
}

export const decide: DecideFunction = (consents, request, options) => {
  const counted = consents.filter((consent) => isAbout(consent.resource, request.survivor));
  const permitted = new Set<DataClass>();
  const remove = new Set<DataClass>();
  const reliedOn = new Set<string>();
  const conflicts = new Set<string>();
  let denied = false;
  for (const dataClass of new Set(request.dataClasses)) {
    const outcome = decideClass(counted, request, dataClass);
    outcome.reliedOn.forEach((reference) => reliedOn.add(reference));
    outcome.conflicts.forEach((reference) => conflicts.add(reference));
    // Why: the jurisdiction's default never reaches the emergency purpose, which only a governed
    // break-the-glass grant may open.
    const byDefault =
      outcome.verdict === 'none' &&
      options.defaultDecision === 'permit' &&
      request.purpose !== 'emergency';
    if (outcome.verdict === 'permit' || byDefault) permitted.add(dataClass);
    else remove.add(dataClass);
    if (outcome.verdict === 'deny') denied = true;
  }
  const decision: Decision = {
    outcome: permitted.size > 0 ? 'permit' : denied ? 'deny' : 'no-consent',
    reliedOn: sorted(reliedOn),
    permitted: sorted(permitted),
    remove: sorted(remove),
    conflicts: sorted(conflicts),
  };
  return decision;
};

function decideClass(
  consents: readonly StoredConsent[],
  request: DecisionRequest,
  dataClass: DataClass,
): ClassOutcome {
  const voices: Voice[] = [];
  for (const consent of consents) {
    const ruling = evaluateConsent(consent.resource.provision, request, dataClass);
    if (ruling === undefined) continue;
    // Why: revocation withdraws the permissions a consent gave but keeps its restrictions, so
    // revoking can never widen access; and no consent can grant the emergency purpose.
    const permitsCount = consent.resource.status === 'active' && request.purpose !== 'emergency';
    if (ruling.type === 'permit' && !permitsCount) continue;
    voices.push({ reference: toConsentReference(consent), ruling });
  }
  if (voices.length === 0) return { verdict: 'none', reliedOn: [], conflicts: [] };
  // A consent that names an actor, purpose or class outweighs a bare "everything"/"nothing" one.
  const explicit = voices.some((voice) => voice.ruling.explicit);
  const heard = voices.filter((voice) => voice.ruling.explicit === explicit);
  const denies = heard.filter((voice) => voice.ruling.type === 'deny').map((v) => v.reference);
  const permits = heard.filter((voice) => voice.ruling.type === 'permit').map((v) => v.reference);
  if (denies.length === 0) return { verdict: 'permit', reliedOn: permits, conflicts: [] };
  // Why: when her consents disagree the gateway cannot know which she meant; it refuses and
  // flags both so a person can ask her.
  return {
    verdict: 'deny',
    reliedOn: denies,
    conflicts: permits.length === 0 ? [] : [...denies, ...permits],
  };
}

/**
 * Counts a consent only when it is in force or revoked (revoked ones keep their restrictions) and
 * names one of the survivor's pseudonyms: a consent about another woman never decides for her.
 */
function isAbout(consent: Consent, survivor: readonly string[]): boolean {
  if (consent.status !== 'active' && consent.status !== 'inactive') return false;
  const identifier = consent.patient?.identifier;
  return (
    identifier?.system === PSEUDONYM_SYSTEM &&
    identifier.value !== undefined &&
    survivor.includes(identifier.value)
  );
}

const sorted = <T extends string>(values: Iterable<T>): T[] =>
  [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
