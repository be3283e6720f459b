// Reads a consent, one of its versions or its whole history, for institutions allowed to see it; audited.
import { actorFromPrincipal, auditingRefusals, describeRefusal } from '../../audit/index.js';
import { GatewayError } from '../../kernel/index.js';
import type { UnitOfWork } from '../../store/index.js';
import { buildConsentAuditEvent, type ConsentInteraction } from './consent-audit.js';
import type {
  ConsentCaller,
  ConsentContext,
  ConsentRecord,
  ConsentVersion,
} from './consent-record.js';
import { findConsent, listConsentVersions } from './consent-repository.js';
import { canSeeConsent, servesSurvivor } from './consent-visibility.js';

const notFound = (id: string): GatewayError =>
  new GatewayError('ENLACE_RESOURCE_NOT_FOUND', `No Consent has the id ${id.slice(0, 64)}.`);

/** Runs one audited read of a visible consent; invisible and absent consents answer the same 404. */
async function readVisible<T>(
  id: string,
  interaction: ConsentInteraction,
  caller: ConsentCaller,
  ctx: ConsentContext,
  read: (unit: UnitOfWork, record: ConsentRecord) => Promise<{ value: T; reference: string }>,
): Promise<T> {
  const now = ctx.clock();
  const actor = actorFromPrincipal(caller.principal);
  const requestId = caller.requestId === undefined ? {} : { requestId: caller.requestId };
  return auditingRefusals(
    ctx.store,
    (error) =>
      buildConsentAuditEvent({
        interaction,
        actor,
        recorded: now,
        consent: `Consent/${id.slice(0, 64)}`,
        refusal: describeRefusal(error),
        ...requestId,
      }),
    () =>
      ctx.store.transaction(async (unit) => {
        const record = await findConsent(unit.db, ctx.vault, id);
        const partnerId = caller.principal.partnerId;
        if (
          record === undefined ||
          (!canSeeConsent(record, partnerId) &&
            !(await servesSurvivor(unit.db, record.pseudonym, partnerId)))
        ) {
          throw notFound(id);
        }
        const { value, reference } = await read(unit, record);
        await unit.audit.append(
          buildConsentAuditEvent({
            interaction,
            actor,
            recorded: now,
            consent: reference,
            pseudonym: record.pseudonym,
            ...requestId,
          }),
        );
        return value;
      }),
  );
}

export function readConsent(
  id: string,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<ConsentRecord> {
  return readVisible(id, 'read', caller, ctx, (_unit, record) =>
    Promise.resolve({ value: record, reference: `Consent/${record.id}` }),
  );
}

export function readConsentVersion(
  id: string,
  versionId: string,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<ConsentVersion> {
  return readVisible(id, 'vread', caller, ctx, async (unit, record) => {
    const wanted = /^[1-9]\d{0,8}$/.test(versionId) ? Number(versionId) : NaN;
    const version = (await listConsentVersions(unit.db, ctx.vault, record.id)).find(
      (candidate) => candidate.version === wanted,
    );
    if (version === undefined) {
      throw new GatewayError(
        'ENLACE_RESOURCE_NOT_FOUND',
        `Consent ${record.id} has no version ${versionId.slice(0, 16)}.`,
      );
    }
    return { value: version, reference: `Consent/${record.id}/_history/${version.version}` };
  });
}

/** Every version, newest first. */
export function readConsentHistory(
  id: string,
  caller: ConsentCaller,
  ctx: ConsentContext,
): Promise<ConsentVersion[]> {
  return readVisible(id, 'history', caller, ctx, async (unit, record) => ({
    value: await listConsentVersions(unit.db, ctx.vault, record.id),
    reference: `Consent/${record.id}`,
  }));
}
