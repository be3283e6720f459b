import assert from 'node:assert/strict';
import {
  answerRead,
  isNotModified,
  parseHttpDate,
  versionOf,
} from '../../../src/http/conditional-read.js';

const version = { versionId: '3', lastUpdated: '1994-11-06T08:49:37.250Z' };

describe('conditional reads (RFC 9110 §13)', () => {
  describe('HTTP-dates', () => {
    it('reads the three forms of RFC 9110 §5.6.7 as the same instant', () => {
      const instant = Date.UTC(1994, 10, 6, 8, 49, 37);
      assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), instant);
      assert.equal(
        parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', new Date('2025-01-01T00:00:00Z')),
        instant,
      );
      assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), instant);
    });

    it('puts a two-digit year more than 50 years ahead in the previous century', () => {
      const now = new Date('2025-01-01T00:00:00Z');
      assert.equal(parseHttpDate('Monday, 01-Jan-74 00:00:00 GMT', now), Date.UTC(2074, 0, 1));
      assert.equal(parseHttpDate('Monday, 01-Jan-76 00:00:00 GMT', now), Date.UTC(1976, 0, 1));
    });

    it('is not fooled by what only looks like a date', () => {
      for (const text of [
        '2025-03-12T12:00:00Z',
        'Sun, 31 Feb 2025 08:49:37 GMT',
        'Sun, 06 Nov 1994 24:00:00 GMT',
        'Sun, 06 Nov 1994 08:49:37 UTC',
        'sun, 06 nov 1994 08:49:37 GMT',
        'Sun, 6 Nov 1994 08:49:37 GMT',
        '',
      ]) {
        assert.equal(parseHttpDate(text), undefined, text);
      }
    });
  });

  describe('preconditions', () => {
    it('matches If-None-Match weakly, in a list, or as *', () => {
      for (const header of ['W/"3"', '"3"', 'W/"1", W/"3"', ' , W/"3" ,', '*']) {
        assert.equal(isNotModified({ 'if-none-match': header }, version), true, header);
      }
      for (const header of ['W/"1"', 'W/"33"', '3', 'W/3', '"3" junk', '']) {
        assert.equal(isNotModified({ 'if-none-match': header }, version), false, header);
      }
    });

    it('compares If-Modified-Since at the second Last-Modified shows', () => {
      const at = (text: string) => isNotModified({ 'if-modified-since': text }, version);
      assert.equal(at('Sun, 06 Nov 1994 08:49:37 GMT'), true, 'the same second');
      assert.equal(at('Sun, 06 Nov 1994 08:49:38 GMT'), true, 'later');
      assert.equal(at('Sun, 06 Nov 1994 08:49:36 GMT'), false, 'earlier');
      assert.equal(at('not a date'), false);
    });

    it('lets If-None-Match decide when both are sent', () => {
      const both = (etag: string) =>
        isNotModified(
          { 'if-none-match': etag, 'if-modified-since': 'Sun, 06 Nov 1994 08:49:37 GMT' },
          version,
        );
      assert.equal(both('W/"1"'), false);
      assert.equal(both('W/"3"'), true);
    });
  });

  it('answers 304 with the same validators and no body, or the body with them', () => {
    const full = answerRead({ headers: {} }, { any: 'body' }, version, {
      headers: { 'Cache-Control': 'no-store' },
    });
    assert.deepEqual(full.headers, {
      ETag: 'W/"3"',
      'Last-Modified': 'Sun, 06 Nov 1994 08:49:37 GMT',
      'Cache-Control': 'no-store',
    });
    assert.equal(full.status, undefined);
    const notModified = answerRead(
      { headers: { 'if-none-match': 'W/"3"' } },
      { any: 'body' },
      version,
      {
        headers: { 'Cache-Control': 'no-store' },
      },
    );
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body, undefined);
    assert.deepEqual(notModified.headers, full.headers);
  });

  it('refuses to answer a read whose resource carries no version', () => {
    assert.throws(
      () => versionOf({ resourceType: 'Organization', meta: { versionId: '1' } }),
      (error: unknown) => (error as { code?: string }).code === 'ENLACE_INTERNAL',
    );
  });
});
