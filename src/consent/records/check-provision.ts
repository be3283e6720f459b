// Checks a Consent's provision tree: types, periods, actors, purposes, data classes and actions, within bounds.
import { GatewayError } from '../../kernel/index.js';
import { isPartnerRole, ORGANIZATION_ROLE_SYSTEM } from '../../partners/index.js';
import { DATA_CLASS_SYSTEM, dataClasses, PURPOSE_SYSTEM, purposes } from '../types.js';
import { CONSENT_ACTION_SYSTEM, consentActions, consentLimits } from './consent-constants.js';
import {
  checkKnownMembers,
  readDateTime,
  readList,
  readObject,
  readText,
  type JsonObject,
} from './json-shape.js';

const PROVISION_MEMBERS = [
  'type',
  'period',
  'actor',
  'action',
  'securityLabel',
  'purpose',
  'class',
  'provision',
] as const;

const ORGANIZATION_REFERENCE = /^Organization\/([A-Za-z0-9\-.]{1,64})$/;
const PARTICIPATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

/** What the provision tree names that must be checked against storage: partner id → where it is named. */
export interface ProvisionSummary {
  readonly organizations: ReadonlyMap<string, string>;
}

interface Walk {
  count: number;
  readonly organizations: Map<string, string>;
}

export function checkProvisionTree(provision: unknown): ProvisionSummary {
  const walk: Walk = { count: 0, organizations: new Map() };
  checkProvision(provision, 'Consent.provision', 1, walk);
  return { organizations: walk.organizations };
}

function checkProvision(value: unknown, path: string, depth: number, walk: Walk): void {
  walk.count += 1;
  // Why: the engine evaluates every provision on every send; unbounded trees would let one record
  // make each decision for this survivor arbitrarily slow.
  if (depth > consentLimits.maxDepth || walk.count > consentLimits.maxProvisions) {
    throw new GatewayError(
      'ENLACE_CONSENT_TOO_COMPLEX',
      `A consent may hold at most ${consentLimits.maxProvisions} provisions nested ${consentLimits.maxDepth} deep.`,
      { expression: [path] },
    );
  }
  const provision = readObject(value, path);
  // Why: a restriction the engine does not evaluate (code, data, dataPeriod) would be ignored and
  // so widen what the consent permits; such members are refused, not stored.
  checkKnownMembers(provision, PROVISION_MEMBERS, path);
  if (provision.type !== 'permit' && provision.type !== 'deny') {
    throw new GatewayError('ENLACE_CONSENT_INVALID', `${path}.type must be permit or deny.`, {
      expression: [`${path}.type`],
    });
  }
  if (provision.period !== undefined) checkPeriod(provision.period, `${path}.period`);
  if (provision.actor !== undefined) {
    readList(provision.actor, `${path}.actor`).forEach((actor, index) => {
      checkActor(actor, `${path}.actor[${index}]`, walk);
    });
  }
  checkCodings(provision.purpose, `${path}.purpose`, PURPOSE_SYSTEM, purposeCheck);
  checkCodings(provision.class, `${path}.class`, DATA_CLASS_SYSTEM, listCheck(dataClasses));
  checkCodings(
    provision.securityLabel,
    `${path}.securityLabel`,
    DATA_CLASS_SYSTEM,
    listCheck(dataClasses),
  );
  if (provision.action !== undefined) {
    readList(provision.action, `${path}.action`).forEach((action, index) => {
      const concept = readObject(action, `${path}.action[${index}]`);
      checkKnownMembers(concept, ['coding', 'text'], `${path}.action[${index}]`);
      checkCodings(
        concept.coding,
        `${path}.action[${index}].coding`,
        CONSENT_ACTION_SYSTEM,
        listCheck(consentActions),
        true,
      );
    });
  }
  if (provision.provision !== undefined) {
    readList(provision.provision, `${path}.provision`).forEach((nested, index) => {
      checkProvision(nested, `${path}.provision[${index}]`, depth + 1, walk);
    });
  }
}

function checkPeriod(value: unknown, path: string): void {
  const period = readObject(value, path);
  checkKnownMembers(period, ['start', 'end'], path);
  const start =
    period.start === undefined ? undefined : readDateTime(period.start, `${path}.start`);
  const end = period.end === undefined ? undefined : readDateTime(period.end, `${path}.end`);
  if (start !== undefined && end !== undefined && end < start) {
    throw new GatewayError('ENLACE_CONSENT_INVALID', `${path}.end is before ${path}.start.`, {
      expression: [`${path}.end`],
    });
  }
}

