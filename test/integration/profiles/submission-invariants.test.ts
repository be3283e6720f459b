import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import request from 'supertest';
import { assertOutcome } from '../../support/outcome.js';
import {
  buildReferralBundle,
  createReferralNetwork,
  encryptMessage,
  signReferral,
  type ReferralNetwork,
} from '../referrals/referral-fixtures.js';
import { auditSince, countRows } from '../referrals/submission-counts.js';

describe('R4 invariants and urn: references on $process-message', () => {
  let net: ReferralNetwork;
  let survivor: string;

  before(async () => {
    net = await createReferralNetwork();
    survivor = `S-${randomUUID()}`;
    await net.recordConsent(survivor);
  });
  after(() => net.dispose());

  /** A referral changed by `change` before it is signed and sealed to the gateway. */
  async function sealedReferral(change: (entries: Resource[]) => void): Promise<string> {
    const bundle: Bundle = buildReferralBundle({
      sender: 'police-central',
      recipient: 'casa-refugio',
      survivorId: survivor,
    });
    change((bundle.entry ?? []).map((entry) => entry.resource as Resource));
    return encryptMessage(await signReferral(bundle, net.police), net.gatewayKey);
  }

  /** Submits, expects a 422 profile refusal, and checks only the refusal was recorded. */
  async function expectProfileRefusal(jwe: string, issue: string): Promise<string[][]> {
    const before = await countRows(net.store);
    const res = await request(net.app)
      .post('/fhir/$process-message')
      .set('Authorization', 'Bearer police-central')
      .set('Content-Type', 'application/jose')
      .send(jwe);
    const outcome = assertOutcome(res, { status: 422, issue, code: 'ENLACE_PROFILE_INVALID' });
    const after = await countRows(net.store);
    assert.deepEqual({ ...after, audit: 0 }, { ...before, audit: 0 }, 'nothing but the audit');
    const events = await auditSince(net.store, before.audit);
    assert.equal(events.length, 1);
    assert.match(events[0]?.outcomeDesc ?? '', /ENLACE_PROFILE_INVALID/);
    return outcome.issue.map((i) => [i.code, ...(i.expression ?? [])]);
  }

  it('refuses a message that refers by urn:uuid to a resource it does not carry', async () => {
    const jwe = await sealedReferral(([, task]) => {
      if (task?.resourceType !== 'Task') throw new Error('fixture');
      task.focus = { reference: `urn:uuid:${randomUUID()}` };
    });
    assert.deepEqual(await expectProfileRefusal(jwe, 'not-found'), [
      ['not-found', 'Bundle.entry[1].resource.focus'],
    ]);
  });

  it('refuses a risk assessment whose probability breaks ras-2', async () => {
    const jwe = await sealedReferral((entries) => {
      const risk = entries[5];
      if (risk?.resourceType !== 'RiskAssessment') throw new Error('fixture');
      risk.prediction = [{ ...risk.prediction?.[0], probabilityDecimal: 150 }];
    });
    assert.deepEqual(await expectProfileRefusal(jwe, 'invariant'), [
      ['invariant', 'Bundle.entry[5].resource.prediction[0]'],
    ]);
  });

  it('refuses a period that ends before it starts (per-1) in the Task', async () => {
    const jwe = await sealedReferral(([, task]) => {
      if (task?.resourceType !== 'Task') throw new Error('fixture');
      task.executionPeriod = { start: '2025-03-12T12:00:00Z', end: '2025-03-11T12:00:00Z' };
    });
    assert.deepEqual(await expectProfileRefusal(jwe, 'invariant'), [
      ['invariant', 'Bundle.entry[1].resource.executionPeriod'],
    ]);
  });
});
