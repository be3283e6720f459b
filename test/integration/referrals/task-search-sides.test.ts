// Task search for an institution that both sends and receives: each side's rows, and both merged in one keyset order.
import assert from 'node:assert/strict';
import type { Bundle, Task } from '@medplum/fhirtypes';
import request from 'supertest';
import { createConsent } from '../../../src/consent/index.js';
import { submissionRoutes } from '../../../src/http/submission-routes.js';
import { taskRoutes } from '../../../src/http/task-routes.js';
import { ORGANIZATION_ROLE_SYSTEM } from '../../../src/partners/index.js';
import {
  createReferralNetwork,
  REFERRAL_T0,
  shelterConsent,
  submitReferral,
  type ReferralNetwork,
  type TestPartner,
} from './referral-fixtures.js';

describe('Task search on both sides of an institution', function () {
  let network: ReferralNetwork;
  /** police-central sent these to the shelter. */
  let sent: string[];
  /** police-central received these from the court. */
  let received: string[];

  async function refer(from: TestPartner, to: TestPartner): Promise<string> {
    const survivorId = `s-${Math.random()}`;
    const consent = shelterConsent(survivorId, from.id);
    // The fixture's consent lets a shelter receive; the court's referrals go to the police.
    const permit = consent.provision?.provision?.[0];
    if (permit !== undefined && to.role !== 'shelter') {
      permit.actor = [
        {
          role: { coding: [{ system: ORGANIZATION_ROLE_SYSTEM, code: to.role }] },
          reference: { display: `Any ${to.role}` },
        },
      ];
    }
    await createConsent(
      consent,
      { principal: from.principal, requestId: 'fixture' },
      {
        store: network.store,
        clock: () => new Date(REFERRAL_T0),
        ...network.test.services.consent,
      },
    );
    const message = await network.referral(from, to, { survivorId });
    return submitReferral(network.app, network.store, message, from.id);
  }

  before(async () => {
    network = await createReferralNetwork({
      routes: (test) => [...submissionRoutes(test.services), ...taskRoutes(test.services)],
    });
    sent = [];
    received = [];
    for (let i = 0; i < 3; i += 1) sent.push(await refer(network.police, network.shelter));
    for (let i = 0; i < 2; i += 1) received.push(await refer(network.court, network.police));
  });
  after(() => network.dispose());

  async function search(query: string, as: string): Promise<Bundle<Task>> {
    const res = await request(network.app)
      .get(`/fhir/Task${query}`)
      .set('Authorization', `Bearer ${as}`)
      .expect(200);
    return res.body as Bundle<Task>;
  }

  const idsOf = (bundle: Bundle<Task>): string[] =>
    (bundle.entry ?? []).map((entry) => entry.resource?.id ?? '');

  /** Follows `next` links from `query` and returns every id in the order the pages gave them. */
  async function pageThrough(query: string, as: string): Promise<string[]> {
    const ids: string[] = [];
    let page = await search(query, as);
    for (let pages = 0; pages < 10; pages += 1) {
      ids.push(...idsOf(page));
      const next = page.link?.find((link) => link.relation === 'next')?.url;
      if (next === undefined) return ids;
      page = await search(new URL(next).search, as);
    }
    throw new Error('more pages than rows');
  }

  // The fixtures' clock stands still, so every Task has the same _lastUpdated and the id decides.
  const ascending = (ids: readonly string[]): string[] => [...ids].sort();

  for (const [sort, order] of [
    ['_lastUpdated', (ids: string[]) => ascending(ids)],
    ['-_lastUpdated', (ids: string[]) => ascending(ids).reverse()],
  ] as const) {
    it(`pages through what it sent and what it received as one order (_sort=${sort})`, async () => {
      const ids = await pageThrough(`?_count=2&_sort=${sort}`, network.police.id);
      assert.deepEqual(ids, order([...sent, ...received]));
    });
  }

  it('narrows to one side by owner or requester, naming itself or the other party', async () => {
    const police = `Organization/${network.police.id}`;
    const ids = async (query: string) => ascending(await pageThrough(query, network.police.id));
    assert.deepEqual(await ids(`?owner=${police}`), ascending(received));
    assert.deepEqual(await ids(`?requester=${police}`), ascending(sent));
    assert.deepEqual(await ids(`?owner=Organization/${network.shelter.id}`), ascending(sent));
    assert.deepEqual(await ids(`?requester=Organization/${network.court.id}`), ascending(received));
    assert.deepEqual(await ids(`?owner=${police}&requester=${police}`), []);
  });

  it('never reaches a referral between two others, whatever owner and requester name', async () => {
    const court = `Organization/${network.court.id}`;
    const shelter = `Organization/${network.shelter.id}`;
    assert.deepEqual(idsOf(await search(`?owner=${court}`, network.shelter.id)), []);
    assert.deepEqual(
      idsOf(await search(`?owner=Organization/${network.police.id}`, network.shelter.id)),
      [],
    );
    assert.deepEqual(
      idsOf(await search(`?requester=${court}&owner=${shelter}`, network.shelter.id)),
      [],
    );
    assert.deepEqual(ascending(idsOf(await search('', network.shelter.id))), ascending(sent));
  });
});
