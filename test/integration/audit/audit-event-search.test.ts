import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuditEvent, Bundle, CapabilityStatement } from '@medplum/fhirtypes';
import request from 'supertest';
import { CLIENT_ID_SYSTEM, PERSON_SYSTEM } from '../../../src/audit/index.js';
import { PSEUDONYM_SYSTEM } from '../../../src/kernel/index.js';
import { assertOutcome } from '../../support/outcome.js';
import { TEST_PUBLIC_URL } from '../../support/test-app.js';
import { testEngines } from '../../support/test-database.js';
import {
  REQUEST_ID_SYSTEM,
  seededEvent,
  startAuditorNetwork,
  SURVIVOR_ID_SYSTEM,
  type AuditorNetwork,
} from './auditor-network.js';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
/** Only the seeded events are recorded in 2024; the network's own and the auditors' are in 2025. */
const SEEDED_ONLY = 'date=lt2025';

const bundleOf = (body: unknown): Bundle<AuditEvent> => body as Bundle<AuditEvent>;
const idsOf = (body: unknown): string[] =>
  (bundleOf(body).entry ?? []).map((entry) => entry.resource?.id ?? '');
const linkOf = (body: unknown, relation: string): string | undefined =>
  bundleOf(body).link?.find((link) => link.relation === relation)?.url;

