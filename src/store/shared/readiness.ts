// Runs named readiness checks, turning any database error into a failing check without SQL text.
import type { Kysely } from 'kysely';
import type { ReadinessReport } from '../ports.js';
import type { Database } from '../schema.js';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves to undefined when the check passes, or to a human-readable reason when it fails. */
  run(db: Kysely<Database>): Promise<string | undefined>;
}

function describeFailure(error: unknown): string {
  // Why: driver messages can quote SQL, identifiers or values; expose only the stable error code.
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string'
      ? ` (${error.code})`
      : '';
  return `the database refused the check${code}`;
}

export const writableCheck: ReadinessCheck = {
  name: 'writable',
  async run(db) {
    const checkedAt = Date.now();
    await db
      .insertInto('readiness_probe')
      .values({ id: 1, checked_at: checkedAt })
      .onConflict((conflict) => conflict.column('id').doUpdateSet({ checked_at: checkedAt }))
      .execute();
    return undefined;
  },
};

export async function runReadinessChecks(
  db: Kysely<Database>,
  checks: readonly ReadinessCheck[],
): Promise<ReadinessReport> {
  const results: Record<string, { ok: boolean; detail?: string }> = {};
  for (const check of checks) {
    try {
      const detail = await check.run(db);
      results[check.name] = detail === undefined ? { ok: true } : { ok: false, detail };
    } catch (error) {
      results[check.name] = { ok: false, detail: describeFailure(error) };
    }
  }
  return { ok: Object.values(results).every((result) => result.ok), checks: results };
}
