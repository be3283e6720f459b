// The closed loop of a referral: which Task status changes each party may make, and what each requires.
import { GatewayError } from '../kernel/index.js';

/** BSeR-style business status of a referral, with the FHIR Task.status each one implies. */
export const referralStatuses = {
  requested: 'requested',
  received: 'received',
  accepted: 'accepted',
  rejected: 'rejected',
  'in-progress': 'in-progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;

export type ReferralStatus = keyof typeof referralStatuses;
export type Party = 'sender' | 'recipient';

export const REFERRAL_STATUS_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/referral-status';

interface Transition {
  readonly from: readonly ReferralStatus[];
  readonly by: Party;
  /** What the change must carry: a reason for a refusal, an output for a completion. */
  readonly needs?: 'statusReason' | 'output';
}

/**
 * requested → received (the recipient's first retrieval) → accepted | rejected (with a reason) →
 * in-progress → completed (with what was provided) | failed; the sender may cancel until completion.
 */
const transitions: Readonly<Partial<Record<ReferralStatus, Transition>>> = {
  received: { from: ['requested'], by: 'recipient' },
  accepted: { from: ['requested', 'received'], by: 'recipient' },
  rejected: { from: ['requested', 'received'], by: 'recipient', needs: 'statusReason' },
  'in-progress': { from: ['accepted'], by: 'recipient' },
  completed: { from: ['accepted', 'in-progress'], by: 'recipient', needs: 'output' },
  failed: { from: ['accepted', 'in-progress'], by: 'recipient', needs: 'statusReason' },
  cancelled: {
    from: ['requested', 'received', 'accepted', 'in-progress'],
    by: 'sender',
    needs: 'statusReason',
  },
};

export const isReferralStatus = (value: unknown): value is ReferralStatus =>
  typeof value === 'string' && Object.hasOwn(referralStatuses, value);

export interface TransitionRequest {
  readonly from: ReferralStatus;
  readonly to: ReferralStatus;
  readonly by: Party;
  readonly hasStatusReason: boolean;
  readonly hasOutput: boolean;
}

/** Throws ENLACE_TASK_TRANSITION_INVALID (409) unless the change is one the loop allows this party. */
export function checkTransition(request: TransitionRequest): void {
  const rule = transitions[request.to];
  const refuse = (why: string): never => {
    throw new GatewayError(
      'ENLACE_TASK_TRANSITION_INVALID',
      `A referral cannot go from ${request.from} to ${request.to}: ${why}.`,
      { expression: ['Task.businessStatus'] },
    );
  };
  if (rule === undefined) return refuse('no party may set that status');
  if (!rule.from.includes(request.from)) return refuse(`only from ${rule.from.join(', ')}`);
  if (rule.by !== request.by) return refuse(`only the ${rule.by} may make this change`);
  if (rule.needs === 'statusReason' && !request.hasStatusReason) {
    throw new GatewayError(
      'ENLACE_TASK_REASON_REQUIRED',
      `Setting a referral to ${request.to} requires a statusReason.`,
      { expression: ['Task.statusReason'] },
    );
  }
  if (rule.needs === 'output' && !request.hasOutput) {
    throw new GatewayError(
      'ENLACE_TASK_REASON_REQUIRED',
      'Completing a referral requires an output describing what was provided.',
      { expression: ['Task.output'] },
    );
  }
}

/** Statuses after which nothing changes any more. */
export const isFinal = (status: ReferralStatus): boolean =>
  status === 'completed' || status === 'failed' || status === 'rejected' || status === 'cancelled';
