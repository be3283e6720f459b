import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT, UnsecuredJWT, decodeProtectedHeader } from 'jose';
import type { GatewayKey } from '../../../src/crypto/index.js';
import {
  createPersonTokens,
  MFA_TOKEN_TYPE,
  SESSION_TOKEN_TYPE,
  type PersonTokens,
} from '../../../src/people/person-tokens.js';
import { createSigningKey } from './signing-key.js';

const ISSUER = 'https://gateway.test.example';
const START = new Date('2025-03-01T10:00:00.000Z');

describe('person tokens', () => {
  let key: GatewayKey;
  let now: Date;
  let tokens: PersonTokens;

  before(async () => {
    key = await createSigningKey();
  });

  beforeEach(() => {
    now = START;
    tokens = createPersonTokens({
      signingKey: key,
      issuer: ISSUER,
      clock: () => now,
      clockToleranceSeconds: 0,
    });
  });

  it('issues a 15-minute ES256 session token with sub, role and jti', async () => {
    const issued = await tokens.issueSessionToken('user-1', 'auditor');
    assert.equal(issued.expiresIn, 900);
    const header = decodeProtectedHeader(issued.token);
    assert.deepEqual(header, { alg: 'ES256', typ: SESSION_TOKEN_TYPE, kid: key.kid });
    const verified = await tokens.verifySessionToken(issued.token);
    assert.equal(verified.subject, 'user-1');
    assert.equal(verified.role, 'auditor');
    assert.equal(verified.tokenId, issued.tokenId);
    assert.equal(verified.expiresAt.getTime(), START.getTime() + 900_000);
  });

  it('issues a 5-minute mfa_token of its own type', async () => {
    const issued = await tokens.issueMfaToken('user-1');
    assert.equal(issued.expiresIn, 300);
    assert.equal(decodeProtectedHeader(issued.token).typ, MFA_TOKEN_TYPE);
    assert.equal((await tokens.verifyMfaToken(issued.token)).subject, 'user-1');
  });

  it('refuses an mfa_token as a session token, and the reverse', async () => {
    const mfa = await tokens.issueMfaToken('user-1');
    await assert.rejects(tokens.verifySessionToken(mfa.token));
    const session = await tokens.issueSessionToken('user-1', 'operator');
    await assert.rejects(tokens.verifyMfaToken(session.token));
  });

  it('refuses an expired session token', async () => {
    const issued = await tokens.issueSessionToken('user-1', 'operator');
    now = new Date(START.getTime() + 900_000);
    await assert.rejects(tokens.verifySessionToken(issued.token), /exp/);
  });

  it('refuses a token from another issuer', async () => {
    const other = createPersonTokens({
      signingKey: key,
      issuer: 'https://elsewhere.example',
      clock: () => now,
      clockToleranceSeconds: 0,
    });
    const issued = await other.issueSessionToken('user-1', 'operator');
    await assert.rejects(tokens.verifySessionToken(issued.token), /iss/);
  });

  it('refuses a token signed by another key, even one naming our kid', async () => {
    const strangerKey = await createSigningKey();
    const stranger = createPersonTokens({
      signingKey: strangerKey,
      issuer: ISSUER,
      clock: () => now,
      clockToleranceSeconds: 0,
    });
    const issued = await stranger.issueSessionToken('user-1', 'operator');
    await assert.rejects(
      tokens.verifySessionToken(issued.token),
      /no published gateway signing key/,
    );
    const impostor = createPersonTokens({
      signingKey: { ...strangerKey, kid: key.kid },
      issuer: ISSUER,
      clock: () => now,
      clockToleranceSeconds: 0,
    });
    const forged = await impostor.issueSessionToken('user-1', 'operator');
    await assert.rejects(tokens.verifySessionToken(forged.token), /signature/);
  });

  it('refuses an unsigned (alg none) token', async () => {
    const forged = new UnsecuredJWT({ role: 'operator', jti: 'x' })
      .setIssuer(ISSUER)
      .setSubject('user-1')
      .setIssuedAt(Math.floor(START.getTime() / 1000))
      .setExpirationTime(Math.floor(START.getTime() / 1000) + 60)
      .encode();
    await assert.rejects(tokens.verifySessionToken(forged));
  });

  it('refuses a token signed with another algorithm', async () => {
    const { privateKey } = await generateKeyPair('ES384');
    const seconds = Math.floor(START.getTime() / 1000);
    const forged = await new SignJWT({ role: 'operator' })
      .setProtectedHeader({ alg: 'ES384', typ: SESSION_TOKEN_TYPE })
      .setIssuer(ISSUER)
      .setSubject('user-1')
      .setJti('x')
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + 60)
      .sign(privateKey);
    await assert.rejects(tokens.verifySessionToken(forged), /alg/);
  });

  it('refuses a token whose exp lies beyond the session lifetime from its iat', async () => {
    const seconds = Math.floor(START.getTime() / 1000) - 3600;
    const longLived = await new SignJWT({ role: 'operator' })
      .setProtectedHeader({ alg: 'ES256', typ: SESSION_TOKEN_TYPE })
      .setIssuer(ISSUER)
      .setSubject('user-1')
      .setJti('x')
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + 86_400)
      .sign(key.privateKey);
    await assert.rejects(tokens.verifySessionToken(longLived));
  });

  it('refuses absurdly long input before parsing it', async () => {
    await assert.rejects(tokens.verifySessionToken('a'.repeat(5000)), /too long/);
  });
});
