// What one step of the closed loop carries: the new status and what the workflow asks to go with it.
import type { Annotation, CodeableConcept, TaskOutput } from '@medplum/fhirtypes';
import type { ReferralStatus } from '../task-workflow.js';

export interface TaskChange {
  readonly status: ReferralStatus;
  readonly statusReason?: CodeableConcept;
  /** Appended to Task.note. */
  readonly notes: readonly Annotation[];
  /** Appended to Task.output. */
  readonly outputs: readonly TaskOutput[];
}
