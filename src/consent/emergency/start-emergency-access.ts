// $emergency-access: opens a governed break-the-glass grant for one survivor and one institution.
import { randomUUID } from 'node:crypto';
import { actorFromPrincipal, auditSubtype, type AuditActor } from '../../audit/index.js';
import { GatewayError, type PartnerPrincipal } from '../../kernel/index.js';
import { ORGANIZATION_ROLE_SYSTEM } from '../../partners/index.js';
import type { UnitOfWork } from '../../store/index.js';
import { auditingRefusals } from '../../audit/index.js';
import type { EmergencyDeps } from './emergency-deps.js';
import { buildRefusalEvent, buildStartEvent } from './emergency-audit.js';
import { isGrantInForce, type GrantRecord } from './grant-record.js';
import {
  countActiveGrants,
  findActiveGrantRecord,
  findGrant,
  insertGrant,
  lockOrganization,
} from './grant-repository.js';
import { queueBreakGlassNotices } from './notifications.js';
import {
  peekPatient,
  readEmergencyRequest,
  type EmergencyRequest,
} from './read-emergency-request.js';

const HOUR_MS = 3_600_000;

export interface EmergencyAccessInput {
  readonly principal: PartnerPrincipal;
  readonly body: unknown;
  readonly requestId: string;
}

export interface EmergencyAccessResult {
  readonly grant: GrantRecord;
  /** False when the caller presented a grant it already holds for this survivor. */
  readonly created: boolean;
  /** Institutions a break-glass notice was queued for. */
  readonly notified: readonly string[];
}

/** The partner as an audit agent, with its organization role, as BALP records the requester. */
export function partnerActor(principal: PartnerPrincipal): AuditActor {
  return {
    ...actorFromPrincipal(principal),
    role: { system: ORGANIZATION_ROLE_SYSTEM, code: principal.role },
  };
}

export async function startEmergencyAccess(
  input: EmergencyAccessInput,
  deps: EmergencyDeps,
): Promise<EmergencyAccessResult> {
  const now = deps.clock();
  const actor = partnerActor(input.principal);
  const patient = peekPatient(input.body);
  const pseudonym = patient === undefined ? undefined : deps.pseudonymizer.current(patient).value;
  return auditingRefusals(
    deps.store,
    (error) =>
      buildRefusalEvent(error, {
        subtype: auditSubtype.emergencyOverrideStarted,
        actor,
        at: now,
        requestId: input.requestId,
        ...(pseudonym === undefined ? {} : { pseudonym }),
      }),
    () => openGrant(input, actor, now, deps),
  );
}

async function openGrant(
  input: EmergencyAccessInput,
  actor: AuditActor,
  now: Date,
  deps: EmergencyDeps,
): Promise<EmergencyAccessResult> {
  const { principal } = input;
  // Why before reading the request: a role that may never break the glass learns nothing more.
  if (!(deps.policy.roles as readonly string[]).includes(principal.role)) {
    throw new GatewayError(
      'ENLACE_EMERGENCY_ROLE_NOT_ALLOWED',
      `Institutions of role ${principal.role} may not act without the survivor's consent; the network policy allows ${deps.policy.roles.join(', ')}.`,
    );
  }
  const request = readEmergencyRequest(input.body, deps.policy);
  const current = deps.pseudonymizer.current(request.patient);
  // Every key's pseudonym, so a grant or consent made before a key rotation is still found.
  const pseudonyms = deps.pseudonymizer.all(request.patient).map((known) => known.value);
  return deps.store.transaction(async (unit) => {
    await lockOrganization(unit.db, deps.store.dialect, principal.partnerId);
    if (request.grant !== undefined) {
      const grant = await confirmGrant(unit, request.grant, pseudonyms, principal, now);
      return { grant, created: false, notified: [] };
    }
    await checkNoActiveGrant(unit, pseudonyms, principal.partnerId, now);
    await checkBelowLimit(unit, principal.partnerId, now, deps.policy.maxActivePerOrganization);
    const grant = newGrant(request, current, principal, now);
    await insertGrant(unit.db, grant);
    const recipients = await deps.consentRecorders(unit.db, pseudonyms);
    const notified = await queueBreakGlassNotices(unit.db, grant, recipients);
    // Appended last: on PostgreSQL the append holds the trail's sequence row until commit.
    await unit.audit.append(buildStartEvent(grant, actor, input.requestId));
    return { grant, created: true, notified };
  });
}

function newGrant(
  request: EmergencyRequest,
  pseudonym: { readonly keyId: string; readonly value: string },
  principal: PartnerPrincipal,
  now: Date,
): GrantRecord {
  return {
    id: randomUUID(),
    pseudonym: pseudonym.value,
    keyId: pseudonym.keyId,
    organization: principal.partnerId,
    role: principal.role,
    justification: request.justification,
    ...(request.riskLevel === undefined ? {} : { riskLevel: request.riskLevel }),
    grantedAt: now,
    expiresAt: new Date(now.getTime() + request.hours * HOUR_MS),
  };
}

/** A presented grant must be the caller's, for this very survivor, and still in force. */
async function confirmGrant(
  unit: UnitOfWork,
  id: string,
  pseudonyms: readonly string[],
  principal: PartnerPrincipal,
  now: Date,
): Promise<GrantRecord> {
  const grant = await findGrant(unit.db, id);
  // Why one answer for "unknown" and "another institution's": grant ids are not to be probed.
  if (grant?.organization !== principal.partnerId) {
    throw new GatewayError('ENLACE_EMERGENCY_GRANT_NOT_FOUND', 'No grant of yours has this id.', {
      expression: ["Parameters.parameter.where(name='grant')"],
    });
  }
  // Why: a grant covers the one survivor it was given for and never widens to a second one.
  if (!pseudonyms.includes(grant.pseudonym)) {
    throw new GatewayError(
      'ENLACE_EMERGENCY_GRANT_MISMATCH',
      'This grant was given for another survivor; a grant never covers a second survivor. Open a new one for her.',
      { expression: ["Parameters.parameter.where(name='patient')"] },
    );
  }
  if (!isGrantInForce(grant, now)) {
    throw new GatewayError(
      'ENLACE_EMERGENCY_GRANT_ENDED',
      'This grant has expired or was stopped; open a new one if the danger persists.',
      { expression: ["Parameters.parameter.where(name='grant')"] },
    );
  }
  return grant;
}

async function checkNoActiveGrant(
  unit: UnitOfWork,
  pseudonyms: readonly string[],
  organization: string,
  now: Date,
): Promise<void> {
  const active = await findActiveGrantRecord(unit.db, pseudonyms, organization, now);
  // Why refuse rather than open a second: one grant per survivor and institution keeps each
  // emergency a single reviewable record; the caller may present the grant it already holds.
  if (active !== undefined) {
    throw new GatewayError(
      'ENLACE_EMERGENCY_GRANT_ACTIVE',
      `Your institution already holds grant ${active.id} for this survivor until ${active.expiresAt.toISOString()}; present it as the grant parameter.`,
    );
  }
}

async function checkBelowLimit(
  unit: UnitOfWork,
  organization: string,
  now: Date,
  limit: number,
): Promise<void> {
  // Why a ceiling: a stolen client must not be able to open grants across the whole registry.
  if ((await countActiveGrants(unit.db, organization, now)) >= limit) {
    throw new GatewayError(
      'ENLACE_EMERGENCY_LIMIT_REACHED',
      `Your institution holds ${limit} grants in force, the most the network policy allows; stop one that is no longer needed.`,
    );
  }
}
