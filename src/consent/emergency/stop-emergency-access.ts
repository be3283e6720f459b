// $emergency-access-stop: the granted institution ends its own grant before it expires.
import { auditSubtype } from '../../audit/index.js';
import { GatewayError, type PartnerPrincipal } from '../../kernel/index.js';
import { auditingRefusals } from '../../audit/index.js';
import type { EmergencyDeps } from './emergency-deps.js';
import { buildRefusalEvent, buildStopEvent } from './emergency-audit.js';
import type { GrantRecord } from './grant-record.js';
import { findGrant, markStopped } from './grant-repository.js';
import { readStopRequest } from './read-emergency-request.js';
import { partnerActor } from './start-emergency-access.js';

export interface StopAccessInput {
  readonly principal: PartnerPrincipal;
  readonly body: unknown;
  readonly requestId: string;
}

export async function stopEmergencyAccess(
  input: StopAccessInput,
  deps: Pick<EmergencyDeps, 'store' | 'clock'>,
): Promise<GrantRecord> {
  const now = deps.clock();
  const actor = partnerActor(input.principal);
  let grantId: string | undefined;
  return auditingRefusals(
    deps.store,
    (error) =>
      buildRefusalEvent(error, {
        subtype: auditSubtype.emergencyOverrideStopped,
        actor,
        at: now,
        requestId: input.requestId,
        ...(grantId === undefined ? {} : { grantId }),
      }),
    async () => {
      grantId = readStopRequest(input.body);
      const id = grantId;
      return deps.store.transaction(async (unit) => {
        const grant = await findGrant(unit.db, id);
        // Why the same answer for another institution's grant: only the holder may end it.
        if (grant?.organization !== input.principal.partnerId) {
          throw new GatewayError(
            'ENLACE_EMERGENCY_GRANT_NOT_FOUND',
            'No grant of yours has this id.',
            {
              expression: ["Parameters.parameter.where(name='grant')"],
            },
          );
        }
        if (!(await markStopped(unit.db, id, now, { onlyIfExpired: false }))) {
          throw new GatewayError(
            'ENLACE_EMERGENCY_GRANT_ENDED',
            'This grant has already expired or been stopped.',
          );
        }
        const stopped: GrantRecord = { ...grant, stoppedAt: now };
        await unit.audit.append(
          buildStopEvent(stopped, {
            actor,
            at: now,
            reason: 'ended by the institution',
            requestId: input.requestId,
          }),
        );
        return stopped;
      });
    },
  );
}
