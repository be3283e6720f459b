import assert from 'node:assert/strict';
import type { ConsentProvision, ConsentProvisionActor } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { decide } from '../../../src/consent/engine/decide.js';
import type {
  DataClass,
  Decision,
  DecisionRequest,
  DefaultDecision,
  Purpose,
  StoredConsent,
} from '../../../src/consent/types.js';
import {
  AT,
  byOrganization,
  byRole,
  classCodes,
  consent,
  purposeCodes,
  SURVIVOR,
} from './consent-builders.js';

const RUNS = 300;
const organizations = [
  { organization: 'police-central', role: 'police' },
  { organization: 'police-east', role: 'police' },
  { organization: 'health-north', role: 'health' },
] as const;
const somePurposes: Purpose[] = ['protection', 'healthcare', 'emergency'];
const someClasses: DataClass[] = ['location', 'police-report'];

// Small domains, so generated provisions often speak to the same requester, purpose and class.
const actorArb = fc.oneof(
  fc.constantFrom('police', 'health').map(byRole),
  fc.constantFrom('police-central', 'health-north').map(byOrganization),
);
const periodArb = fc.constantFrom(
  undefined,
  undefined,
  undefined,
  { start: '2025-01-01' },
  { start: '2024-01-01', end: '2025-01-01' },
  { end: '2025-06-15T12:00:00Z' },
);

/** Mostly empty, so that provisions often apply and interact; `weight` is how often it is empty. */
const rarely = <T>(arb: fc.Arbitrary<T[]>, weight: number): fc.Arbitrary<T[]> =>
  fc.oneof({ weight, arbitrary: fc.constant<T[]>([]) }, { weight: 1, arbitrary: arb });

function provisionArb(
  types: fc.Arbitrary<'permit' | 'deny' | undefined>,
  depth = 2,
): fc.Arbitrary<ConsentProvision> {
  const children =
    depth === 0
      ? fc.constant<ConsentProvision[]>([])
      : fc.array(provisionArb(types, depth - 1), { maxLength: 2 });
  return fc
    .record({
      type: types,
      actor: rarely(fc.array(actorArb, { minLength: 1, maxLength: 2 }), 1),
      purpose: rarely(fc.subarray(somePurposes, { minLength: 1, maxLength: 2 }), 3),
      classes: rarely(fc.subarray(someClasses, { minLength: 1 }), 3),
      period: periodArb,
      children,
    })
    .map(({ type, actor, purpose, classes, period, children: nested }) => {
      const provision: ConsentProvision = {};
      if (type !== undefined) provision.type = type;
      if (actor.length > 0) provision.actor = actor;
      if (purpose.length > 0) provision.purpose = purposeCodes(...purpose);
      if (classes.length > 0) provision.class = classCodes(...classes);
      if (period !== undefined) provision.period = period;
      if (nested.length > 0) provision.provision = nested;
      return provision;
    });
}

const anyProvision = provisionArb(fc.constantFrom('permit', 'deny', undefined));
const denyOnly = provisionArb(fc.constantFrom('deny', undefined));
const permitOnly = provisionArb(fc.constant('permit'));

const statusArb = fc.constantFrom<'active' | 'inactive' | 'draft'>(
  'active',
  'active',
  'inactive',
  'draft',
);

const consentsArb = fc
  .array(fc.record({ provision: anyProvision, status: statusArb }), { maxLength: 4 })
  .map((list) => list.map(({ provision, status }, i) => consent(`c${i}`, provision, status)));

const requestArb: fc.Arbitrary<DecisionRequest> = fc.record({
  survivor: fc.constant([SURVIVOR]),
  actor: fc.constantFrom(...organizations),
  purpose: fc.constantFrom(...somePurposes),
  dataClasses: fc.subarray(someClasses, { minLength: 1 }),
  at: fc.constant(AT),
});

const optionsArb = fc.record({
  defaultDecision: fc.constantFrom<DefaultDecision>('no-consent', 'permit'),
});

const isSubset = (after: Decision, before: Decision): boolean =>
  after.permitted.every((c) => before.permitted.includes(c));

function withStatus(consents: StoredConsent[], index: number, status: 'inactive'): StoredConsent[] {
  return consents.map((c, i) => (i === index ? { ...c, resource: { ...c.resource, status } } : c));
}

/** Adds `extra` as an exception under the `index`-th provision (pre-order) of the consent. */
function addException(
  target: StoredConsent,
  index: number,
  extra: ConsentProvision,
): StoredConsent {
  const root = structuredClone(target.resource.provision);
  if (root === undefined) return target;
  const nodes: ConsentProvision[] = [];
  const walk = (node: ConsentProvision): void => {
    nodes.push(node);
    (node.provision ?? []).forEach(walk);
  };
  walk(root);
  const host = nodes[index % nodes.length]!;
  host.provision = [...(host.provision ?? []), extra];
  return { ...target, resource: { ...target.resource, provision: root } };
}

