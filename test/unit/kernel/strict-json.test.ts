import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  GatewayError,
  decodeUtf8,
  hasForbiddenTextCharacter,
  parseStrictJson,
  type ErrorCode,
} from '../../../src/kernel/index.js';

const LIMITS = { maxDepth: 8 } as const;
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

const parse = (text: string): unknown => parseStrictJson(text, LIMITS);

/** Asserts `run` throws a GatewayError with this code and returns it. */
function assertRefused(run: () => unknown, code: ErrorCode): GatewayError {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  assert.ok(
    caught instanceof GatewayError,
    `expected a GatewayError ${code}, got ${String(caught)}`,
  );
  assert.equal(caught.code, code);
  return caught;
}

/** Whether any string in the value (member names included) holds a character FHIR forbids. */
const hasControlText = (value: unknown): boolean => {
  if (typeof value === 'string') return hasForbiddenTextCharacter(value);
  if (Array.isArray(value)) return value.some(hasControlText);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([key, inner]) => hasForbiddenTextCharacter(key) || hasControlText(inner),
  );
};

const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const nestedObjects = (depth: number): string =>
  `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

describe('parseStrictJson', () => {
  describe('depth limit', () => {
    it('counts the top-level value as depth 1', () => {
      assert.deepEqual(parseStrictJson('[]', { maxDepth: 1 }), []);
      assertRefused(() => parseStrictJson('[[]]', { maxDepth: 1 }), 'ENLACE_JSON_TOO_DEEP');
    });

    it('accepts arrays nested exactly to the limit', () => {
      assert.ok(Array.isArray(parse(nestedArrays(LIMITS.maxDepth))));
    });

    it('refuses arrays nested one level over the limit', () => {
      const error = assertRefused(
        () => parse(nestedArrays(LIMITS.maxDepth + 1)),
        'ENLACE_JSON_TOO_DEEP',
      );
      assert.equal(error.status, 400);
      assert.equal(error.issue, 'too-costly');
    });

    it('accepts objects nested exactly to the limit and refuses one more level', () => {
      assert.equal(typeof parse(nestedObjects(LIMITS.maxDepth)), 'object');
      assertRefused(() => parse(nestedObjects(LIMITS.maxDepth + 1)), 'ENLACE_JSON_TOO_DEEP');
    });

    it('counts mixed objects and arrays together', () => {
      const atLimit = '{"a":[{"b":[{"c":[{"d":[1]}]}]}]}';
      assert.deepEqual(parse(atLimit), JSON.parse(atLimit));
      assertRefused(() => parse('{"a":[{"b":[{"c":[{"d":[[1]]}]}]}]}'), 'ENLACE_JSON_TOO_DEEP');
    });

    it('refuses a very deep document without overflowing the stack', () => {
      assertRefused(() => parse(nestedArrays(200_000)), 'ENLACE_JSON_TOO_DEEP');
    });

    it('measures depth per branch, not across siblings', () => {
      const siblings = `[${Array.from({ length: 50 }, () => nestedArrays(LIMITS.maxDepth - 1)).join(',')}]`;
      assert.equal((parse(siblings) as unknown[]).length, 50);
    });
  });

  describe('prototype keys', () => {
    for (const key of FORBIDDEN_KEYS) {
      it(`refuses "${key}" as a top-level member name`, () => {
        const error = assertRefused(
          () => parse(`{"${key}":{"polluted":true}}`),
          'ENLACE_JSON_FORBIDDEN_KEY',
        );
        assert.equal(error.status, 400);
        assert.equal(error.issue, 'security');
      });

      it(`refuses "${key}" as a nested member name`, () => {
        assertRefused(
          () => parse(`{"resourceType":"Bundle","meta":{"${key}":{}}}`),
          'ENLACE_JSON_FORBIDDEN_KEY',
        );
      });

      it(`refuses "${key}" inside an object in an array`, () => {
        assertRefused(
          () => parse(`{"entry":[{"ok":1},{"resource":{"${key}":1}}]}`),
          'ENLACE_JSON_FORBIDDEN_KEY',
        );
        assertRefused(() => parse(`[[{"${key}":null}]]`), 'ENLACE_JSON_FORBIDDEN_KEY');
      });
    }

    it('refuses control characters in values and member names, escaped or raw', () => {
      for (const text of ['{"id":"a\\u0000b"}', '{"a\\u0001":1}', '["\\u001f"]']) {
        assertRefused(() => parse(text), 'ENLACE_JSON_CONTROL_CHARACTER');
      }
      // Unescaped, a control character is not JSON at all (RFC 8259 §7).
      assertRefused(() => parse('{"id":"a\u0000b"}'), 'ENLACE_MALFORMED_JSON');
    });

    it('accepts tab, carriage return and line feed, as FHIR strings do', () => {
      const text = '{"note":"line one\\nline two\\r\\n\\tindented"}';
      assert.deepEqual(parse(text), JSON.parse(text));
    });

    it('refuses a prototype key spelt with unicode escapes', () => {
      assertRefused(() => parse('{"\\u005f_proto__":1}'), 'ENLACE_JSON_FORBIDDEN_KEY');
      assertRefused(() => parse('{"constructo\\u0072":1}'), 'ENLACE_JSON_FORBIDDEN_KEY');
    });

    it('accepts the same words as string values and as parts of longer names', () => {
      const text = '{"a":"__proto__","b":["constructor","prototype"],"constructorName":1}';
      assert.deepEqual(parse(text), JSON.parse(text));
    });

    it('never changes Object.prototype', () => {
      for (const key of FORBIDDEN_KEYS) {
        try {
          parse(`{"${key}":{"polluted":true}}`);
        } catch {
          // refused, as the tests above assert
        }
      }
      assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
    });
  });

  describe('duplicate member names', () => {
    it('refuses a name repeated at the top level', () => {
      const error = assertRefused(() => parse('{"a":1,"b":2,"a":3}'), 'ENLACE_JSON_DUPLICATE_KEY');
      assert.equal(error.status, 400);
      assert.equal(error.issue, 'structure');
    });

    it('refuses a name repeated in a nested object', () => {
      assertRefused(() => parse('{"a":{"b":1,"b":1}}'), 'ENLACE_JSON_DUPLICATE_KEY');
      assertRefused(() => parse('[{"x":[1],"y":{},"x":2}]'), 'ENLACE_JSON_DUPLICATE_KEY');
    });

    it('refuses a repeat spelt differently with escapes', () => {
      assertRefused(() => parse('{"a":1,"\\u0061":2}'), 'ENLACE_JSON_DUPLICATE_KEY');
    });

    it('refuses a repeated empty name', () => {
      assertRefused(() => parse('{"":1,"":2}'), 'ENLACE_JSON_DUPLICATE_KEY');
    });

    it('accepts the same name in sibling and nested objects', () => {
      const text = '{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}],"c":{"a":[{"a":0}]}}';
      assert.deepEqual(parse(text), JSON.parse(text));
    });

    it('accepts a name after a nested object that used it', () => {
      const text = '{"x":{"id":1},"id":2}';
      assert.deepEqual(parse(text), { x: { id: 1 }, id: 2 });
    });
  });

  describe('malformed input', () => {
    const malformed: readonly [string, string][] = [
      ['an empty text', ''],
      ['only whitespace', '   \n'],
      ['a trailing comma in an array', '[1,2,]'],
      ['a trailing comma in an object', '{"a":1,}'],
      ['trailing garbage', '{"a":1}x'],
      ['two top-level values', '{"a":1} {"b":2}'],
      ['two top-level scalars', '1 2'],
      ['an unclosed object', '{"a":1'],
      ['an unclosed string', '"abc'],
      ['a missing colon', '{"a" 1}'],
      ['a missing comma', '[1 2]'],
      ['a bad escape', '"\\x41"'],
      ['a raw control character in a string', '"a\u0001b"'],
      ['a leading zero', '01'],
      ['a bare word', 'undefined'],
      ['single quotes', "{'a':1}"],
      ['a mismatched bracket', '{"a":[}'],
    ];
    for (const [what, text] of malformed) {
      it(`refuses ${what}`, () => {
        const error = assertRefused(() => parse(text), 'ENLACE_MALFORMED_JSON');
        assert.equal(error.status, 400);
        assert.equal(error.issue, 'structure');
      });
    }

    it('never quotes the offending input in its message', () => {
      const secrets = [
        '{"name":"Maria Lopez",}',
        '{"phone":"555-0199"} trailing-Maria',
        "{'address':'Calle Falsa 123'}",
        '[1,2,3,"case-4711"',
        '{"diagnosis" "abuse"}',
      ];
      for (const text of secrets) {
        const error = assertRefused(() => parse(text), 'ENLACE_MALFORMED_JSON');
        for (const fragment of ['Maria', '555', 'Calle', 'case-4711', 'abuse', 'trailing']) {
          assert.ok(!error.message.includes(fragment), `"${error.message}" quotes ${fragment}`);
        }
        assert.ok(!error.message.includes(text));
      }
    });

    it('accepts lone surrogate escapes, which are valid JSON', () => {
      assert.equal(parse('"\\ud800"'), '\ud800');
      assert.deepEqual(parse('{"a":"\\udc00x"}'), { a: '\udc00x' });
    });

    it('accepts every JSON scalar at the top level and surrounding whitespace', () => {
      for (const text of ['true', 'false', 'null', '0', '-1.5e3', '"s"', ' [1] \n']) {
        assert.deepEqual(parse(text), JSON.parse(text));
      }
    });
  });

  describe('round trip', () => {
    const hasForbiddenKey = (value: unknown): boolean => {
      if (Array.isArray(value)) return value.some(hasForbiddenKey);
      if (typeof value !== 'object' || value === null) return false;
      return Object.entries(value).some(
        ([key, inner]) =>
          (FORBIDDEN_KEYS as readonly string[]).includes(key) || hasForbiddenKey(inner),
      );
    };

    it('parses any JSON.stringify output exactly as JSON.parse does', () => {
      const values = fc
        .jsonValue({ maxDepth: 6, stringUnit: 'binary' })
        .filter((value) => !hasForbiddenKey(value) && !hasControlText(value));
      fc.assert(
        fc.property(values, (value) => {
          const text = JSON.stringify(value);
          assert.deepEqual(parseStrictJson(text, { maxDepth: 64 }), JSON.parse(text));
        }),
        { numRuns: 300 },
      );
    });

    it('parses pretty-printed JSON as JSON.parse does', () => {
      fc.assert(
        fc.property(
          fc.jsonValue({ maxDepth: 4 }).filter((value) => !hasForbiddenKey(value)),
          (value) => {
            const text = JSON.stringify(value, null, 2);
            assert.deepEqual(parseStrictJson(text, { maxDepth: 64 }), JSON.parse(text));
          },
        ),
        { numRuns: 100 },
      );
    });
  });
});

describe('decodeUtf8', () => {
  const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

  it('decodes valid UTF-8, including four-byte sequences', () => {
    assert.equal(decodeUtf8(new TextEncoder().encode('{"a":"ñ€😀"}')), '{"a":"ñ€😀"}');
  });

  const invalid: readonly [string, Uint8Array][] = [
    ['an overlong two-byte encoding of "/"', bytes(0xc0, 0xaf)],
    ['an overlong three-byte encoding of "/"', bytes(0xe0, 0x80, 0xaf)],
    ['an overlong four-byte encoding', bytes(0xf0, 0x80, 0x80, 0xaf)],
    ['a lone continuation byte', bytes(0x7b, 0x80, 0x7d)],
    ['a truncated three-byte sequence', bytes(0x22, 0xe2, 0x82)],
    ['a truncated sequence followed by ASCII', bytes(0xe2, 0x82, 0x22)],
    ['a UTF-16 surrogate encoded in UTF-8 (ED A0 80)', bytes(0xed, 0xa0, 0x80)],
    ['a code point above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80)],
    ['a byte never valid in UTF-8', bytes(0xff)],
  ];
  for (const [what, input] of invalid) {
    it(`refuses ${what}`, () => {
      const error = assertRefused(() => decodeUtf8(input), 'ENLACE_INVALID_UTF8');
      assert.equal(error.status, 400);
      assert.equal(error.issue, 'structure');
    });
  }
});
