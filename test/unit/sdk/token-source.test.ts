// The access token is reused while it has time left, renewed ahead of expiry, and fetched once for concurrent callers.
import assert from 'node:assert/strict';
import { createTokenSource, type IssuedToken } from '../../../src/sdk/auth/token-source.js';

const LIFE_MS = 300_000;

function setUp(refreshAheadMs?: number) {
  let now = 1_000_000;
  let issued = 0;
  let failNext = false;
  let release: (() => void) | undefined;
  let hold = false;
  const source = createTokenSource({
    now: () => now,
    ...(refreshAheadMs === undefined ? {} : { refreshAheadMs }),
    issue: async (): Promise<IssuedToken> => {
      issued += 1;
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      if (failNext) {
        failNext = false;
        throw new Error('token endpoint down');
      }
      return {
        accessToken: `token-${issued}`,
        expiresAt: now + LIFE_MS,
        scopes: [],
        organization: 'Organization/x',
        role: 'police',
      };
    },
  });
  return {
    source,
    advance: (ms: number) => (now += ms),
    issued: () => issued,
    failOnce: () => (failNext = true),
    holdIssuance: () => (hold = true),
    release: () => release?.(),
  };
}

describe('the SDK token source', () => {
  it('reuses a token while more than the refresh margin is left', async () => {
    const t = setUp();
    assert.equal((await t.source.current()).accessToken, 'token-1');
    t.advance(LIFE_MS - 61_000);
    assert.equal((await t.source.current()).accessToken, 'token-1');
    assert.equal(t.issued(), 1);
  });

  it('renews it before it expires, not after', async () => {
    const t = setUp();
    await t.source.current();
    t.advance(LIFE_MS - 59_000);
    assert.equal((await t.source.current()).accessToken, 'token-2');
  });

  it('caps the margin at half the token’s life', async () => {
    const t = setUp(400_000);
    await t.source.current();
    t.advance(LIFE_MS / 2 - 1);
    assert.equal((await t.source.current()).accessToken, 'token-1');
    t.advance(2);
    assert.equal((await t.source.current()).accessToken, 'token-2');
  });

  it('asks the token endpoint once for callers arriving together', async () => {
    const t = setUp();
    t.holdIssuance();
    const calls = [t.source.current(), t.source.current(), t.source.current()];
    await new Promise((resolve) => setImmediate(resolve));
    t.release();
    const tokens = await Promise.all(calls);
    assert.deepEqual(
      tokens.map((token) => token.accessToken),
      ['token-1', 'token-1', 'token-1'],
    );
    assert.equal(t.issued(), 1);
  });

  it('does not remember a failure, and obtains a new token after invalidate', async () => {
    const t = setUp();
    t.failOnce();
    await assert.rejects(t.source.current(), /token endpoint down/);
    assert.equal((await t.source.current()).accessToken, 'token-2');
    t.source.invalidate();
    assert.equal((await t.source.current()).accessToken, 'token-3');
  });
});
