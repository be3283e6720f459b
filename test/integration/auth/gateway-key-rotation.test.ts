import assert from 'node:assert/strict';
import { chmod, readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { decodeProtectedHeader, SignJWT, type JWK } from 'jose';
import request from 'supertest';
import {
  createVerificationKeys,
  decryptInbound,
  encryptTo,
  MIN_ROTATION_LEAD_SECONDS,
  rotateGatewayKeys,
  startKeyRefresh,
  type GatewayKey,
  type PublishedKey,
} from '../../../src/crypto/index.js';
import { createPersonTokens } from '../../../src/people/person-tokens.js';
import {
  PROTECTED_PATH,
  signAssertion,
  startAuthHarness,
  tokenForm,
  type AuthHarness,
  type TestClient,
} from './auth-harness.js';
import { postToken } from './expect-refusal.js';

const LEAD = 3600;
const OVERLAP = 86_400;
const LIMITS = { maxCompactLength: 1024 * 1024, maxPlaintextBytes: 512 * 1024 };
const SIGNING_FILE = 'gateway-signing-es256.jwk.json';

describe('gateway key rotation: the next key is published before it is used', () => {
  let harness: AuthHarness;
  let police: TestClient;

  beforeEach(async () => {
    harness = await startAuthHarness();
    police = await harness.registerClient('police-1');
  });

  afterEach(async () => {
    await harness.dispose();
  });

  const jwks = async () => {
    const res = await request(harness.url).get('/.well-known/jwks.json');
    assert.equal(res.status, 200);
    return { keys: (res.body as { keys: JWK[] }).keys, etag: String(res.headers.etag) };
  };
  const kids = (keys: readonly JWK[], use: string) =>
    keys.filter((key) => key.use === use).map((key) => key.kid);
  const accessToken = async () => {
    const answer = await postToken(harness, tokenForm(await signAssertion(harness, police)));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return String(answer.body.access_token);
  };
  const callWith = (token: string) =>
    request(harness.url).get(PROTECTED_PATH).set('Authorization', `Bearer ${token}`);
  const rotate = (leadSeconds = LEAD, overlapSeconds = OVERLAP) =>
    rotateGatewayKeys(harness.dataDir, {
      uses: ['sig', 'enc'],
      now: harness.now(),
      leadSeconds,
      overlapSeconds,
    });
  const state = (kid: string): PublishedKey['state'] | undefined =>
    harness.keys.published.find((item) => item.key.kid === kid)?.state;

  it('publishes the next key at once, signs with it only after the lead, and keeps the old one for the overlap', async () => {
    const before = await jwks();
    const oldKid = harness.keys.signing.kid;
    const [rotatedSig] = await rotate();
    assert.ok(rotatedSig !== undefined);
    assert.equal(rotatedSig.previousKid, oldKid);
    assert.equal(await harness.keys.refresh(), true);

    // Published ahead: the JWKS changes (and so its ETag), signing does not.
    const during = await jwks();
    assert.notEqual(during.etag, before.etag);
    assert.deepEqual(kids(during.keys, 'sig'), [oldKid, rotatedSig.nextKid]);
    assert.equal(kids(during.keys, 'enc').length, 4, 'a next key for each curve');
    assert.equal(harness.keys.signing.kid, oldKid);
    assert.equal(state(rotatedSig.nextKid), 'next');
    const signedBefore = await accessToken();
    assert.equal(decodeProtectedHeader(signedBefore).kid, oldKid);

    // A second before the switch nothing changes; at the switch signing moves to the next key.
    harness.advance(LEAD - 1);
    assert.equal(await harness.keys.refresh(), false);
    assert.equal(harness.keys.signing.kid, oldKid);
    const signedJustBefore = await accessToken();
    harness.advance(1);
    assert.equal(await harness.keys.refresh(), true);
    assert.equal(harness.keys.signing.kid, rotatedSig.nextKid);
    assert.equal(state(oldKid), 'previous');
    const signedAfter = await accessToken();
    assert.equal(decodeProtectedHeader(signedAfter).kid, rotatedSig.nextKid);

    // Overlap: tokens the old key signed still work, and the old key is still published.
    assert.equal((await callWith(signedJustBefore)).status, 200);
    assert.equal((await callWith(signedAfter)).status, 200);
    assert.deepEqual(kids((await jwks()).keys, 'sig'), [rotatedSig.nextKid, oldKid]);

    // After the overlap the old key is gone from the JWKS and no longer accepted.
    harness.advance(OVERLAP);
    assert.equal(await harness.keys.refresh(), true);
    assert.deepEqual(kids((await jwks()).keys, 'sig'), [rotatedSig.nextKid]);
    assert.equal(state(oldKid), undefined);
    assert.equal((await callWith(await accessToken())).status, 200);
  });

  it('refuses, once it retired, a token the old key signed even while the token has not expired', async () => {
    const oldKey: GatewayKey = { ...harness.keys.signing };
    await rotate();
    harness.advance(LEAD + OVERLAP);
    await harness.keys.refresh();
    const forged = await signAccessTokenWith(oldKey, harness, police);
    const refused = await callWith(forged);
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers['www-authenticate']), /invalid_token/);
  });

  it('verifies person sessions signed by the previous key through the overlap', async () => {
    const tokens = createPersonTokens({
      signingKey: harness.keys.signing,
      verificationKeys: createVerificationKeys(harness.keys),
      issuer: harness.url,
      clock: harness.clock,
      clockToleranceSeconds: 0,
    });
    await rotate();
    harness.advance(LEAD - 60);
    await harness.keys.refresh();
    const session = await tokens.issueSessionToken('person-1', 'operator');
    harness.advance(120);
    await harness.keys.refresh();
    const after = await tokens.issueSessionToken('person-1', 'operator');
    assert.notEqual(
      decodeProtectedHeader(session.token).kid,
      decodeProtectedHeader(after.token).kid,
    );
    assert.equal((await tokens.verifySessionToken(session.token)).subject, 'person-1');
    assert.equal((await tokens.verifySessionToken(after.token)).subject, 'person-1');
  });

  it('decrypts messages to the next and to the previous encryption key by kid, and kid-less ones with the key in use', async () => {
    const [first] = harness.keys.encryption;
    assert.ok(first !== undefined);
    await rotate();
    await harness.keys.refresh();
    const next = harness.keys.published.find(
      (item) =>
        item.state === 'next' &&
        item.key.use === 'enc' &&
        item.key.publicJwk.crv === first.publicJwk.crv,
    );
    assert.ok(next !== undefined);
    const toNext = await encryptTo(next.key.publicJwk, '{"resourceType":"Bundle"}');
    assert.equal(decodeProtectedHeader(toNext).kid, next.key.kid);
    const opened = await decryptInbound(toNext, harness.keys, LIMITS);
    assert.equal(opened.header.kid, next.key.kid);

    harness.advance(LEAD);
    await harness.keys.refresh();
    const toPrevious = await encryptTo(first.publicJwk, '{"resourceType":"Bundle"}');
    assert.equal((await decryptInbound(toPrevious, harness.keys, LIMITS)).header.kid, first.kid);
    const withoutKid: JWK = { ...next.key.publicJwk };
    delete withoutKid.kid;
    const kidless = await encryptTo(withoutKid, '{"resourceType":"Bundle"}');
    assert.equal((await decryptInbound(kidless, harness.keys, LIMITS)).header.kid, next.key.kid);
  });

  it('refuses a second rotation while one is under way, and a lead shorter than a JWKS cache', async () => {
    await rotate();
    await assert.rejects(rotate(), /rotation under way/);
    harness.advance(LEAD);
    await assert.rejects(rotate(MIN_ROTATION_LEAD_SECONDS - 1), /lead must be .* at least 360/);
    await assert.rejects(rotate(LEAD, 60), /overlap must be .* at least 1800/);
  });

  it('reaches a running gateway through its refresh timer, which keeps the keys in force when a file goes wrong', async () => {
    const errors: unknown[] = [];
    const stop = startKeyRefresh(harness.keys, 10, (err) => errors.push(err));
    try {
      const revision = harness.keys.revision;
      const [rotated] = await rotate();
      // Bounded wait for the timer, not a measure of time: the assertion is on what it applied.
      for (let tries = 0; tries < 500 && harness.keys.revision === revision; tries += 1) {
        await sleep(10);
      }
      assert.equal(state(String(rotated?.nextKid)), 'next');
      const kid = harness.keys.signing.kid;
      await chmod(join(harness.dataDir, 'keys', SIGNING_FILE), 0o644);
      for (let tries = 0; tries < 500 && errors.length === 0; tries += 1) await sleep(10);
      assert.match(String(errors[0]), /readable by group or others/);
      assert.equal(harness.keys.signing.kid, kid, 'the keys in force stay');
      assert.equal((await callWith(await accessToken())).status, 200);
    } finally {
      stop();
      await chmod(join(harness.dataDir, 'keys', SIGNING_FILE), 0o600);
    }
  });

  it('rewrites the key file owner-only, and drops a retired private key from it at the next rotation', async () => {
    const path = join(harness.dataDir, 'keys', SIGNING_FILE);
    const original = JSON.parse(await readFile(path, 'utf8')) as JWK;
    await rotate();
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const ring = JSON.parse(await readFile(path, 'utf8')) as {
      keyring: { jwk: JWK; activatesAt?: string; retiresAt?: string }[];
    };
    assert.equal(ring.keyring.length, 2);
    assert.equal(ring.keyring[0]?.jwk.d, original.d);
    assert.equal(
      ring.keyring[0]?.retiresAt,
      new Date(harness.now().getTime() + (LEAD + OVERLAP) * 1000).toISOString(),
    );
    assert.equal(
      ring.keyring[1]?.activatesAt,
      new Date(harness.now().getTime() + LEAD * 1000).toISOString(),
    );

    harness.advance(LEAD + OVERLAP);
    await rotate();
    const text = await readFile(path, 'utf8');
    assert.equal(text.includes(String(original.d)), false, 'the retired private key left the disk');
    assert.equal((JSON.parse(text) as { keyring: unknown[] }).keyring.length, 2);
  });
});

/** An access token as the gateway would sign it, but with a key of our choosing. */
function signAccessTokenWith(
  key: GatewayKey,
  harness: AuthHarness,
  client: TestClient,
): Promise<string> {
  const now = Math.floor(harness.now().getTime() / 1000);
  return new SignJWT({
    client_id: client.clientId,
    organization: `Organization/${client.partnerId}`,
    role: 'police',
    scope: 'system/Task.rs',
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid })
    .setIssuer(harness.url)
    .setAudience(`${harness.url}/fhir`)
    .setSubject(client.clientId)
    .setJti(`forged-${String(now)}`)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(key.privateKey);
}
