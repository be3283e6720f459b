// Turns break-the-glass notices still owed (the `notification` table) into outbox deliveries, once each.
import type { ParametersParameter } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import { BREAK_GLASS_NOTICE, EMERGENCY_GRANT_SYSTEM } from '../../consent/index.js';
import type { Database } from '../../store/index.js';
import { enqueueDelivery, type OutboxSealer } from '../outbox.js';
import { buildNotice, NOTICE_SYSTEM } from './notice-parameters.js';
import { breakGlassIdempotencyKey } from './record-outcome.js';

const BATCH = 100;

/**
 * Runs outside any transaction (each insert commits alone, so a race with another instance ends in
 * a duplicate-key refusal that is simply skipped). The worker calls it at every pass; the
 * notification row is marked delivered when its push succeeds. Returns the new delivery ids.
 */
export async function enqueueBreakGlassNotices(
  db: Kysely<Database>,
  now: Date,
  vault: OutboxSealer,
): Promise<string[]> {
  const owed = await db
    .selectFrom('notification')
    .selectAll()
    .where('kind', '=', BREAK_GLASS_NOTICE)
    .where('delivered_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(BATCH)
    .execute();
  if (owed.length === 0) return [];
  const keys = owed.map((row) => breakGlassIdempotencyKey(row.id));
  const queued = new Set(
    (
      await db
        .selectFrom('delivery')
        .select('idempotency_key')
        .where('idempotency_key', 'in', keys)
        .execute()
    ).map((row) => row.idempotency_key),
  );
  const ids: string[] = [];
  for (const row of owed) {
    const idempotencyKey = breakGlassIdempotencyKey(row.id);
    if (queued.has(idempotencyKey)) continue;
    const payload = buildNotice(
      row.id,
      { system: NOTICE_SYSTEM, code: BREAK_GLASS_NOTICE },
      toParameters(JSON.parse(row.payload) as unknown),
    );
    try {
      ids.push(
        await enqueueDelivery(
          db,
          { recipient: row.recipient, kind: 'break-glass', payload, idempotencyKey },
          now,
          vault,
        ),
      );
    } catch (error) {
      // Another instance queued it between the read and this insert: nothing is owed any more.
      const exists = await db
        .selectFrom('delivery')
        .select('id')
        .where('idempotency_key', '=', idempotencyKey)
        .executeTakeFirst();
      if (exists === undefined) throw error;
    }
  }
  return ids;
}

/** Copies the notice's ids, codes and times; anything else the row might hold stays behind. */
function toParameters(payload: unknown): ParametersParameter[] {
  if (typeof payload !== 'object' || payload === null) return [];
  const field = (name: string): string | undefined => {
    const value: unknown = (payload as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const parameters: ParametersParameter[] = [];
  const grant = field('grant');
  if (grant !== undefined) {
    parameters.push({
      name: 'grant',
      valueIdentifier: { system: EMERGENCY_GRANT_SYSTEM, value: grant },
    });
  }
  const pseudonym = field('pseudonym');
  if (pseudonym !== undefined) parameters.push({ name: 'pseudonym', valueString: pseudonym });
  const organization = field('organization');
  if (organization !== undefined) {
    parameters.push({
      name: 'organization',
      valueReference: { reference: `Organization/${organization}` },
    });
  }
  const role = field('role');
  if (role !== undefined) parameters.push({ name: 'role', valueCode: role });
  const riskLevel = field('riskLevel');
  if (riskLevel !== undefined) parameters.push({ name: 'riskLevel', valueCode: riskLevel });
  const grantedAt = field('grantedAt');
  if (grantedAt !== undefined) parameters.push({ name: 'granted', valueInstant: grantedAt });
  const expiresAt = field('expiresAt');
  if (expiresAt !== undefined) parameters.push({ name: 'expires', valueInstant: expiresAt });
  return parameters;
}
