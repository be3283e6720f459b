// Checks a submitted Consent against the VawConsent profile and fixes who recorded it; returns what to store.
import type { Consent } from '@medplum/fhirtypes';
import { GatewayError } from '../../kernel/index.js';
import type { SurvivorIdentifier } from '../types.js';
import { CONSENT_SCOPE_SYSTEM, VAW_CONSENT_PROFILE } from './consent-constants.js';
import { checkProvisionTree } from './check-provision.js';
import { checkServerOwnedFields } from './check-server-owned-fields.js';
import {
  checkKnownMembers,
  readDateTime,
  readList,
  readObject,
  readText,
  type JsonObject,
} from './json-shape.js';
import { readSurvivorIdentifier } from './read-survivor-identifier.js';

/** Top-level members a VawConsent may carry. Narrative, contained resources and extensions could hold a name. */
const CONSENT_MEMBERS = [
  'resourceType',
  'meta',
  'identifier',
  'status',
  'scope',
  'category',
  'patient',
  'dateTime',
  'performer',
  'organization',
  'policy',
  'policyRule',
  'provision',
] as const;

export interface ConsentInput {
  /** The consent to store, still without id, meta and patient (the caller adds them). */
  readonly consent: Omit<Consent, 'patient' | 'id' | 'meta'>;
  readonly identifier: SurvivorIdentifier;
  /** Partner ids named as specific actors, with where; each must be a registered partner. */
  readonly actorOrganizations: ReadonlyMap<string, string>;
}

export function checkConsentInput(body: unknown, recorder: string): ConsentInput {
  const input = readObject(body, 'Consent');
  if (input.resourceType !== 'Consent') {
    throw new GatewayError('ENLACE_CONSENT_INVALID', 'resourceType must be Consent.', {
      expression: ['Consent.resourceType'],
    });
  }
  checkServerOwnedFields(input);
  checkKnownMembers(input, CONSENT_MEMBERS, 'Consent');
  checkProfile(input);
  // The survivor first: a consent nobody can attribute to her is worthless whatever else it says.
  const identifier = readSurvivorIdentifier(input.patient);
  // Why: drafts and proposals are not her agreement; only an active consent may be recorded.
  if (input.status !== 'active') {
    throw new GatewayError(
      'ENLACE_CONSENT_INVALID',
      'Consent.status must be active when recording; revoke later with PATCH.',
      { expression: ['Consent.status'] },
    );
  }
  checkScope(input.scope);
  readList(input.category, 'Consent.category').forEach((category, index) => {
    readObject(category, `Consent.category[${index}]`);
  });
  readDateTime(input.dateTime, 'Consent.dateTime');
  if (input.identifier !== undefined) checkIdentifiers(input.identifier);
  if (input.provision === undefined) {
    throw new GatewayError(
      'ENLACE_CONSENT_INVALID',
      'Consent.provision is required: what she permits or denies.',
      { expression: ['Consent.provision'] },
    );
  }
  const { organizations } = checkProvisionTree(input.provision);
  const own = checkOwnOrganization(input.performer, 'Consent.performer', recorder);
  checkOwnOrganization(input.organization, 'Consent.organization', recorder);
  const kept = Object.entries(input).filter(([name]) => name !== 'patient' && name !== 'meta');
  return {
    consent: {
      ...(Object.fromEntries(kept) as unknown as Omit<Consent, 'patient' | 'id' | 'meta'>),
      performer: [own],
      organization: [own],
    },
    identifier,
    actorOrganizations: organizations,
  };
}

function checkProfile(input: JsonObject): void {
  const meta = input.meta as JsonObject | undefined;
  const profiles = meta?.profile;
  if (profiles === undefined) return;
  const list = readList(profiles, 'Consent.meta.profile');
  list.forEach((profile, index) => {
    if (profile !== VAW_CONSENT_PROFILE) {
      throw new GatewayError(
        'ENLACE_CONSENT_INVALID',
        `Consent.meta.profile may only name ${VAW_CONSENT_PROFILE}.`,
        { expression: [`Consent.meta.profile[${index}]`] },
      );
    }
  });
}

function checkScope(value: unknown): void {
  const scope = readObject(value ?? null, 'Consent.scope');
  const codings = readList(scope.coding, 'Consent.scope.coding');
  const privacy = codings.some(
    (coding) =>
      typeof coding === 'object' &&
      coding !== null &&
      (coding as JsonObject).system === CONSENT_SCOPE_SYSTEM &&
      (coding as JsonObject).code === 'patient-privacy',
  );
  if (!privacy) {
    throw new GatewayError(
      'ENLACE_CONSENT_CODE_UNKNOWN',
      `Consent.scope must be ${CONSENT_SCOPE_SYSTEM}#patient-privacy: a consent to share her information.`,
      { expression: ['Consent.scope.coding'] },
    );
  }
}

function checkIdentifiers(value: unknown): void {
  readList(value, 'Consent.identifier').forEach((entry, index) => {
    const at = `Consent.identifier[${index}]`;
    const identifier = readObject(entry, at);
    checkKnownMembers(identifier, ['system', 'value'], at);
    readText(identifier.system, `${at}.system`);
    readText(identifier.value, `${at}.value`);
  });
}

/**
 * The recording institution is the caller, taken from its token: an absent list is filled in and a
 * list naming any other Organization is refused, so no partner can record consents in another's name.
 */
function checkOwnOrganization(
  value: unknown,
  path: string,
  recorder: string,
): { reference: string } {
  const own = `Organization/${recorder}`;
  if (value === undefined) return { reference: own };
  readList(value, path).forEach((entry, index) => {
    const reference = readObject(entry, `${path}[${index}]`);
    checkKnownMembers(reference, ['reference', 'display'], `${path}[${index}]`);
    if (reference.reference !== own) {
      throw new GatewayError(
        'ENLACE_CONSENT_INVALID',
        `${path}[${index}] must be your own Organization (${own}).`,
        { expression: [`${path}[${index}]`] },
      );
    }
  });
  return { reference: own };
}
