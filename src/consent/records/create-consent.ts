// Records a survivor's consent: checked, pseudonymised, stored as version 1 and audited in one transaction; conditionally with If-None-Exist.
import { randomUUID } from 'node:crypto';
import type { Consent } from '@medplum/fhirtypes';
import { actorFromPrincipal, auditingRefusals, describeRefusal } from '../../audit/index.js';
import { GatewayError } from '../../kernel/index.js';
import { findPartner } from '../../partners/index.js';
import { PSEUDONYM_SYSTEM } from '../types.js';
import { checkConsentInput } from './check-consent-input.js';
import { buildConsentAuditEvent } from './consent-audit.js';
import { VAW_CONSENT_PROFILE } from './consent-constants.js';
import type { ConsentCaller, ConsentContext, ConsentRecord } from './consent-record.js';
import { findExistingConsent, identifierDigests, readConsentMatch } from './consent-match.js';
import {
  insertConsent,
  insertConsentIdentifiers,
  insertConsentVersion,
} from './consent-repository.js';
import { ensureSurvivorState } from './survivor-state.js';

/** A conditional create's outcome: the consent, and whether this request recorded it. */
export interface ConsentCreation {
  readonly record: ConsentRecord;
  /** False when If-None-Exist matched an existing consent and nothing was recorded. */
  readonly created: boolean;
}

export async function createConsent(
  body: unknown,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<ConsentRecord> {
  return (await recordConsent(body, undefined, caller, ctx)).record;
}

/**
 * POST with If-None-Exist (FHIR conditional create): the one visible consent the header's search
 * matches is returned and nothing is recorded; several matching refuse with 412; none records it.
 * Without the header it is an ordinary create.
 */
export function createConsentConditionally(
  body: unknown,
  ifNoneExist: string | string[] | undefined,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<ConsentCreation> {
  return recordConsent(body, ifNoneExist, caller, ctx);
}

async function recordConsent(
  body: unknown,
  ifNoneExist: string | string[] | undefined,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<ConsentCreation> {
  const now = ctx.clock();
  const actor = actorFromPrincipal(caller.principal);
  const requestId = caller.requestId === undefined ? {} : { requestId: caller.requestId };
  return auditingRefusals(
    ctx.store,
    (error) =>
      buildConsentAuditEvent({
        interaction: 'create',
        actor,
        recorded: now,
        refusal: describeRefusal(error),
        ...requestId,
      }),
    async () => {
      const match = readConsentMatch(ifNoneExist);
      const input = checkConsentInput(body, caller.principal.partnerId);
      // Why: from here on only the pseudonym exists; the identifier is not stored, logged or audited.
      const pseudonym = ctx.pseudonymizer.current(input.identifier);
      return ctx.store.transaction(async (unit): Promise<ConsentCreation> => {
        const existing =
          match === undefined
            ? undefined
            : await findExistingConsent(unit, match, caller.principal.partnerId, ctx);
        if (existing !== undefined) {
          await unit.audit.append(
            buildConsentAuditEvent({
              interaction: 'create',
              actor,
              recorded: now,
              consent: `Consent/${existing.id}/_history/${existing.version}`,
              description: 'If-None-Exist matched this consent; nothing was recorded',
              pseudonym: existing.pseudonym,
              ...requestId,
            }),
          );
          return { record: existing, created: false };
        }
        for (const [partnerId, expression] of input.actorOrganizations) {
          if ((await findPartner(unit.db, partnerId)) === undefined) {
            throw new GatewayError(
              'ENLACE_CONSENT_ACTOR_UNKNOWN',
              `${partnerId} is not a registered partner institution.`,
              { expression: [expression] },
            );
          }
        }
        const id = randomUUID();
        const stamp = now.toISOString();
        const resource: Consent = {
          ...input.consent,
          resourceType: 'Consent',
          id,
          meta: { versionId: '1', lastUpdated: stamp, profile: [VAW_CONSENT_PROFILE] },
          patient: { identifier: { system: PSEUDONYM_SYSTEM, value: pseudonym.value } },
        };
        const record: ConsentRecord = {
          id,
          version: 1,
          pseudonym: pseudonym.value,
          keyId: pseudonym.keyId,
          status: 'active',
          recorder: caller.principal.partnerId,
          recordedAt: stamp,
          updatedAt: stamp,
          resource,
        };
        await insertConsent(unit.db, ctx.vault, record);
        await insertConsentIdentifiers(unit.db, id, identifierDigests(resource, ctx.pseudonymizer));
        await insertConsentVersion(unit.db, ctx.vault, {
          id,
          version: 1,
          resource,
          changedAt: stamp,
          changedBy: `Organization/${record.recorder}`,
          change: 'create',
        });
        await ensureSurvivorState(unit.db, pseudonym.value);
        await unit.audit.append(
          buildConsentAuditEvent({
            interaction: 'create',
            actor,
            recorded: now,
            consent: `Consent/${id}/_history/1`,
            pseudonym: pseudonym.value,
            ...requestId,
          }),
        );
        return { record, created: true };
      });
    },
  );
}
