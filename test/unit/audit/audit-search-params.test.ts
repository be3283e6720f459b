import assert from 'node:assert/strict';
import {
  readAuditSearch,
  toAuditedQuery,
  toSearchQuery,
  type AuditSearch,
  type Pseudonymize,
} from '../../../src/audit/search/index.js';
import { isGatewayError } from '../../../src/kernel/index.js';

const PSEUDONYM_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/survivor-pseudonym';
const CEDULA = 'https://registro.example.org/cedula';
const asked: { system: string; value: string }[] = [];
const pseudonymize: Pseudonymize = (identifier) => {
  asked.push({ ...identifier });
  return [`k2.${identifier.value}-current`, `k1.${identifier.value}-retired`];
};

const read = (query: string): AuditSearch =>
  readAuditSearch(new URLSearchParams(query), pseudonymize);
const ms = (iso: string): number => Date.parse(iso);

/** Asserts the search is refused as ENLACE_INVALID_PARAMETER naming `name`, without `secret` in the text. */
function assertRefused(query: string, name: string, secret?: string): void {
  assert.throws(
    () => read(query),
    (error: unknown) => {
      assert.ok(isGatewayError(error), String(error));
      assert.equal(error.code, 'ENLACE_INVALID_PARAMETER');
      assert.deepEqual(error.expression, [name]);
      if (secret !== undefined) assert.ok(!error.message.includes(secret), error.message);
      return true;
    },
    query,
  );
}

