// The $evaluate operation: what her consents decide for an actor, purpose and data classes, at an instant.
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import { actorFromPrincipal, auditingRefusals, describeRefusal } from '../../audit/index.js';
import { GatewayError } from '../../kernel/index.js';
import { findPartner } from '../../partners/index.js';
import type { Database } from '../../store/index.js';
import {
  buildConsentAuditEvent,
  canSeeConsentResource,
  loadConsentsAsOf,
  loadCurrentConsents,
  type ConsentCaller,
  type ConsentContext,
} from '../records/index.js';
import type { ConsentActor, Decision, DecisionRequest } from '../types.js';
import { decideWithEmergency } from './decide-with-emergency.js';
import { buildDecisionAuditEvent } from './decision-audit.js';
import { describeDecision } from './describe-decision.js';
import { readEvaluateParameters } from './read-evaluate-parameters.js';

/**
 * Who may ask: any partner with the scope, for itself (the default) or for another registered
 * institution (a sender checking its recipient before building a referral). The outcome and data
 * classes are answered in full, since a send would reveal them anyway; the consents relied on or in
 * conflict are named only when the caller may see them. Every evaluation is audited with the
 * survivor's pseudonym, so probing shows in the trail.
 */
export async function evaluateConsentOperation(
  body: unknown,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<Parameters> {
  const now = ctx.clock();
  const requestor = actorFromPrincipal(caller.principal);
  const requestId = caller.requestId === undefined ? {} : { requestId: caller.requestId };
  return auditingRefusals(
    ctx.store,
    (error) =>
      buildConsentAuditEvent({
        interaction: 'operation',
        actor: requestor,
        recorded: now,
        description: 'Consent $evaluate',
        refusal: describeRefusal(error),
        ...requestId,
      }),
    async () => {
      const input = readEvaluateParameters(body);
      const at = input.at ?? now;
      const survivor = ctx.pseudonymizer.all(input.identifier).map((pseudonym) => pseudonym.value);
      return ctx.store.transaction(async (unit) => {
        const actor = await resolveActor(unit.db, input.actor, caller);
        const request: DecisionRequest = {
          survivor,
          actor,
          purpose: input.purpose,
          dataClasses: input.dataClasses,
          at,
        };
        // A past instant is judged on the consents as they then stood, not as later revoked.
        const consents =
          at < now
            ? await loadConsentsAsOf(unit.db, ctx.vault, survivor, at)
            : await loadCurrentConsents(unit.db, ctx.vault, survivor);
        const decision = await decideWithEmergency(unit.db, consents, request, ctx);
        await unit.audit.append(
          buildDecisionAuditEvent({
            decision,
            request,
            recorded: now,
            via: 'evaluate',
            requestor,
            ...requestId,
          }),
        );
        const visible = new Set(
          consents
            .filter((consent) =>
              canSeeConsentResource(consent.resource, caller.principal.partnerId),
            )
            .map((consent) => `Consent/${consent.id}/_history/${consent.version}`),
        );
        return toEvaluateParameters(decision, visible);
      });
    },
  );
}

async function resolveActor(
  db: Kysely<Database>,
  actorId: string | undefined,
  caller: ConsentCaller,
): Promise<ConsentActor> {
  if (actorId === undefined || actorId === caller.principal.partnerId) {
    return { organization: caller.principal.partnerId, role: caller.principal.role };
  }
  const partner = await findPartner(db, actorId);
  if (partner === undefined) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      `actor ${actorId} is not a registered partner institution.`,
      { expression: ["Parameters.parameter.where(name='actor')"] },
    );
  }
  return { organization: partner.id, role: partner.role };
}

export function toEvaluateParameters(decision: Decision, visible: ReadonlySet<string>): Parameters {
  const codes = (name: string, values: readonly string[]): ParametersParameter[] =>
    values.map((value) => ({ name, valueCode: value }));
  const references = (name: string, values: readonly string[]): ParametersParameter[] =>
    values
      .filter((value) => visible.has(value))
      .map((value) => ({ name, valueReference: { reference: value } }));
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'decision', valueCode: decision.outcome },
      ...codes('permitted', decision.permitted),
      ...codes('remove', decision.remove),
      ...references('reliedOn', decision.reliedOn),
      ...references('conflict', decision.conflicts),
      ...(decision.emergencyGrant === undefined
        ? []
        : [{ name: 'emergencyGrant', valueBoolean: true }]),
      { name: 'reason', valueString: describeDecision(decision) },
    ],
  };
}
