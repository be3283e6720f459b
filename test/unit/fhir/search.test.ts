import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Organization } from '@medplum/fhirtypes';
import {
  createPayloadVault,
  readKeysetPosition,
  sealedCursors,
  type KeysetPosition,
  type PayloadVault,
} from '../../../src/crypto/index.js';
import {
  buildSearchSet,
  keysetPage,
  pagingQuery,
  parsedSearchDigest,
  parseSearch,
  type SearchPaging,
} from '../../../src/fhir/index.js';
import { isGatewayError } from '../../../src/kernel/index.js';

const PAGING: SearchPaging = {
  sorts: ['-_lastUpdated', '_lastUpdated'],
  limits: { defaultCount: 20, maxCount: 100 },
  total: false,
};
const T0 = Date.parse('2025-03-01T10:00:00Z');

const refusedWith =
  (code: string, expression: string, text?: RegExp) =>
  (error: unknown): boolean => {
    assert.ok(isGatewayError(error), String(error));
    assert.equal(error.code, code);
    assert.deepEqual(error.expression, [expression]);
    if (text !== undefined) assert.match(error.message, text);
    return true;
  };

async function vault(): Promise<PayloadVault> {
  return createPayloadVault({ current: 'k1', keks: [{ id: 'k1', key: randomBytes(32) }] });
}

describe('parseSearch', () => {
  it('reads the route’s own parameters apart from _count, _sort and _cursor', () => {
    const search = parseSearch(
      new URLSearchParams('owner=a&_count=5&_sort=_lastUpdated&_cursor=c&_format=json'),
      ['owner'],
      PAGING,
    );
    assert.deepEqual([...search.params], [['owner', 'a']]);
    assert.equal(search.count, 5);
    assert.equal(search.sort, '_lastUpdated');
    assert.equal(search.cursor, 'c');
  });

  it('takes the first sort as the default and caps the page at the maximum', () => {
    const search = parseSearch(new URLSearchParams('_count=500'), [], PAGING);
    assert.equal(search.sort, '-_lastUpdated');
    assert.equal(search.count, 100);
    assert.equal(parseSearch(new URLSearchParams(''), [], PAGING).count, 20);
    assert.equal(parseSearch(new URLSearchParams('_count=0'), [], PAGING).count, 0);
  });

  it('refuses another _sort naming the supported ones', () => {
    assert.throws(
      () => parseSearch(new URLSearchParams('_sort=name'), [], PAGING),
      refusedWith(
        'ENLACE_INVALID_PARAMETER',
        '_sort',
        /one of -_lastUpdated, _lastUpdated \(default -_lastUpdated\)/,
      ),
    );
  });

  for (const count of ['-1', '1.5', '', 'ten', '1e3']) {
    it(`refuses _count=${count}`, () => {
      assert.throws(
        () => parseSearch(new URLSearchParams(`_count=${count}`), [], PAGING),
        refusedWith('ENLACE_INVALID_PARAMETER', '_count'),
      );
    });
  }

  it('refuses unknown and repeated parameters, general ones included', () => {
    assert.throws(
      () => parseSearch(new URLSearchParams('ownr=a'), ['owner'], PAGING),
      refusedWith('ENLACE_INVALID_PARAMETER', 'ownr', /supported: owner, _count, _sort/),
    );
    assert.throws(
      () => parseSearch(new URLSearchParams('_sort=_lastUpdated&_sort=-_lastUpdated'), [], PAGING),
      refusedWith('ENLACE_INVALID_PARAMETER', '_sort'),
    );
  });

  it('without paging (criteria that do not page) knows neither _sort nor _cursor', () => {
    assert.deepEqual([...parseSearch(new URLSearchParams('a=1'), ['a']).params], [['a', '1']]);
    for (const name of ['_sort', '_cursor']) {
      assert.throws(
        () => parseSearch(new URLSearchParams(`${name}=x`), ['a']),
        refusedWith('ENLACE_INVALID_PARAMETER', name),
      );
    }
  });

  it('digests a search the same in any parameter order, and differently for another sort', () => {
    const digest = (text: string) =>
      parsedSearchDigest(parseSearch(new URLSearchParams(text), ['a', 'b'], PAGING));
    assert.equal(digest('a=1&b=2&_count=3'), digest('b=2&a=1&_count=9'));
    assert.notEqual(digest('a=1'), digest('a=1&_sort=_lastUpdated'));
    assert.notEqual(digest('a=1'), digest('a=2'));
  });
});