describe('audit: reading AuditEvent search parameters', () => {
  it('defaults to the newest 100 and every instant', () => {
    const search = read('');
    assert.deepEqual(search, {
      recorded: { from: -Infinity, to: Infinity },
      tokens: [],
      refs: [],
      order: 'desc',
      count: 100,
    });
  });

  const ranges: readonly [string, string | null, string | null][] = [
    ['date=2025', '2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['date=eq2025-02', '2025-02-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z'],
    ['date=2024-02-29', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['date=2025-03-01T10:15Z', '2025-03-01T10:15:00.000Z', '2025-03-01T10:16:00.000Z'],
    ['date=2025-03-01T10:15:30-03:00', '2025-03-01T13:15:30.000Z', '2025-03-01T13:15:31.000Z'],
    ['date=2025-03-01T10:15:30.5Z', '2025-03-01T10:15:30.500Z', '2025-03-01T10:15:30.600Z'],
    ['date=2025-03-01T10:15:30.123456Z', '2025-03-01T10:15:30.123Z', '2025-03-01T10:15:30.124Z'],
    ['date=ge2025-03-01', '2025-03-01T00:00:00.000Z', null],
    ['date=gt2025-03-01', '2025-03-02T00:00:00.000Z', null],
    ['date=le2025-03-01', null, '2025-03-02T00:00:00.000Z'],
    ['date=lt2025-03-01', null, '2025-03-01T00:00:00.000Z'],
    ['date=ge2025-03-01&date=lt2025-04-01', '2025-03-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z'],
    [
      'date=ge2025&date=le2025-06&date=gt2025-02-15',
      '2025-02-16T00:00:00.000Z',
      '2025-07-01T00:00:00.000Z',
    ],
    ['date=le9999-12-31', null, null],
    ['date=0050', '0050-01-01T00:00:00.000Z', '0051-01-01T00:00:00.000Z'],
  ];
  for (const [query, from, to] of ranges) {
    it(`reads ${query} as the instants FHIR gives it`, () => {
      assert.deepEqual(read(query).recorded, {
        from: from === null ? -Infinity : ms(from),
        to: to === null ? Infinity : ms(to),
      });
    });
  }

  it('spells every empty range alike, so its search continues alike', () => {
    const empty = read('date=ge2026&date=lt2025').recorded;
    assert.deepEqual(read('date=gt9999-12-31').recorded, empty);
    assert.deepEqual(read('date=lt0000-01-01').recorded, empty);
    assert.ok(empty.from >= empty.to || empty.to <= ms('0000-01-01T00:00:00.000Z'));
  });

  for (const bad of [
    'date=2025-13',
    'date=2025-02-29',
    'date=2025-03-01T10:15',
    'date=2025-03-01T24:00Z',
    'date=2025-03-01T10:15+15:00',
    'date=ne2025',
    'date=sa2025',
    'date=25-03-01',
    'date=',
    'date=2025&date=2025&date=2025&date=2025&date=2025',
  ]) {
    it(`refuses ${bad}`, () => {
      assertRefused(bad, 'date');
    });
  }

  it('reads tokens as OR alternatives and repeats as AND', () => {
    const search = read(
      'type=rest,http://dicom.nema.org/resources/ontology/DCM|110114&type=|x&action=R,E&outcome=4',
    );
    assert.deepEqual(search.tokens, [
      {
        param: 'type',
        column: 'type_code',
        values: [
          { code: 'rest' },
          { code: '110114', system: 'http://dicom.nema.org/resources/ontology/DCM' },
        ],
      },
      { param: 'type', column: 'type_code', values: [{ code: 'x', system: '' }] },
      { param: 'action', column: 'action', values: [{ code: 'R' }, { code: 'E' }] },
      { param: 'outcome', column: 'outcome', values: [{ code: '4' }] },
    ]);
    assert.deepEqual(read('action=http://hl7.org/fhir/audit-event-action|C').tokens[0]?.values, [
      { code: 'C' },
    ]);
  });

  for (const [query, name] of [
    ['action=X', 'action'],
    ['action=other|C', 'action'],
    ['outcome=5', 'outcome'],
    ['type=a,,b', 'type'],
    ['type=a\\,b', 'type'],
    ['subtype= read', 'subtype'],
    ['type=1,2,3,4,5,6,7,8,9', 'type'],
  ] as const) {
    it(`refuses ${query}`, () => {
      assertRefused(query, name);
    });
  }

  it('reads references and identifiers as the keys the ledger stores', () => {
    const search = read(
      'agent=Organization/police-central,Device/enlace-gateway&agent:identifier=https://x.example/person|marta' +
        '&entity=Consent/c-1/_history/2&entity:identifier=|loose&patient=k2.abc',
    );
    assert.deepEqual(search.refs, [
      {
        param: 'agent',
        kind: 'agent',
        values: ['Organization/police-central', 'Device/enlace-gateway'],
      },
      { param: 'agent:identifier', kind: 'agent', values: ['https://x.example/person|marta'] },
      { param: 'entity', kind: 'entity', values: ['Consent/c-1/_history/2'] },
      { param: 'entity:identifier', kind: 'entity', values: ['|loose'] },
      { param: 'patient', kind: 'patient', values: ['k2.abc'] },
    ]);
  });

  it('turns her identifier into her pseudonyms under every key, and never spells it again', () => {
    asked.length = 0;
    const search = read(`patient:identifier=${CEDULA}|1.234.567-8`);
    assert.deepEqual(asked, [{ system: CEDULA, value: '1.234.567-8' }]);
    assert.deepEqual(search.refs, [
      {
        param: 'patient',
        kind: 'patient',
        values: ['k2.1.234.567-8-current', 'k1.1.234.567-8-retired'],
      },
    ]);
    assert.ok(!toSearchQuery(search).toString().includes(encodeURIComponent(CEDULA)));
  });

  it('takes a pseudonym given as an identifier as it is', () => {
    asked.length = 0;
    const search = read(`patient:identifier=${PSEUDONYM_SYSTEM}|k2.abc`);
    assert.deepEqual(asked, []);
    assert.deepEqual(search.refs[0]?.values, ['k2.abc']);
  });

  for (const [query, name, secret] of [
    ['agent=police-central', 'agent', undefined],
    ["agent=Organization/x' OR '1'='1", 'agent', undefined],
    ['entity=Task/a/b', 'entity', undefined],
    ['agent:identifier=no-bar', 'agent:identifier', undefined],
    ['entity:identifier=sys|', 'entity:identifier', undefined],
    [`patient:identifier=1.234.567-8`, 'patient:identifier', '1.234.567-8'],
    ['patient=Patient/abc', 'patient', undefined],
  ] as const) {
    it(`refuses ${query} naming ${name}`, () => {
      assertRefused(query, name, secret);
    });
  }

  it('reads _count, _sort and _cursor as every search route does, and refuses what is malformed', () => {
    const search = read('_count=1000&_sort=date&_cursor=opaque');
    assert.equal(search.count, 1000);
    assert.equal(search.order, 'asc');
    assert.equal(search.cursor, 'opaque');
    assert.equal(read('_sort=-date').order, 'desc');
    assert.equal(read('').count, 100);
    // Above the maximum the page is the maximum, as FHIR lets a server return fewer; 0 is no entries.
    assert.equal(read('_count=1001').count, 1000);
    assert.equal(read('_count=0').count, 0);
    for (const count of ['-1', '1e3', '', '1.5']) assertRefused(`_count=${count}`, '_count');
    for (const sort of ['recorded', '_lastUpdated', 'date,seq', '-date;drop']) {
      assertRefused(`_sort=${encodeURIComponent(sort)}`, '_sort');
    }
    assertRefused('_count=5&_count=6', '_count');
  });

  for (const name of ['_total', 'type:not', 'agent:missing', 'patient:Patient', 'name', '_id']) {
    it(`refuses the unknown parameter ${name} by name`, () => {
      assertRefused(`${name}=x`, name);
    });
  }

  it('spells a search back so that it reads back the same', () => {
    const search = read(
      'date=2025-03&patient:identifier=' +
        CEDULA +
        '|77&type=rest,|y&agent=Organization/a&_count=7&_sort=date',
    );
    assert.deepEqual(read(toSearchQuery(search).toString()), search);
  });

  it('records identifiers in systems the gateway does not mint without their values', () => {
    const search = read(
      `entity:identifier=${CEDULA}|12345678,https://enlace.example.org/fhir/NamingSystem/request-id|r-1` +
        '&agent:identifier=https://enlace.example.org/fhir/NamingSystem/person|marta',
    );
    const audited = decodeURIComponent(toAuditedQuery(search));
    assert.ok(!audited.includes('12345678'), audited);
    assert.ok(audited.includes(`${CEDULA}|(withheld)`), audited);
    assert.ok(audited.includes('request-id|r-1') && audited.includes('person|marta'), audited);
    assert.ok(decodeURIComponent(toSearchQuery(search).toString()).includes('12345678'));
  });
});
