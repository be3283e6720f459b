import assert from 'node:assert/strict';
import { classifyEvent } from '../../../src/disclosures/classify-event.js';
import { buildTaskAuditEvent, type TaskInteraction } from '../../../src/referrals/index.js';

const kindOf = (interaction: TaskInteraction, entity: string): string => {
  const classified = classifyEvent(
    buildTaskAuditEvent({
      interaction,
      actor: { reference: 'Organization/casa-refugio' },
      recorded: new Date('2025-03-12T12:00:00Z'),
      entity,
      pseudonym: 'k1.p',
      requestId: 'r1',
    }),
  );
  return classified.role === 'access' ? classified.kind : classified.role;
};

describe('her disclosure report and the Task history', () => {
  it('counts a read of the Task, of one of its versions and of its history as a read', () => {
    assert.equal(kindOf('read', 'Task/t1'), 'referral-read');
    assert.equal(kindOf('vread', 'Task/t1/_history/2'), 'referral-read');
    assert.equal(kindOf('history', 'Task/t1'), 'referral-read');
    assert.equal(kindOf('patch', 'Task/t1'), 'referral-updated');
  });
});
