// Revokes a consent on her behalf: a new inactive version (never a delete), the epoch bumped, the change audited.
import type { Consent } from '@medplum/fhirtypes';
import { actorFromPrincipal, auditingRefusals, describeRefusal } from '../../audit/index.js';
import { GatewayError } from '../../kernel/index.js';
import { buildConsentAuditEvent } from './consent-audit.js';
import { REVOCATION_REASON_EXTENSION } from './consent-constants.js';
import type { ConsentCaller, ConsentContext, ConsentRecord } from './consent-record.js';
import {
  findConsent,
  insertConsentVersion,
  listDisclosureRecipients,
  updateConsent,
} from './consent-repository.js';
import { canRevokeConsent, canSeeConsent, servesSurvivor } from './consent-visibility.js';
import { readIfMatch, versionEtag } from './read-if-match.js';
import { readRevocationPatch } from './read-revocation-patch.js';
import { bumpConsentEpoch } from './survivor-state.js';

export interface Revocation {
  readonly record: ConsentRecord;
  /** Partner ids that received her data under this consent and must now be told it was withdrawn. */
  readonly recipients: readonly string[];
}

export interface RevocationRequest {
  readonly id: string;
  /** The JSON Patch body. */
  readonly patch: unknown;
  /** The If-Match header, if any. */
  readonly ifMatch: string | readonly string[] | undefined;
}

export async function revokeConsent(
  request: RevocationRequest,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<Revocation> {
  const now = ctx.clock();
  const actor = actorFromPrincipal(caller.principal);
  const partnerId = caller.principal.partnerId;
  const requestId = caller.requestId === undefined ? {} : { requestId: caller.requestId };
  return auditingRefusals(
    ctx.store,
    (error) =>
      buildConsentAuditEvent({
        interaction: 'patch',
        actor,
        recorded: now,
        consent: `Consent/${request.id.slice(0, 64)}`,
        refusal: describeRefusal(error),
        ...requestId,
      }),
    async () => {
      const reason = readRevocationPatch(request.patch);
      const expected = readIfMatch(request.ifMatch);
      return ctx.store.transaction(async (unit) => {
        const record = await findConsent(unit.db, ctx.vault, request.id);
        const serving =
          record !== undefined && (await servesSurvivor(unit.db, record.pseudonym, partnerId));
        if (record === undefined || (!serving && !canSeeConsent(record, partnerId))) {
          throw new GatewayError(
            'ENLACE_RESOURCE_NOT_FOUND',
            `No Consent has the id ${request.id.slice(0, 64)}.`,
          );
        }
        if (!serving && !canRevokeConsent(record, partnerId)) {
          throw new GatewayError(
            'ENLACE_CONSENT_REVOCATION_FORBIDDEN',
            'Only the institution that recorded this consent, one it permits to receive her data, or one holding an open referral for her may revoke it.',
          );
        }
        if (expected !== undefined && expected !== record.version) {
          throw new GatewayError(
            'ENLACE_CONSENT_VERSION_MISMATCH',
            `If-Match ${versionEtag(expected)} does not match the current version ${versionEtag(record.version)}.`,
            { expression: ['If-Match'] },
          );
        }
        if (record.status !== 'active') {
          throw new GatewayError(
            'ENLACE_CONSENT_ALREADY_INACTIVE',
            'This consent is already inactive.',
            { expression: ['Consent.status'] },
          );
        }
        // Why: the epoch row is taken exclusively before anything else is written, so a consent
        // check in flight either commits first or waits and then sees this revocation.
        await bumpConsentEpoch(unit.db, record.pseudonym);
        const version = record.version + 1;
        const stamp = now.toISOString();
        const resource: Consent = {
          ...record.resource,
          meta: { ...record.resource.meta, versionId: String(version), lastUpdated: stamp },
          status: 'inactive',
          extension: [
            ...(record.resource.extension ?? []),
            { url: REVOCATION_REASON_EXTENSION, valueString: reason },
          ],
        };
        const next: ConsentRecord = {
          ...record,
          version,
          status: 'inactive',
          updatedAt: stamp,
          resource,
        };
        if (!(await updateConsent(unit.db, ctx.vault, record.version, next))) {
          throw new GatewayError(
            'ENLACE_CONSENT_VERSION_MISMATCH',
            'The consent changed while it was being revoked; read it again.',
            { expression: ['If-Match'] },
          );
        }
        await insertConsentVersion(unit.db, ctx.vault, {
          id: record.id,
          version,
          resource,
          changedAt: stamp,
          changedBy: `Organization/${partnerId}`,
          change: 'revoke',
        });
        const recipients = await listDisclosureRecipients(unit.db, record.id);
        await ctx.onRevoked?.(unit, recipients, `Consent/${record.id}/_history/${version}`, now);
        // The reason is free text that may name her; the audit records the change, not the words.
        await unit.audit.append(
          buildConsentAuditEvent({
            interaction: 'patch',
            actor,
            recorded: now,
            consent: `Consent/${record.id}/_history/${version}`,
            pseudonym: record.pseudonym,
            description: 'revoked',
            ...requestId,
          }),
        );
        return { record: next, recipients };
      });
    },
  );
}