describe('keysetPage with sealed cursors', () => {
  const rows = Array.from({ length: 7 }, (_, i) => ({
    key: `k${String(i % 3)}`,
    id: `r${String(i)}`,
  })).sort((a, b) => a.key.localeCompare(b.key) || a.id.localeCompare(b.id));
  const fetch = (after: KeysetPosition | undefined, limit: number) =>
    Promise.resolve(
      rows
        .filter(
          (row) =>
            after === undefined ||
            row.key > after.key ||
            (row.key === after.key && row.id > after.id),
        )
        .slice(0, limit),
    );

  it('pages a tied order to the end, each row once, with no cursor on the last page', async () => {
    const cursors = sealedCursors(await vault(), 'test-cursor', readKeysetPosition, {
      clock: () => new Date(T0),
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await keysetPage({
        cursors,
        owner: 'caller',
        search: 'digest',
        cursor,
        count: 3,
        fetch,
        positionOf: (row) => row,
      });
      seen.push(...page.rows.map((row) => row.id));
      cursor = page.next;
      pages += 1;
    } while (cursor !== undefined);
    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      rows.map((row) => row.id),
    );
  });

  it('gives no next page when the last page is exactly full, and none for _count=0', async () => {
    const cursors = sealedCursors(await vault(), 'test-cursor', readKeysetPosition, {
      clock: () => new Date(T0),
    });
    const request = {
      cursors,
      owner: 'o',
      search: 's',
      cursor: undefined,
      fetch,
      positionOf: (row: KeysetPosition) => row,
    };
    assert.equal((await keysetPage({ ...request, count: 7 })).next, undefined);
    const none = await keysetPage({ ...request, count: 0 });
    assert.deepEqual([none.rows, none.next], [[], undefined]);
  });

  it('refuses a cursor of another owner, search or kind, an altered one, and one past its lifetime', async () => {
    let now = T0;
    const box = await vault();
    const cursors = sealedCursors(box, 'test-cursor', readKeysetPosition, {
      clock: () => new Date(now),
    });
    const cursor = await cursors.seal('caller', 'digest', { key: 'k1', id: 'r1' });
    assert.deepEqual(await cursors.open('caller', 'digest', cursor), { key: 'k1', id: 'r1' });
    const otherKind = sealedCursors(box, 'other-cursor', readKeysetPosition, {
      clock: () => new Date(now),
    });
    const flipped = `${cursor.slice(0, 30)}${cursor.charAt(30) === 'A' ? 'B' : 'A'}${cursor.slice(31)}`;
    for (const attempt of [
      () => cursors.open('someone-else', 'digest', cursor),
      () => cursors.open('caller', 'other-digest', cursor),
      () => otherKind.open('caller', 'digest', cursor),
      () => cursors.open('caller', 'digest', flipped),
      () => cursors.open('caller', 'digest', 'x'.repeat(3000)),
    ]) {
      await assert.rejects(
        attempt(),
        refusedWith('ENLACE_SEARCH_CURSOR_INVALID', '_cursor', /not a cursor this server issued/),
      );
    }
    now = T0 + 60 * 60_000;
    assert.deepEqual(await cursors.open('caller', 'digest', cursor), { key: 'k1', id: 'r1' });
    now += 1;
    await assert.rejects(
      cursors.open('caller', 'digest', cursor),
      refusedWith(
        'ENLACE_SEARCH_CURSOR_INVALID',
        '_cursor',
        /expired \(a cursor lasts 60 minutes\)/,
      ),
    );
  });

  it('refuses a position of the wrong shape even when it opens', async () => {
    const box = await vault();
    const blob = (
      await box.seal(JSON.stringify({ owner: 'o', search: 's', issued: T0, key: 1 }), 'test-cursor')
    ).blob;
    const cursors = sealedCursors(box, 'test-cursor', readKeysetPosition, {
      clock: () => new Date(T0),
    });
    await assert.rejects(
      cursors.open('o', 's', blob),
      refusedWith('ENLACE_SEARCH_CURSOR_INVALID', '_cursor'),
    );
  });
});

describe('buildSearchSet', () => {
  const organization: Organization = { resourceType: 'Organization', id: 'casa-refugio' };
  const base = 'https://gw.example.org/fhir';

  it('links self with the cursor it was asked with, next with the next one, and gives total when counted', () => {
    const query = pagingQuery(new URLSearchParams('type=shelter&_cursor=old&_count=500'), {
      sort: '_id',
      count: 200,
    });
    const bundle = buildSearchSet(
      [organization],
      { url: `${base}/Organization`, query, cursor: 'c1', next: 'c2', total: 3 },
      base,
    );
    assert.deepEqual(bundle.link, [
      {
        relation: 'self',
        url: `${base}/Organization?type=shelter&_sort=_id&_count=200&_cursor=c1`,
      },
      {
        relation: 'next',
        url: `${base}/Organization?type=shelter&_sort=_id&_count=200&_cursor=c2`,
      },
    ]);
    assert.equal(bundle.total, 3);
    assert.deepEqual(bundle.entry, [
      {
        fullUrl: `${base}/Organization/casa-refugio`,
        resource: organization,
        search: { mode: 'match' },
      },
    ]);
  });

  it('has neither next, total nor an empty entry array when there is nothing more to say', () => {
    const bundle = buildSearchSet([], { url: `${base}/Task`, query: new URLSearchParams() }, base);
    assert.deepEqual(bundle, {
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'self', url: `${base}/Task` }],
    });
  });
});
