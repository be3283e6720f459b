// Closes grants at expiry: sets stopped_at and appends one STOP AuditEvent per grant, even under concurrent sweeps.
import type { Store } from '../../store/index.js';
import { buildStopEvent, gatewayActor } from './emergency-audit.js';
import { listExpiredOpenGrants, markStopped } from './grant-repository.js';

/** Grants closed per query; the sweep repeats until none is left, so the bound only paces it. */
const BATCH = 100;

/**
 * Stops every grant with `expires_at <= now` not yet stopped; returns the ids this call stopped.
 * Safe to run from several gateway instances at once: the conditional UPDATE lets exactly one
 * of them close a grant, and only that one appends the STOP event, in the same transaction.
 */
export async function stopExpiredGrants(store: Store, now: Date): Promise<string[]> {
  const stopped: string[] = [];
  for (;;) {
    const due = await listExpiredOpenGrants(store.db, now, BATCH);
    let progressed = false;
    for (const grant of due) {
      const mine = await store.transaction(async (unit) => {
        if (!(await markStopped(unit.db, grant.id, now, { onlyIfExpired: true }))) return false;
        await unit.audit.append(
          buildStopEvent(grant, { actor: gatewayActor, at: now, reason: 'expired' }),
        );
        return true;
      });
      if (mine) stopped.push(grant.id);
      progressed ||= mine;
    }
    // Why stop when nothing moved: another instance closed this batch, and it will close the rest.
    if (due.length < BATCH || !progressed) return stopped;
  }
}
