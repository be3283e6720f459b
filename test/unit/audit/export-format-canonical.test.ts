// isCanonicalJsonText: exactly the texts equal to canonicalJson(JSON.parse(text)), checked without parsing.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCanonicalJsonText } from '../../../src/audit/export-format/index.js';
import { canonicalJson, type JsonValue } from '../../../src/crypto/canonical-json.js';
import {
  NUMBER_SAMPLES,
  SAMPLE_CANONICAL,
  SAMPLE_INPUT,
  SORTING_INPUT,
} from '../../fixtures/rfc/rfc8785.js';

/** The definition the scanner must agree with. */
function isCanonicalByDefinition(text: string): boolean {
  try {
    return canonicalJson(JSON.parse(text) as JsonValue) === text;
  } catch {
    return false;
  }
}

/** Characters that matter to JSON and JCS: structure, escapes, digits, surrogates, controls. */
const jsonChars = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  'u',
  '0',
  '1',
  '9',
  'e',
  'E',
  '-',
  '+',
  '.',
  'a',
  'b',
  ' ',
  'true',
  'null',
  'false',
  'n',
  't',
  'f',
  '\ud800',
  '\udc00',
  '\u0001',
  '\u001f',
  '\u007f',
  'é',
  '😀',
  '\ufb33',
  '/',
  'd83d',
  '00',
  '1f',
);
const jsonish = fc.array(jsonChars, { maxLength: 40 }).map((chars) => chars.join(''));

describe('isCanonicalJsonText', () => {
  it('accepts the RFC 8785 §3.2.3 sample output and refuses its §3.2.2 input', () => {
    assert.equal(isCanonicalJsonText(SAMPLE_CANONICAL), true);
    assert.equal(isCanonicalJsonText(SAMPLE_INPUT), false);
  });

  it('accepts members sorted by UTF-16 code units, not code points (§3.2.3)', () => {
    const sorted = canonicalJson(JSON.parse(SORTING_INPUT) as JsonValue);
    assert.equal(isCanonicalJsonText(sorted), true);
    // U+1F600 (as D83D DE00) sorts before U+FB33 in UTF-16, after it by code point.
    assert.equal(isCanonicalJsonText('{"\ud83d\ude00":1,"\ufb33":2}'), true);
    assert.equal(isCanonicalJsonText('{"\ufb33":2,"\ud83d\ude00":1}'), false);
  });

  it('accepts each Appendix B number as JCS writes it, and no other spelling', () => {
    for (const [hex, expected] of NUMBER_SAMPLES) {
      if (expected === undefined) continue;
      assert.equal(isCanonicalJsonText(`[${expected}]`), true, expected);
      const value = Buffer.from(hex, 'hex').readDoubleBE(0);
      assert.equal(
        isCanonicalJsonText(`[${value.toExponential()}]`),
        isCanonicalByDefinition(`[${value.toExponential()}]`),
      );
    }
  });

  it('refuses each way a JSON text can differ from its canonical form', () => {
    const refused = [
      ' {}',
      '{} ',
      '{"a": 1}',
      '{"b":1,"a":2}',
      '{"a":1,"a":1}',
      '[1 ,2]',
      '1.0',
      '1E3',
      '1e21',
      '-0',
      '01',
      '"\\/"',
      '"\\u0041"',
      '"\\u001F"',
      '"\\u0008"',
      '"\\ud83d\\ude00"',
      '"\ud800"',
      '"\udc00x"',
      '"\u0001"',
      '{"a":1,}',
      '[,]',
      '',
      'nul',
      'tru',
      '"',
      '{"a"}',
      '{1:2}',
      '[1]]',
      '{"a":1}}',
      '{"9":2,"10":1}',
      '1e400',
    ];
    for (const text of refused)
      assert.equal(isCanonicalJsonText(text), false, JSON.stringify(text));
    const accepted = [
      '{}',
      '[]',
      '""',
      '0',
      '-1',
      '1e+21',
      '1e-7',
      '0.5',
      '{"10":1,"9":2}',
      '"\\u001f\\b\\t\\n\\f\\r\\"\\\\"',
      '"\u007f\u2028"',
      '[[[{"":{"":[]}}]]]',
    ];
    for (const text of accepted)
      assert.equal(isCanonicalJsonText(text), true, JSON.stringify(text));
  });

  it('answers for nesting of any depth without throwing', () => {
    assert.equal(isCanonicalJsonText('['.repeat(1_000_000)), false);
    assert.equal(isCanonicalJsonText(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), true);
  });

  it('agrees with the definition on every canonical text (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) =>
        isCanonicalJsonText(canonicalJson(value as JsonValue)),
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees with the definition on JSON texts, near-misses and junk (property)', () => {
    const edited = fc
      .tuple(fc.jsonValue(), fc.nat(), fc.nat(), jsonish)
      .map(([value, at, length, insert]) => {
        const text = canonicalJson(value);
        const start = at % (text.length + 1);
        return text.slice(0, start) + insert + text.slice(start + (length % 3));
      });
    fc.assert(
      fc.property(fc.oneof(fc.json(), jsonish, edited, fc.string()), (text) => {
        assert.equal(
          isCanonicalJsonText(text),
          isCanonicalByDefinition(text),
          JSON.stringify(text),
        );
      }),
      { numRuns: 20_000 },
    );
  });
});
