// Builds a Consent (profile VawConsent) from what she agreed to, in the shape of the README's example.
import type { Consent, ConsentProvisionActor } from '@medplum/fhirtypes';
import type { SurvivorIdentifier } from '../message/referral-input.js';
import {
  DATA_CLASS_SYSTEM,
  ORGANIZATION_ROLE_SYSTEM,
  PURPOSE_SYSTEM,
  type DataClass,
  type OrganizationRole,
  type Purpose,
} from '../vocabulary.js';

/** Whom she lets receive her data: any institution of a kind, or one institution by its id. */
export type ConsentActor = { readonly role: OrganizationRole } | { readonly organization: string };

export interface ConsentInput {
  readonly survivor: SurvivorIdentifier;
  readonly actor: ConsentActor;
  readonly purposes: readonly Purpose[];
  readonly dataClasses: readonly DataClass[];
  /** FHIR date or dateTime the permission starts; defaults to the day it is recorded. */
  readonly start?: string;
  /** When it ends; without one it holds until she withdraws it. */
  readonly end?: string;
}

const PARTICIPATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

function actorOf(actor: ConsentActor): ConsentProvisionActor {
  return 'role' in actor
    ? {
        role: { coding: [{ system: ORGANIZATION_ROLE_SYSTEM, code: actor.role }] },
        reference: { display: `Any ${actor.role} institution of the network` },
      }
    : {
        role: { coding: [{ system: PARTICIPATION_SYSTEM, code: 'IRCP' }] },
        reference: { reference: `Organization/${actor.organization}` },
      };
}

/**
 * Everything is denied but one permit: this actor, for these purposes, these data classes, under
 * an opt-in rule, recorded by `recorder` (the partner id of the institution she told). The
 * gateway sets `id` and `meta`; she can withdraw it at any time.
 */
export function buildConsent(input: ConsentInput, recorder: string, now: Date): Consent {
  if (input.purposes.length === 0) throw new TypeError('a consent names at least one purpose');
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' },
      ],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { identifier: { system: input.survivor.system, value: input.survivor.value } },
    dateTime: now.toISOString(),
    performer: [{ reference: `Organization/${recorder}` }],
    organization: [{ reference: `Organization/${recorder}` }],
    policyRule: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }],
    },
    provision: {
      type: 'deny',
      provision: [
        {
          type: 'permit',
          actor: [actorOf(input.actor)],
          purpose: input.purposes.map((code) => ({ system: PURPOSE_SYSTEM, code })),
          class: input.dataClasses.map((code) => ({ system: DATA_CLASS_SYSTEM, code })),
          period: {
            start: input.start ?? now.toISOString().slice(0, 10),
            ...(input.end === undefined ? {} : { end: input.end }),
          },
        },
      ],
    },
  };
}
