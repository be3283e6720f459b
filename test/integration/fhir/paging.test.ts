import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Express } from 'express';
import request from 'supertest';
import { loadBaseDefinitions } from '../../../scripts/profiles/base-definitions.js';
import { narrowSchema } from '../../../scripts/profiles/generate-base-validator.js';
import { buildRouteTable, createApp } from '../../../src/app.js';
import { SEARCH_CURSOR_LIFETIME_MINUTES } from '../../../src/crypto/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { TEST_PUBLIC_URL } from '../../support/test-app.js';
import { testEngines } from '../../support/test-database.js';
import { startAuditorNetwork, type AuditorNetwork } from '../audit/auditor-network.js';
import { REFERRAL_T0, SURVIVOR_ID_SYSTEM } from '../referrals/referral-fixtures.js';

/** One search route as a client pages through it. */
interface Scenario {
  readonly resource: 'AuditEvent' | 'Consent' | 'Endpoint' | 'Organization' | 'Task';
  /** Every `_sort` the route supports; the first is its default. */
  readonly sorts: readonly string[];
  /** The route's own filters, if it needs any. */
  readonly query: string;
  readonly count: number;
  readonly total: boolean;
  readonly bearer: () => string;
  /** The ids of the rows the search matches, read from the database. */
  readonly expected: () => Promise<string[]>;
}

interface Page {
  readonly bundle: Bundle;
  readonly ids: string[];
  readonly self?: string;
  readonly next?: string;
}

const linkOf = (bundle: Bundle, relation: string): string | undefined =>
  bundle.link?.find((link) => link.relation === relation)?.url;
const cursorOf = (url: string | undefined): string =>
  new URL(url ?? 'https://x.example').searchParams.get('_cursor') ?? '';
/** The path and query a client sends for a link the gateway gave. */
const pathOf = (url: string): string => url.replace(TEST_PUBLIC_URL, '');

/** The searchset's own structure (link, total, entry.search) against R4; the resources are others' tests. */
let bundleSchema: ValidateFunction | undefined;
function assertSearchset(bundle: Bundle): void {
  bundleSchema ??= new Ajv({ strict: false, allErrors: true, discriminator: true }).compile(
    narrowSchema(loadBaseDefinitions(), ['Bundle']),
  );
  const bare = {
    ...bundle,
    ...(bundle.entry === undefined
      ? {}
      : { entry: bundle.entry.map((entry) => ({ ...entry, resource: undefined })) }),
  };
  assert.ok(bundleSchema(bare), JSON.stringify(bundleSchema.errors));
  assert.equal(bundle.type, 'searchset');
  assert.notDeepEqual(bundle.entry, [], 'an empty page has no entry array (FHIR JSON has none)');
}

