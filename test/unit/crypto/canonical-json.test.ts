import assert from 'node:assert/strict';
import { canonicalJson, canonicalJsonBytes, type JsonValue } from '../../../src/crypto/index.js';
import {
  NUMBER_SAMPLES,
  SAMPLE_CANONICAL,
  SAMPLE_INPUT,
  SAMPLE_UTF8_HEX,
  SORTING_EXPECTED_ORDER,
  SORTING_INPUT,
} from '../../fixtures/rfc/rfc8785.js';

const parse = (text: string): JsonValue => JSON.parse(text) as JsonValue;
const fromIeee754 = (hex: string): number => Buffer.from(hex, 'hex').readDoubleBE(0);

describe('canonicalJson (RFC 8785)', () => {
  it('canonicalises the §3.2.2 sample to the §3.2.3 output', () => {
    assert.equal(canonicalJson(parse(SAMPLE_INPUT)), SAMPLE_CANONICAL);
  });

  it('encodes the canonical sample as the §3.2.4 UTF-8 octets', () => {
    const hex = Buffer.from(canonicalJsonBytes(parse(SAMPLE_INPUT))).toString('hex');
    assert.equal(hex, SAMPLE_UTF8_HEX.replace(/\s+/g, ''));
  });

  it('sorts property names by UTF-16 code units as §3.2.3 requires', () => {
    // Read positions in the text: JSON.parse would reorder "1" first, as every JS object does.
    const text = canonicalJson(parse(SORTING_INPUT));
    const positions = SORTING_EXPECTED_ORDER.map((value) => text.indexOf(`"${value}"`));
    assert.ok(positions.every((position) => position > 0));
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
  });

  describe('serialises numbers as Appendix B, Table 1 says', () => {
    for (const [hex, expected, comment] of NUMBER_SAMPLES) {
      const label = `${hex}${comment === '' ? '' : ` (${comment})`}`;
      if (expected === undefined) {
        it(`refuses ${label}`, () => {
          assert.throws(() => canonicalJson(fromIeee754(hex)), /not allowed/);
        });
      } else {
        it(`writes ${label} as ${expected}`, () => {
          assert.equal(canonicalJson(fromIeee754(hex)), expected);
          assert.equal(canonicalJson({ n: fromIeee754(hex) }), `{"n":${expected}}`);
        });
      }
    }
  });

  it('refuses a lone surrogate, which would break signatures (§3.2.2.2)', () => {
    assert.throws(() => canonicalJson({ name: 'a\ud800b' }), /surrogate/i);
  });

  it('leaves out members whose value is undefined, as JSON.stringify does', () => {
    assert.equal(canonicalJson({ b: 1, a: undefined }), '{"b":1}');
  });

  it('keeps array order and sorts nested objects', () => {
    assert.equal(
      canonicalJson({ z: [3, { b: 2, a: 1 }], a: null }),
      '{"a":null,"z":[3,{"a":1,"b":2}]}',
    );
  });
});