function checkActor(value: unknown, path: string, walk: Walk): void {
  const actor = readObject(value, path);
  checkKnownMembers(actor, ['role', 'reference'], path);
  if (actor.role === undefined && actor.reference === undefined) {
    throw new GatewayError(
      'ENLACE_CONSENT_INVALID',
      `${path} needs a role (organization-role) or a reference to a partner Organization.`,
      { expression: [path] },
    );
  }
  if (actor.role !== undefined) {
    const role = readObject(actor.role, `${path}.role`);
    checkKnownMembers(role, ['coding', 'text'], `${path}.role`);
    const codings = readList(role.coding, `${path}.role.coding`);
    codings.forEach((coding, index) => {
      // R4's "information recipient" participation is accepted beside an Organization reference.
      const system = (coding as JsonObject | null)?.system;
      checkCodings(
        [coding],
        `${path}.role.coding[${index}]`,
        system === PARTICIPATION_SYSTEM ? PARTICIPATION_SYSTEM : ORGANIZATION_ROLE_SYSTEM,
        system === PARTICIPATION_SYSTEM
          ? listCheck(['IRCP'])
          : (code) => (isPartnerRole(code) ? undefined : 'unknown'),
        true,
        true,
      );
    });
    // Why: without an Organization, only an organization-role code says whom a provision is about;
    // a permit naming nobody the engine can match would silently permit nothing.
    const namesRole = codings.some(
      (coding) => (coding as JsonObject | null)?.system === ORGANIZATION_ROLE_SYSTEM,
    );
    const referencesOrganization =
      (actor.reference as JsonObject | undefined)?.reference !== undefined;
    if (!referencesOrganization && !namesRole) {
      throw new GatewayError(
        'ENLACE_CONSENT_CODE_UNKNOWN',
        `${path}.role needs an organization-role code when no Organization is referenced.`,
        { expression: [`${path}.role.coding`] },
      );
    }
  }
  if (actor.reference !== undefined) {
    const reference = readObject(actor.reference, `${path}.reference`);
    checkKnownMembers(reference, ['reference', 'display'], `${path}.reference`);
    // R4 makes actor.reference mandatory; a role-wide actor carries a display-only reference
    // ("any shelter in the network") and is matched by its organization-role code.
    if (reference.reference === undefined && typeof reference.display === 'string') return;
    const match = ORGANIZATION_REFERENCE.exec(
      readText(reference.reference, `${path}.reference.reference`),
    );
    if (match?.[1] === undefined) {
      throw new GatewayError(
        'ENLACE_CONSENT_INVALID',
        `${path}.reference must be Organization/<partner id>.`,
        { expression: [`${path}.reference.reference`] },
      );
    }
    if (!walk.organizations.has(match[1])) {
      walk.organizations.set(match[1], `${path}.reference.reference`);
    }
  }
}

type CodeCheck = (code: string) => 'unknown' | 'not-consentable' | undefined;

const listCheck =
  (codes: readonly string[]): CodeCheck =>
  (code) =>
    codes.includes(code) ? undefined : 'unknown';

const purposeCheck: CodeCheck = (code) =>
  code === 'emergency' ? 'not-consentable' : listCheck(purposes)(code);

/** Each Coding must be from `system` with a known code; unknown ones are refused where they stand. */
function checkCodings(
  value: unknown,
  path: string,
  system: string,
  check: CodeCheck,
  required = false,
  indexed = false,
): void {
  if (value === undefined && !required) return;
  readList(value, path).forEach((entry, index) => {
    const at = indexed ? path : `${path}[${index}]`;
    const coding: JsonObject = readObject(entry, at);
    checkKnownMembers(coding, ['system', 'code', 'display'], at);
    const code = readText(coding.code, `${at}.code`);
    if (coding.system !== system) {
      throw new GatewayError('ENLACE_CONSENT_CODE_UNKNOWN', `${at}.system must be ${system}.`, {
        expression: [`${at}.system`],
      });
    }
    const verdict = check(code);
    if (verdict === 'not-consentable') {
      // Why: emergency access is granted only through governed break-the-glass, never by a consent.
      throw new GatewayError(
        'ENLACE_CONSENT_PURPOSE_NOT_CONSENTABLE',
        'The purpose emergency cannot be consented to; it is granted only through break-the-glass.',
        { expression: [`${at}.code`] },
      );
    }
    if (verdict === 'unknown') {
      throw new GatewayError(
        'ENLACE_CONSENT_CODE_UNKNOWN',
        `${code.slice(0, 64)} is not a code of ${system}.`,
        { expression: [`${at}.code`] },
      );
    }
  });
}
