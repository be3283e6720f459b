import assert from 'node:assert/strict';
import { DEFAULT_AUTH_SETTINGS, toAuthSettings } from '../../../src/auth/auth-settings.js';
import type { SigningAlgorithm } from '../../../src/partners/index.js';

describe('auth settings', () => {
  it('defaults to 30 s skew, 5-minute tokens and the default algorithm allow-list', () => {
    assert.deepEqual(toAuthSettings(), DEFAULT_AUTH_SETTINGS);
    assert.deepEqual(DEFAULT_AUTH_SETTINGS.allowedAlgorithms, [
      'ES256',
      'ES384',
      'PS256',
      'RS384',
      'EdDSA',
    ]);
  });

  it('refuses none and HMAC in the allow-list, whatever the types said', () => {
    for (const alg of ['none', 'NONE', 'HS256']) {
      assert.throws(
        () => toAuthSettings({ allowedAlgorithms: [alg as SigningAlgorithm] }),
        /allowedAlgorithms/,
      );
    }
    assert.throws(() => toAuthSettings({ allowedAlgorithms: [] }), /allowedAlgorithms/);
  });

  it('refuses a negative or huge skew and a zero lifetime', () => {
    assert.throws(() => toAuthSettings({ clockSkewSeconds: -1 }), /clockSkewSeconds/);
    assert.throws(() => toAuthSettings({ clockSkewSeconds: 3600 }), /clockSkewSeconds/);
    assert.throws(() => toAuthSettings({ accessTokenSeconds: 0 }), /accessTokenSeconds/);
  });
});
