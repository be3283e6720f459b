// Runs the decision engine and, when it does not permit, lets a governed break-the-glass grant in force decide.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';
import { dataClasses, type Decision, type DecisionRequest, type StoredConsent } from '../types.js';
import type { GateDeps } from './gate-deps.js';

export async function decideWithEmergency(
  db: Kysely<Database>,
  consents: readonly StoredConsent[],
  request: DecisionRequest,
  deps: Pick<GateDeps, 'decide' | 'emergencyGrants' | 'defaultDecision'>,
): Promise<Decision> {
  const decision = deps.decide(consents, request, { defaultDecision: deps.defaultDecision });
  if (decision.outcome === 'permit') return decision;
  // Why: break-the-glass exists for the moment her life is at risk and consent cannot be asked;
  // only a grant recorded, bounded in time and reviewed later (src/consent/emergency) may override.
  const grant = await deps.emergencyGrants(
    db,
    request.survivor,
    request.actor.organization,
    request.at,
  );
  if (grant === undefined) return decision;
  const permitted = request.dataClasses.length === 0 ? [...dataClasses] : [...request.dataClasses];
  return {
    outcome: 'permit',
    reliedOn: decision.reliedOn,
    permitted: permitted.sort(),
    remove: [],
    conflicts: decision.conflicts,
    emergencyGrant: grant.id,
  };
}
