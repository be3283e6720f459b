// Reads one Consent provision's own criteria (period, actor, purpose, data class, action) against a request.
import type { CodeableConcept, Coding, ConsentProvision, Reference } from '@medplum/fhirtypes';
import { ORGANIZATION_ROLE_SYSTEM } from '../../partners/roles.js';
import {
  DATA_CLASS_SYSTEM,
  PURPOSE_SYSTEM,
  type DataClass,
  type DecisionRequest,
} from '../types.js';
import { toInstantSpan } from './fhir-instant.js';

export type ProvisionType = 'permit' | 'deny';

/** How closely a provision's actor names the requester: 2 this Organization, 1 its role, 0 anyone. */
export type ActorLevel = 0 | 1 | 2;

export const CONSENT_ACTION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentaction';

/** What one provision's own criteria say about one (request, data class). */
export interface OwnMatch {
  readonly applies: boolean;
  readonly actorLevel: ActorLevel;
  /** Whether the provision names an actor, a purpose or a data class (rather than "everything"). */
  readonly explicit: boolean;
}

const NO_MATCH: OwnMatch = { applies: false, actorLevel: 0, explicit: false };

/**
 * Why `type` matters here: a criterion the engine cannot read (a code from another system, a
 * resource-level `data` restriction, an unreadable date) is read in the survivor's favour — a
 * deny applies as if it matched (at the strongest actor level), a permit does not apply.
 */
export function matchOwnCriteria(
  provision: ConsentProvision,
  type: ProvisionType,
  request: DecisionRequest,
  dataClass: DataClass,
): OwnMatch {
  const lenient = type === 'deny';
  const period = matchPeriod(provision, request.at);
  if (period === 'no' || (period === 'unreadable' && !lenient)) return NO_MATCH;
  const actorLevel = matchActors(provision, request, lenient);
  if (actorLevel === undefined) return NO_MATCH;
  if (!matchCodes(provision.purpose ?? [], PURPOSE_SYSTEM, request.purpose, lenient)) {
    return NO_MATCH;
  }
  const classes = [...(provision.class ?? []), ...(provision.securityLabel ?? [])];
  if (!matchCodes(classes, DATA_CLASS_SYSTEM, dataClass, lenient)) return NO_MATCH;
  if (!lenient && !coversDisclosure(provision)) return NO_MATCH;
  // Why: the engine decides by data class; a permit limited to named resources, codes or a span
  // of the record cannot be checked here, so it permits nothing rather than everything.
  if (!lenient && hasResourceLevelLimits(provision)) return NO_MATCH;
  return {
    applies: true,
    actorLevel,
    explicit:
      (provision.actor?.length ?? 0) > 0 ||
      (provision.purpose?.length ?? 0) > 0 ||
      classes.length > 0,
  };
}

function matchPeriod(provision: ConsentProvision, at: Date): 'yes' | 'no' | 'unreadable' {
  const period = provision.period;
  if (period === undefined) return 'yes';
  const now = at.getTime();
  if (period.start !== undefined) {
    const start = toInstantSpan(period.start);
    if (start === undefined) return 'unreadable';
    if (now < start.from) return 'no';
  }
  if (period.end !== undefined) {
    const end = toInstantSpan(period.end);
    if (end === undefined) return 'unreadable';
    if (now >= end.until) return 'no';
  }
  return 'yes';
}

/** An actor as stored JSON may hold it: the engine never trusts FHIR cardinalities to have been met. */
interface StoredActor {
  readonly role?: CodeableConcept;
  readonly reference?: Reference;
}

/** The best actor level among the provision's actors, or undefined when none names the requester. */
function matchActors(
  provision: ConsentProvision,
  request: DecisionRequest,
  lenient: boolean,
): ActorLevel | undefined {
  const actors = provision.actor ?? [];
  if (actors.length === 0) return 0;
  let best: ActorLevel | undefined;
  const raise = (level: ActorLevel): void => {
    if (best === undefined || level > best) best = level;
  };
  for (const actor of actors as readonly StoredActor[]) {
    const reference = actor.reference?.reference;
    if (reference?.startsWith('Organization/') === true) {
      // A literal Organization reference names one institution; its role coding is then informative.
      if (reference === `Organization/${request.actor.organization}`) raise(2);
      continue;
    }
    const roles = (actor.role?.coding ?? []).filter((c) => c.system === ORGANIZATION_ROLE_SYSTEM);
    if (roles.length > 0) {
      if (roles.some((c) => c.code === request.actor.role)) raise(1);
      continue;
    }
    // Neither an Organization nor an organization role: a deny may be about this requester.
    if (lenient) raise(2);
  }
  return best;
}

function matchCodes(
  codings: readonly Coding[],
  system: string,
  wanted: string,
  lenient: boolean,
): boolean {
  if (codings.length === 0) return true;
  const ours = codings.filter((coding) => coding.system === system);
  if (ours.length === 0) return lenient;
  return ours.some((coding) => coding.code === wanted);
}

/** A permit limited to actions (collect, correct…) that do not include disclosure does not let data move. */
function coversDisclosure(provision: ConsentProvision): boolean {
  const actions = provision.action ?? [];
  if (actions.length === 0) return true;
  return actions.some((action) =>
    (action.coding ?? []).some(
      (c) => c.system === CONSENT_ACTION_SYSTEM && (c.code === 'disclose' || c.code === 'access'),
    ),
  );
}

function hasResourceLevelLimits(provision: ConsentProvision): boolean {
  return (
    (provision.data?.length ?? 0) > 0 ||
    (provision.code?.length ?? 0) > 0 ||
    provision.dataPeriod !== undefined
  );
}
