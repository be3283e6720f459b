// Whether a JSON text is exactly its own RFC 8785 canonical form (JCS), in one pass over the text.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
/** The escapes JCS writes as two characters: \" \\ \b \f \n \r \t (RFC 8785 §3.2.2.2). */
const SHORT_ESCAPES = new Set(['"', '\\', 'b', 'f', 'n', 'r', 't']);
/** The only `\u` escapes JCS writes: control characters without a short escape, lowercase hex. */
const CONTROL_ESCAPE = /^00(?:0[0-7]|0b|0e|0f|1[0-9a-f])$/;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// eslint-disable-next-line no-control-regex -- the control characters are what the classes name.
const SPECIAL = /[\\\x00-\x1f\ud800-\udfff]/;
/** A run of characters a JCS string holds as they are: no quote, backslash, control or surrogate. */
// eslint-disable-next-line no-control-regex -- the control characters are what the class excludes.
const PLAIN = /[^"\\\x00-\x1f\ud800-\udfff]*/y;

/** `keyStart` of an array's frame; an object's is its last key's opening quote, -1 before one. */
const ARRAY = -2;

/** The index after the string at `start` (a quote) if spelled as JCS spells it, else -1. */
function scanEscapedString(text: string, start: number): number {
  for (let i = start + 1; i < text.length;) {
    PLAIN.lastIndex = i;
    PLAIN.test(text);
    i = PLAIN.lastIndex;
    const unit = text.charCodeAt(i);
    if (unit === QUOTE) return i + 1;
    if (unit === BACKSLASH) {
      const kind = text.charAt(i + 1);
      if (SHORT_ESCAPES.has(kind)) i += 2;
      else if (kind === 'u' && CONTROL_ESCAPE.test(text.slice(i + 2, i + 6))) i += 6;
      else return -1;
    } else if (unit >= 0xd800 && unit <= 0xdbff) {
      // Why: JCS refuses lone surrogates; only a whole pair is a character.
      const low = text.charCodeAt(i + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) return -1;
      i += 2;
    } else {
      // A control character, a lone low surrogate, or the end of the text (NaN).
      return -1;
    }
  }
  return -1;
}

/** The index after the number at `start` if it is spelled as ECMAScript prints it, else -1. */
function scanNumber(text: string, start: number): number {
  NUMBER.lastIndex = start;
  const token = NUMBER.exec(text)?.[0];
  // Why String(Number(…)): JCS numbers are ECMAScript's Number::toString (RFC 8785 §3.2.2.3),
  // which also refuses -0, 1E2, 1e21 (it is 1e+21), 1.50 and anything that overflows.
  return token !== undefined && String(Number(token)) === token ? start + token.length : -1;
}

class Scanner {
  /** Why: most lines hold no escape, control character or surrogate; their strings end at the next quote. */
  private readonly plain: boolean;
  private readonly keyStart: number[] = [];
  private readonly keyEnd: number[] = [];

  constructor(private readonly text: string) {
    this.plain = !SPECIAL.test(text);
  }

  /** Walks value after value with an explicit stack, so no nesting depth can overflow ours. */
  scan(): boolean {
    const { text, keyStart } = this;
    let i = 0;
    for (;;) {
      if (keyStart.length > 0 && keyStart[keyStart.length - 1] !== ARRAY) i = this.scanKey(i);
      if (i < 0) return false;
      const unit = text.charCodeAt(i);
      const close = unit === 0x7b ? 0x7d : unit === 0x5b ? 0x5d : undefined;
      if (close !== undefined && text.charCodeAt(i + 1) !== close) {
        keyStart.push(close === 0x7d ? -1 : ARRAY);
        this.keyEnd.push(-1);
        i += 1;
        continue;
      }
      i = close === undefined ? this.scanScalar(i) : i + 2;
      if (i < 0) return false;
      // After a value: a comma, the end of its container (a value too), or the end of the text.
      for (;;) {
        if (keyStart.length === 0) return i === text.length;
        const next = text.charCodeAt(i);
        if (next === COMMA) break;
        if (next !== (keyStart[keyStart.length - 1] === ARRAY ? 0x5d : 0x7d)) return false;
        keyStart.pop();
        this.keyEnd.pop();
        i += 1;
      }
      i += 1;
    }
  }

  private scanString(start: number): number {
    if (this.text.charCodeAt(start) !== QUOTE) return -1;
    if (!this.plain) return scanEscapedString(this.text, start);
    const end = this.text.indexOf('"', start + 1);
    return end < 0 ? -1 : end + 1;
  }

  private scanScalar(start: number): number {
    if (this.text.charCodeAt(start) === QUOTE) return this.scanString(start);
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, start)) return start + literal.length;
    }
    return scanNumber(this.text, start);
  }

  /**
   * The index after `"key":` at `start` if canonical and greater than the object's last key
   * (which becomes this one), else -1. Why strictly greater: JCS sorts members by UTF-16 code
   * units, and a repeated key would parse as one member, so the text would not be its own form.
   */
  private scanKey(start: number): number {
    const end = this.scanString(start);
    if (end < 0 || this.text.charCodeAt(end) !== COLON) return -1;
    const top = this.keyStart.length - 1;
    const last = this.keyStart[top] as number;
    if (last >= 0 && !this.isBefore(last, this.keyEnd[top] as number, start, end)) return -1;
    this.keyStart[top] = start;
    this.keyEnd[top] = end;
    return end + 1;
  }

  /** Whether the string at [a, aEnd) sorts before the one at [b, bEnd), by UTF-16 code units. */
  private isBefore(a: number, aEnd: number, b: number, bEnd: number): boolean {
    const { text } = this;
    // With escapes the spelling is not the value; checked strings are valid JSON to parse.
    if (!this.plain) {
      return (
        (JSON.parse(text.slice(a, aEnd)) as string) < (JSON.parse(text.slice(b, bEnd)) as string)
      );
    }
    for (let i = a + 1, j = b + 1; ; i += 1, j += 1) {
      const left = i < aEnd - 1 ? text.charCodeAt(i) : -1;
      const right = j < bEnd - 1 ? text.charCodeAt(j) : -1;
      if (left !== right) return left < right;
      if (left === -1) return false;
    }
  }
}

/**
 * Whether `text` equals canonicalJson(JSON.parse(text)): valid JSON with no whitespace, members
 * in increasing UTF-16 order (so no duplicates), strings with exactly JCS's escapes and numbers
 * as ECMAScript prints them. Why a scanner and not that expression: parsing and re-serialising
 * costs some 20 µs an event, most of a million-entry verification; the scanner builds no objects.
 * Never throws, whatever the text.
 */
export function isCanonicalJsonText(text: string): boolean {
  return typeof text === 'string' && new Scanner(text).scan();
}
