import assert from 'node:assert/strict';
import { createAuthorizer, type PersonTokenVerifier } from '../../../src/auth/index.js';
import {
  GatewayError,
  isGatewayError,
  type AccessRequirement,
  type Authorizer,
  type PersonPrincipal,
} from '../../../src/kernel/index.js';
import { loadNetworkPolicy } from '../../../src/partners/index.js';
import {
  signAssertion,
  startAuthHarness,
  tokenForm,
  type AuthHarness,
  type TestClient,
} from './auth-harness.js';
import { postToken } from './expect-refusal.js';

/** The requirement of GET /fhir/Patient/$disclosures: an institution's Task.r or an auditor. */
const EITHER: AccessRequirement = {
  kind: 'any',
  of: [
    { kind: 'partner', scope: 'system/Task.r' },
    { kind: 'person', roles: ['auditor'] },
  ],
};

const people: Readonly<Record<string, PersonPrincipal['role']>> = {
  'Bearer auditor-session': 'auditor',
  'Bearer operator-session': 'operator',
};

/** Stands in for the people module: two session tokens, the real role check. */
const verifyPersonToken: PersonTokenVerifier = (authorization, requirement) => {
  const role = authorization === undefined ? undefined : people[authorization];
  if (role === undefined) {
    return Promise.reject(new GatewayError('ENLACE_PERSON_TOKEN_INVALID', 'not a session'));
  }
  if (!requirement.roles.includes(role)) {
    return Promise.reject(new GatewayError('ENLACE_ROLE_INSUFFICIENT', 'wrong role'));
  }
  return Promise.resolve({ kind: 'person', userId: 'u', username: role, role, tokenId: 't' });
};

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isGatewayError(error), String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('an access requirement met by any of its alternatives', () => {
  let harness: AuthHarness;
  let police: TestClient;
  let authorize: Authorizer;

  const issue = async (scope: string): Promise<string> => {
    const answer = await postToken(
      harness,
      tokenForm(await signAssertion(harness, police), { scope }),
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return `Bearer ${String(answer.body.access_token)}`;
  };

  before(async () => {
    harness = await startAuthHarness({ verifyPersonToken });
    police = await harness.registerClient('police-any');
    authorize = createAuthorizer({
      store: harness.store,
      keys: harness.keys,
      policy: await loadNetworkPolicy(),
      clock: harness.clock,
      publicUrl: harness.url,
      verifyPersonToken,
    });
  });
  after(() => harness.dispose());

  it('lets a partner with the scope through as a partner', async () => {
    const principal = await authorize(await issue('system/Task.rs'), EITHER);
    assert.ok(principal.kind === 'partner');
    assert.equal(principal.partnerId, 'police-any');
  });

  it('lets an auditor through as a person', async () => {
    const principal = await authorize('Bearer auditor-session', EITHER);
    assert.equal(principal.kind, 'person');
  });

  it('answers 403 for the scope a partner lacks, not the person alternative it never aimed at', async () => {
    const error = await refusal(authorize(await issue('system/Consent.rs'), EITHER));
    assert.equal(error.code, 'ENLACE_SCOPE_INSUFFICIENT');
    assert.equal(error.status, 403);
  });

  it('answers 403 for a person of another role', async () => {
    const error = await refusal(authorize('Bearer operator-session', EITHER));
    assert.equal(error.code, 'ENLACE_ROLE_INSUFFICIENT');
  });

  it('answers 401 with a challenge without a token, or with a token nobody issued', async () => {
    const missing = await refusal(authorize(undefined, EITHER));
    assert.equal(missing.status, 401);
    assert.equal(missing.headers['WWW-Authenticate'], 'Bearer realm="enlace"');
    const forged = await refusal(authorize('Bearer e30.e30.c2ln', EITHER));
    assert.equal(forged.status, 401);
  });

  it('stops at a fault instead of trying the next alternative', async () => {
    const broken = createAuthorizer({
      store: harness.store,
      keys: harness.keys,
      policy: await loadNetworkPolicy(),
      clock: harness.clock,
      publicUrl: harness.url,
      verifyPersonToken: () => Promise.reject(new Error('people store down')),
    });
    await assert.rejects(broken('Bearer auditor-session', EITHER), /people store down/);
  });
});
