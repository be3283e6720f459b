import assert from 'node:assert/strict';
import { decide } from '../../../src/consent/engine/decide.js';
import { PSEUDONYM_SYSTEM, type StoredConsent } from '../../../src/consent/types.js';
import {
  AT,
  byOrganization,
  byRole,
  classCodes,
  consent,
  purposeCodes,
  request,
} from './consent-builders.js';

const noConsent = { defaultDecision: 'no-consent' } as const;
const run = (consents: readonly StoredConsent[], overrides = {}) =>
  decide(consents, request(overrides), noConsent);

describe('consent decision engine', () => {
  it('answers no-consent when no consent exists', () => {
    assert.deepEqual(run([]), {
      outcome: 'no-consent',
      reliedOn: [],
      permitted: [],
      remove: ['police-report'],
      conflicts: [],
    });
  });

  it('permits what an active consent permits and records it by version', () => {
    const decision = run([
      consent('c1', { type: 'permit', actor: [byRole('police')] }, 'active', 3),
    ]);
    assert.equal(decision.outcome, 'permit');
    assert.deepEqual(decision.permitted, ['police-report']);
    assert.deepEqual(decision.reliedOn, ['Consent/c1/_history/3']);
  });

  it('lets a provision naming this organization beat one naming its role', () => {
    const c = consent('c1', {
      type: 'deny',
      provision: [
        { type: 'deny', actor: [byRole('police')] },
        { type: 'permit', actor: [byOrganization('police-central')] },
      ],
    });
    assert.equal(run([c]).outcome, 'permit');
    assert.equal(
      run([c], { actor: { organization: 'police-east', role: 'police' } }).outcome,
      'deny',
    );
  });

  it('lets deny beat permit at equal specificity within a consent', () => {
    const c = consent('c1', {
      type: 'permit',
      provision: [
        { type: 'permit', actor: [byRole('police')] },
        { type: 'deny', actor: [byRole('police')] },
      ],
    });
    assert.equal(run([c]).outcome, 'deny');
  });

  it('ignores expired and not-yet-started provisions', () => {
    const expired = consent('c1', {
      type: 'permit',
      period: { start: '2024-01-01', end: '2025-06-14' },
    });
    assert.equal(run([expired]).outcome, 'no-consent');
    const future = consent('c2', { type: 'permit', period: { start: '2025-06-16T00:00:00Z' } });
    assert.equal(run([future]).outcome, 'no-consent');
    const lastDay = consent('c3', { type: 'permit', period: { end: '2025-06-15' } });
    assert.equal(run([lastDay]).outcome, 'permit');
  });

  it('reads an unreadable period against a permit and for a deny', () => {
    assert.equal(
      run([consent('c1', { type: 'permit', period: { end: 'soon' } })]).outcome,
      'no-consent',
    );
    assert.equal(run([consent('c2', { type: 'deny', period: { end: 'soon' } })]).outcome, 'deny');
  });

  it('does not apply a provision for another purpose', () => {
    const c = consent('c1', { type: 'permit', purpose: purposeCodes('healthcare') });
    assert.equal(run([c]).outcome, 'no-consent');
    assert.equal(run([c], { purpose: 'healthcare' }).outcome, 'permit');
  });

  it('permits only the classes a provision names and removes the others', () => {
    const c = consent('c1', {
      type: 'permit',
      class: classCodes('police-report', 'risk-assessment'),
    });
    const decision = run([c], { dataClasses: ['risk-assessment', 'location', 'police-report'] });
    assert.equal(decision.outcome, 'permit');
    assert.deepEqual(decision.permitted, ['police-report', 'risk-assessment']);
    assert.deepEqual(decision.remove, ['location']);
  });

  it('reads data-class security labels like classes', () => {
    const c = consent('c1', { type: 'permit', securityLabel: classCodes('location') });
    assert.deepEqual(run([c], { dataClasses: ['location', 'children'] }).permitted, ['location']);
  });

  it('applies a nested exception within its parent and inherits what it does not say', () => {
    const c = consent('c1', {
      type: 'permit',
      actor: [byRole('health')],
      purpose: purposeCodes('healthcare'),
      provision: [{ type: 'deny', class: classCodes('children') }],
    });
    const health = {
      actor: { organization: 'health-north', role: 'health' },
      purpose: 'healthcare',
    };
    const decision = run([c], { ...health, dataClasses: ['children', 'health-record'] });
    assert.deepEqual(decision.permitted, ['health-record']);
    assert.deepEqual(decision.remove, ['children']);
    // The exception inherits the parent's actor: it says nothing about the police.
    assert.equal(run([c], { dataClasses: ['children'] }).outcome, 'no-consent');
  });

  it('lets a permit exception open a class inside a deny-everything consent', () => {
    const c = consent('c1', {
      type: 'deny',
      provision: [
        { type: 'permit', actor: [byRole('police')], class: classCodes('police-report') },
      ],
    });
    assert.equal(run([c]).outcome, 'permit');
    assert.equal(run([c], { dataClasses: ['location'] }).outcome, 'deny');
  });

  it('flags two consents that disagree, denies the class and names both', () => {
    const yes = consent('a', { type: 'permit', actor: [byRole('police')] });
    const no = consent('b', { type: 'deny', class: classCodes('police-report') }, 'active', 2);
    const decision = run([yes, no]);
    assert.equal(decision.outcome, 'deny');
    assert.deepEqual(decision.conflicts, ['Consent/a/_history/1', 'Consent/b/_history/2']);
    assert.deepEqual(decision.reliedOn, ['Consent/b/_history/2']);
  });

  it('lets a specific consent outweigh another consent that only says "nothing"', () => {
    const optIn = consent('a', {
      type: 'deny',
      provision: [
        { type: 'permit', actor: [byRole('health')], class: classCodes('health-record') },
      ],
    });
    const police = consent('b', { type: 'permit', actor: [byRole('police')] });
    const decision = run([optIn, police]);
    assert.equal(decision.outcome, 'permit');
    assert.deepEqual(decision.conflicts, []);
    assert.deepEqual(decision.reliedOn, ['Consent/b/_history/1']);
  });

  it('treats a provision without a type as a deny', () => {
    assert.equal(run([consent('c1', { actor: [byRole('police')] })]).outcome, 'deny');
  });

  it('keeps the denies of a revoked consent and drops its permits', () => {
    const revoked = consent(
      'c1',
      { type: 'permit', provision: [{ type: 'deny', class: classCodes('location') }] },
      'inactive',
    );
    const decision = run([revoked], { dataClasses: ['police-report', 'location'] });
    assert.equal(decision.outcome, 'deny');
    assert.deepEqual(decision.permitted, []);
    assert.deepEqual(decision.reliedOn, ['Consent/c1/_history/1']);
  });

  it('ignores drafts, proposals, rejected consents and consents entered in error', () => {
    for (const status of ['draft', 'proposed', 'rejected', 'entered-in-error'] as const) {
      assert.equal(run([consent('c1', { type: 'deny' }, status)]).outcome, 'no-consent');
    }
  });

  it('ignores consents about another survivor', () => {
    const other = consent('c1', { type: 'permit' });
    const resource = {
      ...other.resource,
      patient: { identifier: { system: PSEUDONYM_SYSTEM, value: 'k1.someone-else' } },
    };
    assert.equal(run([{ ...other, resource }]).outcome, 'no-consent');
  });

  it('finds consents under any of the survivor pseudonyms (key rotation)', () => {
    const c = consent('c1', { type: 'permit' });
    assert.equal(run([c], { survivor: ['k2.new', 'k1.survivor-pseudonym'] }).outcome, 'permit');
  });

  it('applies the configured default to classes no consent speaks to', () => {
    const c = consent('c1', { type: 'deny', class: classCodes('location') });
    const req = request({ dataClasses: ['location', 'health-record'] });
    assert.equal(decide([c], req, { defaultDecision: 'no-consent' }).outcome, 'deny');
    const permissive = decide([c], req, { defaultDecision: 'permit' });
    assert.equal(permissive.outcome, 'permit');
    assert.deepEqual(permissive.permitted, ['health-record']);
    assert.deepEqual(permissive.remove, ['location']);
    assert.equal(decide([], request(), { defaultDecision: 'permit' }).outcome, 'permit');
  });

  it('never grants the emergency purpose by consent or default', () => {
    const c = consent('c1', { type: 'permit', purpose: purposeCodes('emergency') });
    const req = request({ purpose: 'emergency' });
    assert.equal(decide([c], req, { defaultDecision: 'permit' }).outcome, 'no-consent');
  });

  it('does not permit through a provision limited to actions other than disclosure', () => {
    const c = consent('c1', {
      type: 'permit',
      action: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'collect' },
          ],
        },
      ],
    });
    assert.equal(run([c]).outcome, 'no-consent');
  });

  it('reads an actor it cannot interpret against a permit and for a deny', () => {
    const practitioner = [{ role: { text: 'x' }, reference: { reference: 'Practitioner/p1' } }];
    assert.equal(
      run([consent('c1', { type: 'permit', actor: practitioner })]).outcome,
      'no-consent',
    );
    assert.equal(run([consent('c2', { type: 'deny', actor: practitioner })]).outcome, 'deny');
  });

  it('denies where exceptions nest deeper than it reads', () => {
    let node = { type: 'permit' as const, provision: [] as object[] };
    const root = node;
    for (let depth = 0; depth < 20; depth += 1) {
      const child = { type: 'permit' as const, provision: [] as object[] };
      node.provision.push(child);
      node = child;
    }
    assert.equal(run([consent('c1', root)]).outcome, 'deny');
  });

  it('is the same at the instant a provision starts', () => {
    const c = consent('c1', { type: 'permit', period: { start: AT.toISOString() } });
    assert.equal(run([c]).outcome, 'permit');
  });
});
