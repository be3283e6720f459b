// Step 7a — the Task as the gateway stores it: server-assigned id, version 1, status requested, references only.
import type { Reference, Task } from '@medplum/fhirtypes';
import { REFERRAL_STATUS_SYSTEM } from '../task-workflow.js';

/** Keeps only `reference`: a display or identifier inside a Reference could carry her name or number. */
const referenceOnly = (reference: Reference | undefined): Reference | undefined =>
  reference?.reference === undefined ? undefined : { reference: reference.reference };

/**
 * Why rebuilt from chosen elements rather than copied: the task column is not encrypted, so only
 * workflow facts go in (who, what status, when); narrative, notes and inputs stay in the sealed
 * message. Status and businessStatus are the gateway's: a referral always starts `requested`.
 */
export function buildStoredTask(
  submitted: Task,
  parties: { readonly id: string; readonly sender: string; readonly recipient: string },
  at: Date,
): Task {
  const focus = referenceOnly(submitted.focus);
  const subject = referenceOnly(submitted.for);
  return {
    resourceType: 'Task',
    id: parties.id,
    meta: {
      versionId: '1',
      lastUpdated: at.toISOString(),
      ...(submitted.meta?.profile === undefined ? {} : { profile: [...submitted.meta.profile] }),
    },
    status: 'requested',
    businessStatus: {
      coding: [{ system: REFERRAL_STATUS_SYSTEM, code: 'requested', display: 'Requested' }],
    },
    intent: 'order',
    ...(submitted.priority === undefined ? {} : { priority: submitted.priority }),
    ...(focus === undefined ? {} : { focus }),
    ...(subject === undefined ? {} : { for: subject }),
    ...(submitted.authoredOn === undefined ? {} : { authoredOn: submitted.authoredOn }),
    lastModified: at.toISOString(),
    requester: { reference: `Organization/${parties.sender}` },
    owner: { reference: `Organization/${parties.recipient}` },
  };
}
