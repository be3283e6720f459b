import assert from 'node:assert/strict';
import {
  checkTransition,
  isFinal,
  referralStatuses,
  type Party,
  type ReferralStatus,
} from '../../../src/referrals/task-workflow.js';

const allowed: readonly [ReferralStatus, ReferralStatus, Party, 'reason' | 'output' | ''][] = [
  ['requested', 'received', 'recipient', ''],
  ['requested', 'accepted', 'recipient', ''],
  ['received', 'accepted', 'recipient', ''],
  ['received', 'rejected', 'recipient', 'reason'],
  ['accepted', 'in-progress', 'recipient', ''],
  ['in-progress', 'completed', 'recipient', 'output'],
  ['accepted', 'completed', 'recipient', 'output'],
  ['in-progress', 'failed', 'recipient', 'reason'],
  ['requested', 'cancelled', 'sender', 'reason'],
  ['in-progress', 'cancelled', 'sender', 'reason'],
];

const request = (from: ReferralStatus, to: ReferralStatus, by: Party, with_: string) => ({
  from,
  to,
  by,
  hasStatusReason: with_ === 'reason',
  hasOutput: with_ === 'output',
});

describe('the referral workflow', () => {
  for (const [from, to, by, needs] of allowed) {
    it(`lets the ${by} move a referral from ${from} to ${to}`, () => {
      assert.doesNotThrow(() => {
        checkTransition(request(from, to, by, needs));
      });
    });
  }

  it('refuses every transition not in the loop with 409 ENLACE_TASK_TRANSITION_INVALID', () => {
    const statuses = Object.keys(referralStatuses) as ReferralStatus[];
    let refused = 0;
    for (const from of statuses) {
      for (const to of statuses) {
        for (const by of ['sender', 'recipient'] as const) {
          const listed = allowed.some(([f, t, b]) => f === from && t === to && b === by);
          const sameShape = ['requested', 'received', 'accepted', 'in-progress'].includes(from);
          const legal =
            listed ||
            (to === 'cancelled' && by === 'sender' && sameShape) ||
            (to === 'rejected' &&
              by === 'recipient' &&
              (from === 'requested' || from === 'received')) ||
            (to === 'accepted' &&
              by === 'recipient' &&
              (from === 'requested' || from === 'received')) ||
            (to === 'failed' &&
              by === 'recipient' &&
              (from === 'accepted' || from === 'in-progress')) ||
            (to === 'completed' &&
              by === 'recipient' &&
              (from === 'accepted' || from === 'in-progress'));
          if (legal) continue;
          refused += 1;
          assert.throws(
            () => {
              checkTransition({ from, to, by, hasStatusReason: true, hasOutput: true });
            },
            (err: unknown) =>
              (err as { code?: string; status?: number }).code ===
                'ENLACE_TASK_TRANSITION_INVALID' && (err as { status?: number }).status === 409,
            `${by}: ${from} -> ${to}`,
          );
        }
      }
    }
    assert.ok(refused > 100);
  });

  it('requires a statusReason to reject, fail or cancel, and an output to complete', () => {
    for (const [from, to, by] of [
      ['received', 'rejected', 'recipient'],
      ['in-progress', 'failed', 'recipient'],
      ['requested', 'cancelled', 'sender'],
      ['in-progress', 'completed', 'recipient'],
    ] as const) {
      assert.throws(
        () => {
          checkTransition(request(from, to, by, ''));
        },
        { code: 'ENLACE_TASK_REASON_REQUIRED' },
      );
    }
  });

  it('refuses the sender acting for the recipient and the reverse', () => {
    assert.throws(() => {
      checkTransition(request('requested', 'accepted', 'sender', ''));
    }, /only the recipient/);
    assert.throws(() => {
      checkTransition(request('requested', 'cancelled', 'recipient', 'reason'));
    }, /only the sender/);
  });

  it('knows which statuses end the loop', () => {
    assert.deepEqual((Object.keys(referralStatuses) as ReferralStatus[]).filter(isFinal), [
      'rejected',
      'completed',
      'failed',
      'cancelled',
    ]);
  });
});