for (const engine of testEngines()) {
  describe(`every search route pages without dropping a row (${engine.name})`, function () {
    this.timeout(120_000);
    let net: AuditorNetwork;
    const bearers = new Map<string, string>();
    const survivorId = `paging-${randomUUID()}`;
    const taskIds: string[] = [];

    const get = (path: string, bearer: string, app: Express = net.app) =>
      request(app).get(path).set('Authorization', `Bearer ${bearer}`);
    const bearerOf = (name: string) => (): string => bearers.get(name) ?? '';

    async function insertPartner(id: string, updatedAt: string): Promise<void> {
      await net.store.db
        .insertInto('partner')
        .values({
          id,
          name: `Institución ${id}`,
          role: 'ngo',
          status: 'active',
          created_at: updatedAt,
          updated_at: updatedAt,
          version: 1,
        })
        .execute();
    }

    before(async () => {
      net = await startAuditorNetwork(engine);
      bearers.set('police', await net.token(net.police));
      bearers.set('shelter', await net.token(net.shelter));
      bearers.set('marta', net.marta);
      // Several share one update time, so the id must break the tie for paging to be exact.
      for (let i = 0; i < 9; i += 1) {
        const at = new Date(Date.parse(REFERRAL_T0) + (i % 3) * 60_000).toISOString();
        await insertPartner(`org-${String(i).padStart(2, '0')}`, at);
      }
      for (let i = 0; i < 7; i += 1) {
        await net.store.db
          .insertInto('partner_endpoint')
          .values({
            id: `endpoint-${String(i).padStart(2, '0')}`,
            partner_id: `org-0${String(i)}`,
            address: `https://org-0${String(i)}.example.org/enlace`,
            status: 'active',
          })
          .execute();
      }
      for (let i = 0; i < 5; i += 1) await net.recordConsent(survivorId);
      for (let i = 0; i < 5; i += 1)
        taskIds.push(await net.submitReferral(net.police, net.shelter));
    });
    after(() => net.dispose());

    const scenarios: readonly Scenario[] = [
      {
        resource: 'Organization',
        sorts: ['_id', '_lastUpdated', '-_lastUpdated'],
        query: '',
        count: 4,
        total: true,
        bearer: bearerOf('police'),
        expected: async () =>
          (await net.store.db.selectFrom('partner').select('id').execute()).map((row) => row.id),
      },
      {
        resource: 'Endpoint',
        sorts: ['_id'],
        query: '',
        count: 3,
        total: true,
        bearer: bearerOf('police'),
        expected: async () =>
          (await net.store.db.selectFrom('partner_endpoint').select('id').execute()).map(
            (row) => row.id,
          ),
      },
      {
        resource: 'Consent',
        sorts: ['-_lastUpdated', '_lastUpdated'],
        query: `patient=${encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|${survivorId}`)}`,
        count: 2,
        total: true,
        bearer: bearerOf('police'),
        expected: async () => {
          const [pseudonym] = net.test.services.consent.pseudonymizer.all({
            system: SURVIVOR_ID_SYSTEM,
            value: survivorId,
          });
          const rows = await net.store.db
            .selectFrom('consent')
            .select('id')
            .where('pseudonym', '=', pseudonym?.value ?? '')
            .execute();
          return rows.map((row) => row.id);
        },
      },
      {
        resource: 'Task',
        sorts: ['-_lastUpdated', '_lastUpdated'],
        query: '',
        count: 2,
        total: false,
        bearer: bearerOf('shelter'),
        expected: () => Promise.resolve([...taskIds]),
      },
      {
        resource: 'AuditEvent',
        sorts: ['-date', 'date'],
        // Only the seeded events are recorded in 2024; the searches themselves are recorded in 2025.
        query: 'date=lt2025',
        count: 7,
        total: false,
        bearer: bearerOf('marta'),
        expected: () => Promise.resolve(net.seeded.map((event) => event.id ?? '')),
      },
    ];

    /**
     * For each route, a search of another route whose cursor it is offered. Where the caller is
     * the same and neither search has filters (Organization and Endpoint by `_id`), only the
     * cursor's kind tells them apart.
     */
    const CROSS_ROUTE: Readonly<Record<Scenario['resource'], readonly [string, string]>> = {
      Organization: ['/fhir/Endpoint?_count=3', 'police'],
      Endpoint: ['/fhir/Organization?_sort=_id&_count=4', 'police'],
      Consent: ['/fhir/Organization?_count=4', 'police'],
      Task: ['/fhir/Organization?_count=4', 'shelter'],
      AuditEvent: ['/fhir/Task?_count=2', 'shelter'],
    };

    const firstPath = (scenario: Scenario, extra: string): string =>
      `/fhir/${scenario.resource}?${[scenario.query, extra].filter((part) => part !== '').join('&')}`;

    async function readPage(path: string, bearer: string): Promise<Page> {
      const res = await get(path, bearer).expect(200);
      const bundle = res.body as Bundle;
      assertSearchset(bundle);
      const ids = (bundle.entry ?? []).map((entry: BundleEntry) => entry.resource?.id ?? '');
      const self = linkOf(bundle, 'self');
      const next = linkOf(bundle, 'next');
      return {
        bundle,
        ids,
        ...(self === undefined ? {} : { self }),
        ...(next === undefined ? {} : { next }),
      };
    }

    /** Follows next links from the first page to the last; `between` runs after the first page. */
    async function pageThrough(
      scenario: Scenario,
      sort: string,
      between?: () => Promise<void>,
    ): Promise<{ ids: string[]; pages: Page[] }> {
      const pages: Page[] = [];
      let path: string | undefined = firstPath(scenario, `_sort=${sort}&_count=${scenario.count}`);
      while (path !== undefined) {
        assert.ok(pages.length < 20, 'paging ends');
        const page = await readPage(path, scenario.bearer());
        pages.push(page);
        assert.ok(page.self?.startsWith(`${TEST_PUBLIC_URL}/fhir/${scenario.resource}?`));
        assert.ok(page.ids.length <= scenario.count, 'a page holds at most _count entries');
        if (page.next !== undefined) {
          assert.equal(page.ids.length, scenario.count, 'only the last page is short');
          assert.ok(page.next.startsWith(`${TEST_PUBLIC_URL}/fhir/${scenario.resource}?`));
          assert.notEqual(cursorOf(page.next), '', 'the next link carries an opaque cursor');
        }
        path = page.next === undefined ? undefined : pathOf(page.next);
        if (pages.length === 1) await between?.();
      }
      return { ids: pages.flatMap((page) => page.ids), pages };
    }

    const sorted = (ids: readonly string[]): string[] => [...ids].sort();

    it('has a paging scenario for every search route of the route table', () => {
      const searchable = buildRouteTable(net.test.services).flatMap((route) =>
        route.fhir?.kind === 'interaction' && route.fhir.interaction === 'search-type'
          ? [route.fhir.resource]
          : [],
      );
      assert.deepEqual(sorted(searchable), sorted(scenarios.map((scenario) => scenario.resource)));
    });

    for (const scenario of scenarios) {
      describe(`GET /fhir/${scenario.resource}`, () => {
        for (const sort of scenario.sorts) {
          it(`finds every row exactly once with _count=${scenario.count}&_sort=${sort}, and the last page has no next link`, async () => {
            const expected = await scenario.expected();
            assert.ok(expected.length > 2 * scenario.count, 'enough rows for three pages');
            const { ids, pages } = await pageThrough(scenario, sort);
            assert.equal(new Set(ids).size, ids.length, 'no row is repeated');
            assert.deepEqual(sorted(ids), sorted(expected), 'no row is dropped');
            assert.equal(pages.length, Math.ceil(expected.length / scenario.count));
            assert.equal(pages.at(-1)?.next, undefined);
            for (const page of pages) {
              assert.equal(page.bundle.total, scenario.total ? expected.length : undefined);
            }
            const stamps = pages.flatMap((page) =>
              (page.bundle.entry ?? []).map((entry) =>
                Date.parse(
                  (entry.resource as Resource & { recorded?: string }).meta?.lastUpdated ??
                    (entry.resource as { recorded?: string }).recorded ??
                    '',
                ),
              ),
            );
            if (sort.includes('_lastUpdated') || sort.includes('date')) {
              const descending = sort.startsWith('-');
              for (let i = 1; i < stamps.length; i += 1) {
                const [a = 0, b = 0] = [stamps[i - 1], stamps[i]];
                assert.ok(descending ? a >= b : a <= b, `in ${sort} order at ${String(i)}`);
              }
            }
          });
        }

        it('refuses a tampered cursor with 400 naming _cursor', async () => {
          const { next } = await readPage(
            firstPath(scenario, `_count=${scenario.count}`),
            scenario.bearer(),
          );
          const cursor = cursorOf(next);
          const flipped = `${cursor.slice(0, 40)}${cursor.charAt(40) === 'A' ? 'B' : 'A'}${cursor.slice(41)}`;
          const res = await get(pathOf(next ?? '').replace(cursor, flipped), scenario.bearer());
          const outcome = assertOutcome(res, {
            status: 400,
            issue: 'invalid',
            code: 'ENLACE_SEARCH_CURSOR_INVALID',
          });
          assert.deepEqual(outcome.issue[0]?.expression, ['_cursor']);
        });

        it('refuses a cursor of another search route', async () => {
          const [path, bearer] = CROSS_ROUTE[scenario.resource];
          const { next } = await readPage(path, bearerOf(bearer)());
          const res = await get(
            firstPath(scenario, `_count=${scenario.count}&_cursor=${cursorOf(next)}`),
            scenario.bearer(),
          );
          assertOutcome(res, {
            status: 400,
            issue: 'invalid',
            code: 'ENLACE_SEARCH_CURSOR_INVALID',
          });
        });

        it(`refuses a cursor after ${String(SEARCH_CURSOR_LIFETIME_MINUTES)} minutes, as stale`, async () => {
          const { next } = await readPage(
            firstPath(scenario, `_count=${scenario.count}`),
            scenario.bearer(),
          );
          const later = new Date(
            Date.parse(REFERRAL_T0) + (SEARCH_CURSOR_LIFETIME_MINUTES + 1) * 60_000,
          );
          // Another instance, an hour on: the same keys, the same tokens, a later clock.
          const laterApp = createApp({
            ...net.test.services,
            authorize: net.test.capabilities.authorize,
            clock: () => new Date(later),
          });
          const res = await get(pathOf(next ?? ''), scenario.bearer(), laterApp);
          const outcome = assertOutcome(res, {
            status: 400,
            issue: 'invalid',
            code: 'ENLACE_SEARCH_CURSOR_INVALID',
          });
          assert.match(outcome.issue[0]?.details?.text ?? '', /expired/);
          await get(pathOf(next ?? ''), scenario.bearer()).expect(200);
        });

        it('refuses any other _sort with 400 naming the supported ones', async () => {
          const res = await get(firstPath(scenario, '_sort=name'), scenario.bearer());
          const outcome = assertOutcome(res, {
            status: 400,
            issue: 'invalid',
            code: 'ENLACE_INVALID_PARAMETER',
          });
          assert.deepEqual(outcome.issue[0]?.expression, ['_sort']);
          for (const sort of scenario.sorts) {
            assert.ok((outcome.issue[0].details?.text ?? '').includes(sort), `names ${sort}`);
          }
        });

        it('answers _count=0 with no entry and no next link', async () => {
          const page = await readPage(firstPath(scenario, '_count=0'), scenario.bearer());
          assert.equal(page.bundle.entry, undefined);
          assert.equal(page.next, undefined);
          assert.equal(
            page.bundle.total,
            scenario.total ? (await scenario.expected()).length : undefined,
          );
        });
      });
    }

    it('refuses a cursor another institution was given', async () => {
      const { next } = await readPage('/fhir/Organization?_count=2', bearers.get('police') ?? '');
      const res = await get(pathOf(next ?? ''), bearers.get('shelter') ?? '');
      assertOutcome(res, { status: 400, issue: 'invalid', code: 'ENLACE_SEARCH_CURSOR_INVALID' });
      const task = await readPage('/fhir/Task?_count=2', bearers.get('shelter') ?? '');
      const foreign = await get(pathOf(task.next ?? ''), bearers.get('police') ?? '');
      assertOutcome(foreign, {
        status: 400,
        issue: 'invalid',
        code: 'ENLACE_SEARCH_CURSOR_INVALID',
      });
    });

    it('refuses a cursor replayed with other filters', async () => {
      const { next } = await readPage('/fhir/Organization?_count=2', bearers.get('police') ?? '');
      const res = await get(
        `/fhir/Organization?active=true&_count=2&_cursor=${cursorOf(next)}`,
        bearers.get('police') ?? '',
      );
      assertOutcome(res, { status: 400, issue: 'invalid', code: 'ENLACE_SEARCH_CURSOR_INVALID' });
    });

    it('neither skips nor repeats a row while rows are inserted between pages', async () => {
      const scenario = scenarios[0];
      assert.equal(scenario?.resource, 'Organization');
      const before = await scenario.expected();
      const suffix = randomUUID().slice(0, 8);
      // One sorts before the position already passed (an offset would then repeat a row), one after.
      const early = `aaaa-${suffix}`;
      const late = `zzzz-${suffix}`;
      const { ids } = await pageThrough(scenario, '_id', async () => {
        await insertPartner(early, REFERRAL_T0);
        await insertPartner(late, REFERRAL_T0);
      });
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual(sorted(ids), sorted([...before, late]));
    });

    it('never repeats her identifier in a Consent link; the cursor alone carries the search', async () => {
      const consent = scenarios.find((scenario) => scenario.resource === 'Consent');
      assert.ok(consent !== undefined);
      const { pages } = await pageThrough(consent, '-_lastUpdated');
      for (const page of pages) {
        const links = JSON.stringify(page.bundle.link);
        assert.ok(!links.includes(survivorId) && !links.includes(encodeURIComponent(survivorId)));
        assert.ok(!links.includes('patient='));
      }
      const other = `paging-${randomUUID()}`;
      await net.recordConsent(other);
      const first = pages[0]?.next ?? '';
      const res = await get(
        `/fhir/Consent?patient=${encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|${other}`)}&_sort=-_lastUpdated&_count=2&_cursor=${cursorOf(first)}`,
        bearers.get('police') ?? '',
      );
      assertOutcome(res, { status: 400, issue: 'invalid', code: 'ENLACE_SEARCH_CURSOR_INVALID' });
    });
  });
}
