import assert from 'node:assert/strict';
import { Secret, TOTP, URI } from 'otpauth';
import {
  buildEnrolmentUri,
  generateTotpSecret,
  matchTotpStep,
  totpStepAt,
} from '../../../src/people/totp.js';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SECRET = new TextEncoder().encode('12345678901234567890');
const RFC_SHA1_VECTORS: readonly (readonly [number, string])[] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

const at = (seconds: number): Date => new Date(seconds * 1000);
const rfcSecret = (): Secret => Secret.fromLatin1('12345678901234567890');

describe('TOTP', () => {
  describe('RFC 6238 test vectors (SHA-1)', () => {
    for (const [seconds, code] of RFC_SHA1_VECTORS) {
      it(`generates ${code} at T=${seconds} with 8 digits`, () => {
        const generated = TOTP.generate({
          secret: rfcSecret(),
          algorithm: 'SHA1',
          digits: 8,
          period: 30,
          timestamp: seconds * 1000,
        });
        assert.equal(generated, code);
      });

      it(`accepts the last six digits ${code.slice(2)} at T=${seconds} with the gateway's 6-digit settings`, () => {
        const step = matchTotpStep({
          code: code.slice(2),
          secret: RFC_SECRET,
          now: at(seconds),
          lastAcceptedStep: null,
        });
        assert.equal(step, Math.floor(seconds / 30));
      });
    }
  });

  it('accepts the code of the step before and after now, and no further', () => {
    const codeAt = (seconds: number) =>
      TOTP.generate({ secret: rfcSecret(), timestamp: seconds * 1000 });
    const now = at(1111111111); // step 37037037
    const check = (code: string) =>
      matchTotpStep({ code, secret: RFC_SECRET, now, lastAcceptedStep: null });
    assert.equal(check(codeAt(1111111111 - 30)), 37037036);
    assert.equal(check(codeAt(1111111111 + 30)), 37037038);
    assert.equal(check(codeAt(1111111111 - 60)), undefined);
    assert.equal(check(codeAt(1111111111 + 60)), undefined);
  });

  it('refuses a code of the last accepted step or an earlier one, even inside its window', () => {
    const now = at(59);
    assert.equal(
      matchTotpStep({ code: '287082', secret: RFC_SECRET, now, lastAcceptedStep: 1 }),
      undefined,
    );
    assert.equal(
      matchTotpStep({ code: '287082', secret: RFC_SECRET, now, lastAcceptedStep: 0 }),
      1,
    );
  });

  it('refuses codes that are not six digits', () => {
    for (const code of ['28708', '2870820', '94287082', 'abcdef', ' 287082', '287082\n']) {
      assert.equal(
        matchTotpStep({ code, secret: RFC_SECRET, now: at(59), lastAcceptedStep: null }),
        undefined,
        JSON.stringify(code),
      );
    }
  });

  it('numbers time steps as floor(unix seconds / 30)', () => {
    assert.equal(totpStepAt(at(59)), 1);
    assert.equal(totpStepAt(at(60)), 2);
  });

  it('generates 20-byte secrets, different every time', () => {
    const first = generateTotpSecret();
    assert.equal(first.length, 20);
    assert.notDeepEqual(first, generateTotpSecret());
  });

  it('builds the otpauth URI authenticator apps enrol from', () => {
    const uri = buildEnrolmentUri('ana.ruiz', RFC_SECRET);
    assert.equal(
      uri,
      'otpauth://totp/Enlace:ana.ruiz?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Enlace&algorithm=SHA1&digits=6&period=30',
    );
    const parsed = URI.parse(uri);
    assert.ok(parsed instanceof TOTP);
    assert.equal(parsed.issuer, 'Enlace');
    assert.equal(parsed.label, 'ana.ruiz');
    assert.equal(parsed.generate({ timestamp: 59_000 }), '287082');
  });
});
