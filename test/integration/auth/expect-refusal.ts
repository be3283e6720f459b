// Assertions for token endpoint refusals: status, OAuth error JSON, and the AuditEvent each refusal appends.
import assert from 'node:assert/strict';
import type { AuditEvent } from '@medplum/fhirtypes';
import request from 'supertest';
import type { AuthHarness } from './auth-harness.js';
import { tokenForm, TOKEN_PATH } from './auth-harness.js';

export interface Refusal {
  readonly status: number;
  readonly error: string;
  /** The ENLACE_* code the audit record's outcomeDesc starts with. */
  readonly code: string;
}

export const INVALID_CLIENT: Refusal = {
  status: 401,
  error: 'invalid_client',
  code: 'ENLACE_CLIENT_AUTH_FAILED',
};

export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly audit: AuditEvent[];
}

/** Posts a token request and returns the answer with the AuditEvents it appended. */
export async function postToken(
  harness: AuthHarness,
  form: Readonly<Record<string, string>>,
): Promise<TokenAnswer> {
  const before = await harness.auditCount();
  const res = await request(harness.url).post(TOKEN_PATH).type('form').send(form);
  return {
    status: res.status,
    body: res.body as Record<string, unknown>,
    headers: res.headers,
    audit: await harness.auditSince(before),
  };
}

/** Sends the assertion in an otherwise correct request and checks it is refused as expected. */
export async function expectAssertionRefused(
  harness: AuthHarness,
  assertion: string,
  refusal: Refusal = INVALID_CLIENT,
  reason?: RegExp,
): Promise<AuditEvent> {
  const answer = await postToken(harness, tokenForm(assertion));
  return expectRefusal(answer, refusal, reason, assertion);
}

export function expectRefusal(
  answer: TokenAnswer,
  refusal: Refusal,
  reason?: RegExp,
  secret?: string,
): AuditEvent {
  assert.equal(answer.status, refusal.status, `status (body: ${JSON.stringify(answer.body)})`);
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(answer.body.error, refusal.error);
  assert.equal(answer.body.access_token, undefined);
  assert.equal(answer.headers['cache-control'], 'no-store');
  if (refusal.error === 'invalid_client') {
    // Why: one description for every authentication failure, so no refusal is an oracle.
    assert.equal(answer.body.error_description, 'client authentication failed');
  }
  assert.equal(answer.audit.length, 1, 'one AuditEvent was appended');
  const [event] = answer.audit;
  assert.ok(event !== undefined);
  assert.equal(event.outcome, '4');
  assert.equal(event.type.code, '110114');
  assert.equal(event.subtype?.[0]?.code, 'ITI-71');
  assert.ok(event.outcomeDesc?.startsWith(`${refusal.code}:`), event.outcomeDesc);
  if (reason !== undefined) assert.match(event.outcomeDesc ?? '', reason);
  if (secret !== undefined) {
    assert.equal(JSON.stringify(event).includes(secret), false, 'the assertion is not audited');
  }
  return event;
}
