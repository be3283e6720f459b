// Assertions shared by the people stories: sign-in requests, their refusals and their AuditEvents.
import assert from 'node:assert/strict';
import type { AuditEvent } from '@medplum/fhirtypes';
import request from 'supertest';
import { USERNAME_SYSTEM } from '../../../src/people/index.js';
import { assertOutcome, type ReceivedResponse } from '../../support/outcome.js';

export const SIGN_IN_FAILED_TEXT = 'Sign-in failed: the username, password or code is not correct.';

export const postLogin = (url: string, username: string, password: string) =>
  request(url)
    .post('/auth/login')
    .set('Content-Type', 'application/json')
    .send({ username, password });

export const postTotp = (url: string, mfaToken: string, code: string) =>
  request(url)
    .post('/auth/totp')
    .set('Content-Type', 'application/json')
    .send({ mfa_token: mfaToken, code });

/** Asserts the uniform 401 of a failed step and returns the message the client saw. */
export function assertSignInFailed(res: ReceivedResponse): string {
  const outcome = assertOutcome(res, {
    status: 401,
    issue: 'login',
    code: 'ENLACE_SIGN_IN_FAILED',
  });
  return outcome.issue[0]?.details?.text ?? '';
}

/** Asserts the 423 lockout with its Retry-After and returns the message. */
export function assertLocked(res: ReceivedResponse, retryAfterSeconds: number): string {
  const outcome = assertOutcome(res, {
    status: 423,
    issue: 'lock-error',
    code: 'ENLACE_SIGN_IN_LOCKED',
  });
  assert.equal(res.headers['retry-after'], String(retryAfterSeconds));
  return outcome.issue[0]?.details?.text ?? '';
}

export interface ExpectedSignInAudit {
  readonly username: string;
  readonly outcome: '0' | '4';
  /** A fragment of outcomeDesc, for failures. */
  readonly detail?: string;
}

/** Asserts a DCM 110114 User Authentication / 110122 Login event naming the person by username. */
export function assertSignInAudit(
  event: AuditEvent | undefined,
  expected: ExpectedSignInAudit,
): void {
  assert.ok(event !== undefined, 'an AuditEvent was written');
  assert.equal(event.type.system, 'http://dicom.nema.org/resources/ontology/DCM');
  assert.equal(event.type.code, '110114');
  assert.equal(event.subtype?.[0]?.code, '110122');
  assert.equal(event.outcome, expected.outcome);
  assert.deepEqual(event.agent[0]?.who?.identifier, {
    system: USERNAME_SYSTEM,
    value: expected.username,
  });
  assert.equal(event.agent[0].requestor, true);
  if (expected.detail !== undefined) {
    assert.ok(
      event.outcomeDesc?.includes(expected.detail),
      `outcomeDesc "${event.outcomeDesc ?? ''}" mentions "${expected.detail}"`,
    );
  }
}

/** Asserts a DCM 110113 Security Alert / 110137 account change naming the account. */
export function assertAccountChangeAudit(
  event: AuditEvent | undefined,
  username: string,
  detail: string,
): void {
  assert.ok(event !== undefined, 'an AuditEvent was written');
  assert.equal(event.type.code, '110113');
  assert.equal(event.subtype?.[0]?.code, '110137');
  assert.deepEqual(event.entity?.[0]?.what?.identifier, {
    system: USERNAME_SYSTEM,
    value: username,
  });
  assert.ok(event.outcomeDesc?.includes(detail), `outcomeDesc mentions "${detail}"`);
}

/** Asserts no secret the person typed reached the audit trail. */
export function assertNoSecrets(events: readonly AuditEvent[], secrets: readonly string[]): void {
  const text = JSON.stringify(events);
  for (const secret of secrets) assert.ok(!text.includes(secret), 'a secret reached the audit log');
}