describe('consent decision engine properties', () => {
  it('(a) adding a deny-only consent never turns a deny into a permit nor adds a permitted class', () => {
    fc.assert(
      fc.property(
        consentsArb,
        denyOnly,
        statusArb,
        requestArb,
        optionsArb,
        (consents, deny, status, req, opts) => {
          const before = decide(consents, req, opts);
          const after = decide([...consents, consent('added', deny, status)], req, opts);
          assert.ok(isSubset(after, before));
          if (before.outcome === 'deny') assert.notEqual(after.outcome, 'permit');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('(a) adding a deny-only exception anywhere in a consent never widens access', () => {
    fc.assert(
      fc.property(
        consentsArb.filter((list) => list.length > 0),
        fc.nat(),
        fc.nat(),
        denyOnly,
        requestArb,
        optionsArb,
        (consents, which, where, deny, req, opts) => {
          const i = which % consents.length;
          const changed = consents.map((c, j) => (j === i ? addException(c, where, deny) : c));
          const before = decide(consents, req, opts);
          const after = decide(changed, req, opts);
          assert.ok(isSubset(after, before));
          if (before.outcome === 'deny') assert.notEqual(after.outcome, 'permit');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('(a) adding a deny exception never widens access, dense case: one requester, one class', () => {
    // Every provision speaks to the same request, so sibling and nested weights interact often.
    const level = fc.constantFrom<ConsentProvisionActor[]>(
      [],
      [byRole('police')],
      [byOrganization('police-central')],
    );
    const node = (children: fc.Arbitrary<ConsentProvision[]>): fc.Arbitrary<ConsentProvision> =>
      fc
        .record({
          type: fc.constantFrom<'permit' | 'deny'>('permit', 'deny'),
          actor: level,
          children,
        })
        .map(({ type, actor, children: nested }) => ({
          type,
          ...(actor.length > 0 ? { actor } : {}),
          ...(nested.length > 0 ? { provision: nested } : {}),
        }));
    const tree = node(
      fc.array(node(fc.array(node(fc.constant([])), { maxLength: 3 })), { maxLength: 3 }),
    );
    const deny = fc.record({ actor: level }).map(({ actor }): ConsentProvision => ({
      type: 'deny',
      ...(actor.length > 0 ? { actor } : {}),
    }));
    const req: DecisionRequest = {
      survivor: [SURVIVOR],
      actor: organizations[0],
      purpose: 'protection',
      dataClasses: ['police-report'],
      at: AT,
    };
    fc.assert(
      fc.property(tree, fc.nat(), deny, (root, where, extra) => {
        const original = consent('c', root);
        const before = decide([original], req, { defaultDecision: 'no-consent' });
        const after = decide([addException(original, where, extra)], req, {
          defaultDecision: 'no-consent',
        });
        assert.ok(isSubset(after, before));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('(b) revoking a consent (status inactive) never widens access', () => {
    fc.assert(
      fc.property(
        consentsArb.filter((list) => list.length > 0),
        fc.nat(),
        requestArb,
        optionsArb,
        (consents, which, req, opts) => {
          const before = decide(consents, req, opts);
          const after = decide(
            withStatus(consents, which % consents.length, 'inactive'),
            req,
            opts,
          );
          assert.ok(isSubset(after, before));
          if (before.outcome !== 'permit') assert.notEqual(after.outcome, 'permit');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('(b) removing a consent that holds no deny never widens access', () => {
    fc.assert(
      fc.property(
        consentsArb,
        permitOnly,
        statusArb,
        requestArb,
        optionsArb,
        (consents, permit, status, req, opts) => {
          const withIt = [...consents, consent('removed', permit, status)];
          assert.ok(isSubset(decide(consents, req, opts), decide(withIt, req, opts)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('(c) decides the same for any order of the consents', () => {
    fc.assert(
      fc.property(
        consentsArb.chain((list) =>
          fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })),
        ),
        requestArb,
        optionsArb,
        ([consents, shuffled], req, opts) => {
          assert.deepEqual(decide(shuffled, req, opts), decide(consents, req, opts));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('keeps every list sorted and every requested class either permitted or removed', () => {
    fc.assert(
      fc.property(consentsArb, requestArb, optionsArb, (consents, req, opts) => {
        const decision = decide(consents, req, opts);
        for (const list of [
          decision.permitted,
          decision.remove,
          decision.reliedOn,
          decision.conflicts,
        ]) {
          assert.deepEqual([...list], [...list].sort());
        }
        assert.deepEqual(
          [...decision.permitted, ...decision.remove].sort(),
          [...new Set(req.dataClasses)].sort(),
        );
        assert.equal(decision.outcome === 'permit', decision.permitted.length > 0);
      }),
      { numRuns: RUNS },
    );
  });
});
