// Verifies the gateway's proof of receipt and reads the referral it created: `focus` Task/<id>.
import type { Bundle } from '@medplum/fhirtypes';
import { EnlaceVerificationError } from '../errors.js';
import type { GatewayKeys } from '../trust/gateway-keys.js';
import { verifyGatewaySigned } from './verify-gateway-signed.js';

const TASK_REFERENCE = /^Task\/([A-Za-z0-9\-.]{1,64})$/;

/**
 * The acknowledgement must be signed by the gateway, answer exactly the MessageHeader we sent
 * (`response.identifier`) with `ok`, and name the new Task. Returns that Task's id.
 */
export async function verifyAcknowledgement(
  acknowledgement: Bundle,
  headerId: string,
  keys: GatewayKeys,
  now: Date,
): Promise<string> {
  await verifyGatewaySigned(acknowledgement, keys, now, 'acknowledgement');
  const header = acknowledgement.entry?.[0]?.resource;
  const taskId =
    header?.resourceType === 'MessageHeader'
      ? TASK_REFERENCE.exec(header.focus?.[0]?.reference ?? '')?.[1]
      : undefined;
  if (
    header?.resourceType !== 'MessageHeader' ||
    header.response?.identifier !== headerId ||
    header.response.code !== 'ok' ||
    taskId === undefined
  ) {
    throw new EnlaceVerificationError('acknowledgement', {
      cause: new Error('the acknowledgement does not answer this message with ok and a Task'),
    });
  }
  return taskId;
}
