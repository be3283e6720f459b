import assert from 'node:assert/strict';
import { isValidKeyName } from '../../../src/audit/note/index.js';

describe('note key names', () => {
  it('accepts URLs, non-ASCII letters and symbols', () => {
    for (const name of [
      'example.com/log42',
      'PeterNeumann',
      'ñandú',
      'log😀',
      'a—b',
      '\uFEFFbom',
    ]) {
      assert.equal(isValidKeyName(name), true, name);
    }
    assert.equal(isValidKeyName('x'.repeat(255)), true);
  });

  it('refuses empty names, Unicode spaces, plus, control characters and lone surrogates', () => {
    const spaces = [' ', '\t', '\n', '\r', '\v', '\f', '\u0085', '\u00a0', '\u1680', '\u2003'];
    const others = ['\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '+', '\u0001', '\ud800'];
    assert.equal(isValidKeyName(''), false);
    for (const bad of [...spaces, ...others]) {
      assert.equal(isValidKeyName(`a${bad}b`), false, JSON.stringify(bad));
    }
  });

  it('refuses names longer than 255 UTF-8 bytes', () => {
    assert.equal(isValidKeyName('x'.repeat(256)), false);
    assert.equal(isValidKeyName('ñ'.repeat(128)), false);
  });
});
