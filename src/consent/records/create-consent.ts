// Records a survivor's consent: checked, pseudonymised, stored as version 1 and audited in one transaction.
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
import { insertConsent, insertConsentVersion } from './consent-repository.js';
import { ensureSurvivorState } from './survivor-state.js';

export async function createConsent(
  body: unknown,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<ConsentRecord> {
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
      const input = checkConsentInput(body, caller.principal.partnerId);
      // Why: from here on only the pseudonym exists; the identifier is not stored, logged or audited.
      const pseudonym = ctx.pseudonymizer.current(input.identifier);
      return ctx.store.transaction(async (unit) => {
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
        await insertConsent(unit.db, record);
        await insertConsentVersion(unit.db, {
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
        return record;
      });
    },
  );
}