for (const engine of testEngines()) {
  describe(`auditors search and read AuditEvents (${engine.name})`, function () {
    this.timeout(60_000);
    let net: AuditorNetwork;
    const survivorId = `1.234.567-${engine.name.length}`;

    before(async () => {
      net = await startAuditorNetwork(engine);
      await net.referSurvivor(survivorId);
    });
    after(() => net.dispose());

    const seededIds = (keep: (event: AuditEvent, i: number) => boolean): string[] =>
      net.seeded.flatMap((event, i) => (keep(event, i) ? [event.id ?? ''] : [])).reverse();
    const appendedBy = async (send: () => Promise<unknown>): Promise<AuditEvent[]> => {
      const before = await net.store.audit.count();
      await send();
      return (await net.store.audit.list({ afterSeq: before })).map((record) => record.event);
    };

    const filters: readonly [string, (event: AuditEvent, i: number) => boolean][] = [
      ['agent=Organization/org-a', (_e, i) => i % 2 === 0],
      ['agent=Organization/org-a,Organization/org-b', () => true],
      [`agent:identifier=${CLIENT_ID_SYSTEM}|client-b`, (_e, i) => i % 2 === 1],
      ['entity=Task/t-3', (_e, i) => i % 5 === 3],
      ['entity=Task/t-3&entity=Task/t-4', () => false],
      [`entity:identifier=${REQUEST_ID_SYSTEM}|req-7`, (_e, i) => i === 7],
      ['patient=k9.p1', (_e, i) => i % 3 === 0 && i % 2 === 1],
      [`patient:identifier=${PSEUDONYM_SYSTEM}|k9.p0`, (_e, i) => i % 6 === 0],
      ['type=110114', (_e, i) => i % 3 === 1],
      [`type=${DCM}|110114,rest`, (_e, i) => i % 3 !== 2],
      ['type=https://other.example/codes|110114', () => false],
      ['type=|110114', () => false],
      ['subtype=read,patch', (_e, i) => i % 2 === 0],
      ['subtype=http://hl7.org/fhir/restful-interaction|search-type', (_e, i) => i % 4 === 1],
      ['action=C', (_e, i) => i % 5 === 3],
      ['action=http://hl7.org/fhir/audit-event-action|R,E', (_e, i) => i % 5 < 2],
      ['outcome=4,8', (_e, i) => i % 4 >= 2],
      ['agent=Organization/org-b&type=rest&outcome=0', (_e, i) => i % 6 === 3 && i % 4 < 2],
      ['date=ge2024-01-01T05:00Z&date=lt2024-01-01T10:00Z', (_e, i) => i >= 5 && i < 10],
      ['date=2024-01-01T07:00Z', (_e, i) => i === 7],
      ['date=2024-01-02', (_e, i) => i >= 24],
      ['date=gt2024-01-01T20:00Z&date=le2024-01-01T22:00Z', (_e, i) => i === 21 || i === 22],
      ['date=2024-01-01T09:00:00-03:00', (_e, i) => i === 12],
      ['date=2023', () => false],
    ];
    for (const [query, keep] of filters) {
      it(`selects exactly the matching events, newest first: ${query}`, async () => {
        const res = await net.search(`${query}&${SEEDED_ONLY}`).expect(200);
        assert.equal(bundleOf(res.body).type, 'searchset');
        assert.deepEqual(idsOf(res.body), seededIds(keep));
        assert.equal(linkOf(res.body, 'next'), undefined);
      });
    }

    it('gives every entry its fullUrl and the events as they were recorded', async () => {
      const res = await net.search(`entity=Task/t-1&${SEEDED_ONLY}&_sort=date`).expect(200);
      const entries = bundleOf(res.body).entry ?? [];
      assert.deepEqual(
        entries.map((entry) => entry.resource),
        net.seeded.filter((_e, i) => i % 5 === 1),
      );
      for (const entry of entries) {
        assert.equal(
          entry.fullUrl,
          `${TEST_PUBLIC_URL}/fhir/AuditEvent/${entry.resource?.id ?? ''}`,
        );
      }
      assert.match(
        linkOf(res.body, 'self') ?? '',
        /^https:\/\/gateway\.test\.example\/base\/fhir\/AuditEvent\?/,
      );
    });

    it('finds what real actions recorded about her, by pseudonym and by her identifier', async () => {
      const pseudonyms = net.test.services.consent.pseudonymizer
        .all({ system: SURVIVOR_ID_SYSTEM, value: survivorId })
        .map((pseudonym) => pseudonym.value);
      const byPseudonym = await net.search(`patient=${pseudonyms.join(',')}`).expect(200);
      const found = bundleOf(byPseudonym.body).entry ?? [];
      assert.ok(found.length >= 2, 'her consent and her referral are recorded');
      for (const entry of found) {
        const named = entry.resource?.entity?.map((entity) => entity.what?.identifier?.value);
        assert.ok(named?.some((value) => pseudonyms.includes(value ?? '')));
      }
      const query = `patient:identifier=${encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|${survivorId}`)}`;
      const appended = await appendedBy(async () => {
        const byIdentifier = await net.search(query).expect(200);
        // Her identifier was pseudonymised: the same events, and after them the record of the
        // search by pseudonym, since an auditor's look at her events is itself about her.
        const ids = idsOf(byIdentifier.body);
        assert.deepEqual(ids.slice(1), idsOf(byPseudonym.body));
        const [previous] = await net.store.audit.list({
          afterSeq: (await net.store.audit.count()) - 2,
          limit: 1,
        });
        assert.equal(ids[0], previous?.event.id);
        assert.equal(previous?.event.subtype?.[0]?.code, 'search-type');
        assert.ok(!byIdentifier.text.includes(survivorId));
        assert.ok(
          !(linkOf(byIdentifier.body, 'self') ?? '').includes(encodeURIComponent(survivorId)),
        );
      });
      assert.equal(appended.length, 1);
      const text = JSON.stringify(appended[0]);
      assert.ok(!text.includes(survivorId) && !text.includes(encodeURIComponent(survivorId)));
      assert.deepEqual(
        appended[0]?.entity?.flatMap((entity) =>
          entity.what?.identifier?.system === PSEUDONYM_SYSTEM
            ? [entity.what.identifier.value]
            : [],
        ),
        pseudonyms,
      );
    });

    it('finds the partners’ real actions by agent', async () => {
      const res = await net.search('agent=Organization/police-central&date=ge2025').expect(200);
      const events = (bundleOf(res.body).entry ?? []).map((entry) => entry.resource);
      assert.ok(events.length > 0);
      for (const event of events) {
        assert.ok(
          event?.agent.some((agent) => agent.who?.reference === 'Organization/police-central'),
        );
      }
    });

    /** An event in the paging window, appended after the first page; matched by no other test. */
    const lateEvent = (): AuditEvent => ({
      ...seededEvent(23),
      id: randomUUID(),
      recorded: '2024-01-01T23:30:00.000Z',
      agent: [{ who: { reference: 'Organization/late' }, requestor: true }],
      entity: [{ what: { reference: 'Task/late' } }],
    });
    const isLate = (id: string): boolean => !net.seeded.some((event) => event.id === id);
    const lateIds: string[] = [];

    async function pageThrough(query: string, token = net.marta): Promise<string[]> {
      const seen: string[] = [];
      let next: string | undefined = query;
      let pages = 0;
      while (next !== undefined) {
        const res = await net.search(next, token).expect(200);
        seen.push(...idsOf(res.body));
        const url = linkOf(res.body, 'next');
        next = url === undefined ? undefined : new URL(url).search.slice(1);
        pages += 1;
        // Why append between pages: paging must neither skip nor repeat while the log grows.
        if (pages === 1) lateIds.push((await net.store.audit.append(lateEvent())).event.id ?? '');
      }
      assert.ok(pages >= 2, `${query} took ${pages} page(s)`);
      return seen;
    }

    for (const sort of ['date', '-date']) {
      it(`pages through every matching event exactly once (_sort=${sort})`, async () => {
        const earlier = [...lateIds];
        const seen = await pageThrough(`date=lt2024-01-02&_count=7&_sort=${sort}`);
        const expected = seededIds((_e, i) => i < 24);
        assert.deepEqual(
          seen.filter((id) => !isLate(id)),
          sort === 'date' ? [...expected].reverse() : expected,
        );
        // One is appended after the first page: newest first never reaches it, oldest first ends with it.
        const late = seen.filter(isLate);
        assert.deepEqual(late, sort === 'date' ? lateIds : [...earlier].reverse());
        assert.equal(new Set(seen).size, seen.length);
      });
    }

    it('gives no next link when the last page is exactly full', async () => {
      const res = await net.search(`entity=Task/t-0&${SEEDED_ONLY}&_count=6`).expect(200);
      assert.equal(idsOf(res.body).length, 6);
      assert.equal(linkOf(res.body, 'next'), undefined);
    });
    it('refuses a tampered, foreign or other search’s cursor with 400', async () => {
      const first = await net.search(`${SEEDED_ONLY}&_count=5`).expect(200);
      const next = new URL(linkOf(first.body, 'next') ?? '').searchParams;
      const cursor = next.get('_cursor') ?? '';
      // Why the third-last character: it carries tag bits only (the last one has padding bits too).
      const flipped = `${cursor.slice(0, -3)}${cursor.at(-3) === 'A' ? 'B' : 'A'}${cursor.slice(-2)}`;
      const sealedForTasks = (
        await net.test.services.vault.seal('{"seq":3}', 'enlace:task-search-cursor:v1')
      ).blob;
      const refusals: readonly [string, string][] = [
        ['tampered', next.toString().replace(cursor, flipped)],
        ['another search', `${SEEDED_ONLY}&type=rest&_count=5&_cursor=${cursor}`],
        ['another cursor kind', `${SEEDED_ONLY}&_count=5&_cursor=${sealedForTasks}`],
        ['garbage', `${SEEDED_ONLY}&_cursor=not-a-cursor`],
      ];
      for (const [what, query] of refusals) {
        const res = await net.search(query);
        const outcome = assertOutcome(res, {
          status: 400,
          issue: 'invalid',
          code: 'ENLACE_SEARCH_CURSOR_INVALID',
        });
        assert.deepEqual(outcome.issue[0]?.expression, ['_cursor'], what);
      }
      // Another auditor cannot continue marta's search.
      const res = await net.search(next.toString(), net.lucia);
      assertOutcome(res, { status: 400, issue: 'invalid', code: 'ENLACE_SEARCH_CURSOR_INVALID' });
      await net.search(next.toString()).expect(200);
    });

    it('refuses an unknown parameter with 400 naming it', async () => {
      for (const name of ['_total', 'type:not', 'name', 'agent:missing']) {
        const res = await net.search(`${encodeURIComponent(name)}=x`);
        const outcome = assertOutcome(res, {
          status: 400,
          issue: 'invalid',
          code: 'ENLACE_INVALID_PARAMETER',
        });
        assert.deepEqual(outcome.issue[0]?.expression, [name]);
        assert.match(
          outcome.issue[0].diagnostics ?? outcome.issue[0].details?.text ?? '',
          new RegExp(name),
        );
      }
    });

    it('answers only auditors: 401 without a session, 403 to a partner token without system/AuditEvent, 403 to an operator', async () => {
      assertOutcome(await request(net.app).get('/fhir/AuditEvent'), {
        status: 401,
        issue: 'login',
        code: 'ENLACE_TOKEN_INVALID',
      });
      const court = await net.token(net.court);
      for (const path of ['/fhir/AuditEvent', `/fhir/AuditEvent/${net.seeded[0]?.id ?? ''}`]) {
        // A court's valid token lacks system/AuditEvent.*, which the oversight role alone holds.
        const partner = await request(net.app).get(path).set('Authorization', `Bearer ${court}`);
        assertOutcome(partner, {
          status: 403,
          issue: 'forbidden',
          code: 'ENLACE_SCOPE_INSUFFICIENT',
        });
        const events = await appendedBy(async () => {
          const operator = await request(net.app)
            .get(path)
            .set('Authorization', `Bearer ${net.ana}`);
          assertOutcome(operator, {
            status: 403,
            issue: 'forbidden',
            code: 'ENLACE_ROLE_INSUFFICIENT',
          });
        });
        // The authorizer records an identified caller's refusal itself.
        assert.equal(events.length, 1);
        assert.equal(events[0]?.outcome, '4');
      }
    });

    it('reads one AuditEvent with ETag W/"1" and Last-Modified, and answers 404 for an unknown id', async () => {
      const event = net.seeded[11] as AuditEvent;
      const res = await net.read(event.id ?? '').expect(200);
      assert.deepEqual(res.body, event);
      // Exactly the stored RFC 8785 text, so the auditor can hash it to its Merkle leaf.
      const stored = await net.store.db
        .selectFrom('audit_event')
        .select('resource')
        .where('id', '=', event.id ?? '')
        .executeTakeFirstOrThrow();
      assert.equal(res.text, stored.resource);
      assert.equal(res.headers['etag'], 'W/"1"');
      assert.equal(res.headers['last-modified'], new Date(event.recorded).toUTCString());
      assert.equal(res.headers['content-type'], 'application/fhir+json; charset=utf-8');
      for (const id of [randomUUID(), "x' OR '1'='1", 'a'.repeat(65)]) {
        assertOutcome(await net.read(id), {
          status: 404,
          issue: 'not-found',
          code: 'ENLACE_RESOURCE_NOT_FOUND',
        });
      }
    });

    it('records every search and read as its own AuditEvent, refusals too', async () => {
      const auditor = (event: AuditEvent | undefined) => event?.agent[0]?.who?.identifier;
      const [search] = await appendedBy(() => net.search(`type=rest&${SEEDED_ONLY}`).expect(200));
      assert.equal(search?.type.code, 'rest');
      assert.equal(search.subtype?.[0]?.code, 'search-type');
      assert.equal(search.action, 'E');
      assert.equal(search.outcome, '0');
      assert.deepEqual(auditor(search), { system: PERSON_SYSTEM, value: 'marta' });
      assert.match(
        search.entity?.[0]?.description ?? '',
        /^AuditEvent\?date=lt2025-01-01T00%3A00%3A00\.000Z&type=rest&/,
      );
      assert.ok(search.entity?.some((entity) => entity.type?.code === 'XrequestId'));

      const id = net.seeded[6]?.id ?? '';
      const [read] = await appendedBy(() => net.read(id).expect(200));
      assert.equal(read?.subtype?.[0]?.code, 'read');
      assert.equal(read.action, 'R');
      assert.equal(read.entity?.[0]?.what?.reference, `AuditEvent/${id}`);
      assert.equal(read.entity[1]?.what?.identifier?.value, 'k9.p0', 'the event read names her');

      const refusedSearch = await appendedBy(() => net.search('_total=accurate').expect(400));
      assert.equal(refusedSearch.length, 1);
      assert.equal(refusedSearch[0]?.outcome, '4');
      assert.match(refusedSearch[0].outcomeDesc ?? '', /^ENLACE_INVALID_PARAMETER: /);
      assert.equal(
        refusedSearch[0].entity?.[0]?.description,
        'AuditEvent search with parameters: _total',
      );

      const [foreign] = await appendedBy(() =>
        net
          .search(`entity:identifier=${encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|98765432`)}`)
          .expect(200),
      );
      assert.ok(!JSON.stringify(foreign).includes('98765432'), 'a foreign identifier is withheld');

      const missing = randomUUID();
      const [refusedRead] = await appendedBy(() => net.read(missing).expect(404));
      assert.equal(refusedRead?.outcome, '4');
      assert.equal(refusedRead.entity?.[0]?.what?.reference, `AuditEvent/${missing}`);

      // The auditors' own records are searchable like any other.
      const own = await net
        .search(`agent:identifier=${PERSON_SYSTEM}|marta&subtype=search-type&outcome=4`)
        .expect(200);
      assert.ok(idsOf(own.body).includes(refusedSearch[0].id ?? ''));
    });

    const injections = [
      "' OR '1'='1",
      '1; DROP TABLE audit_event; --',
      "x') UNION SELECT seq, resource FROM audit_event --",
      '%27%20OR%201=1',
      "Organization/x' OR 1=1 --",
      "system|value' OR ''='",
      "2024-01-01' OR recorded > '",
    ];
    const parameters = [
      'date',
      'agent',
      'agent:identifier',
      'entity',
      'entity:identifier',
      'patient',
      'patient:identifier',
      'type',
      'subtype',
      'action',
      'outcome',
      '_count',
      '_sort',
      '_cursor',
    ];
    it('lets SQL in any parameter change nothing: 200 with no match or 400, never 500', async () => {
      for (const name of parameters) {
        for (const text of injections) {
          const rows = await net.store.audit.count();
          const res = await net.search(`${encodeURIComponent(name)}=${encodeURIComponent(text)}`);
          assert.ok([200, 400].includes(res.status), `${name}=${text}: ${res.status} ${res.text}`);
          if (res.status === 200) assert.deepEqual(idsOf(res.body), [], `${name}=${text}`);
          assert.equal(await net.store.audit.count(), rows + 1, 'only the search’s own record');
        }
      }
    });

    it('lists the search parameters in the CapabilityStatement', async () => {
      const res = await request(net.app).get('/fhir/metadata').expect(200);
      const resource = (res.body as CapabilityStatement).rest?.[0]?.resource?.find(
        (candidate) => candidate.type === 'AuditEvent',
      );
      assert.deepEqual(resource?.interaction?.map((interaction) => interaction.code).sort(), [
        'read',
        'search-type',
      ]);
      assert.deepEqual(
        resource.searchParam?.map((param) => param.name),
        [
          'date',
          'agent',
          'entity',
          'patient',
          'type',
          'subtype',
          'action',
          'outcome',
          '_count',
          '_sort',
        ],
      );
      assert.ok(resource.searchParam.every((param) => (param.documentation ?? '') !== ''));
    });
  });
}
