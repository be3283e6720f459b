import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  DEFAULT_EMERGENCY_POLICY,
  DEFAULT_POLICY_PATH,
  loadNetworkPolicy,
  ORGANIZATION_ROLE_SYSTEM,
  partnerRoles,
  roleDisplay,
  toNetworkPolicy,
  type PartnerRole,
} from '../../../src/partners/index.js';

const shipped = async (): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(DEFAULT_POLICY_PATH, 'utf8')) as Record<string, unknown>;

describe('network policy', () => {
  it('loads the shipped policy and gives every role a scope ceiling', async () => {
    const policy = await loadNetworkPolicy();
    for (const role of partnerRoles) {
      assert.ok(policy.scopesFor(role).includes('system/Organization.rs'), role);
    }
    assert.deepEqual(policy.scopesFor('police').includes('system/AuditEvent.rs'), false);
  });

  it('allows police to refer to a shelter and not to a court', async () => {
    const policy = await loadNetworkPolicy();
    assert.equal(policy.allowsRoute('referral-request', 'police', 'shelter'), true);
    assert.equal(policy.allowsRoute('referral-request', 'police', 'court'), false);
  });

  it('lets any party send updates and acknowledgements through the wildcard rule', async () => {
    const policy = await loadNetworkPolicy();
    assert.equal(policy.allowsRoute('referral-update', 'shelter', 'police'), true);
    assert.equal(policy.allowsRoute('acknowledgement', 'court', 'ngo'), true);
  });

  it('refuses an event the policy does not name', () => {
    const policy = toNetworkPolicy({
      roles: Object.fromEntries(partnerRoles.map((role) => [role, { scopes: [] }])),
      routes: {},
    });
    assert.equal(policy.allowsRoute('referral-request', 'police', 'shelter'), false);
  });

  it('rejects an unknown role in a route with the path of the problem', async () => {
    const document = await shipped();
    const routes = document.routes as Record<string, Record<string, string[]>>;
    routes['referral-request'] = { police: ['pirates'] };
    assert.throws(
      () => toNetworkPolicy(document, 'test policy'),
      /test policy is invalid: .*referral-request/,
    );
  });

  it('rejects a malformed scope ceiling', async () => {
    const document = await shipped();
    const roles = document.roles as Record<string, { scopes: string[] }>;
    roles.police = { scopes: ['user/Patient.read'] };
    assert.throws(() => toNetworkPolicy(document), /\/roles\/police\/scopes\/0/);
  });

  it('rejects a policy missing a role', async () => {
    const document = await shipped();
    delete (document.roles as Record<string, unknown>).shelter;
    assert.throws(() => toNetworkPolicy(document), /shelter/);
  });

  it('ships a break-the-glass policy for police and health, 24 hours at most', async () => {
    const policy = await loadNetworkPolicy();
    assert.deepEqual(policy.emergency, {
      roles: ['police', 'health'],
      maxHours: 24,
      maxActivePerOrganization: 10,
    });
  });

  it('falls back to the default break-the-glass policy when the document has none', async () => {
    const document = await shipped();
    delete document.emergency;
    assert.deepEqual(toNetworkPolicy(document).emergency, DEFAULT_EMERGENCY_POLICY);
  });

  it('rejects an unknown role and an unbounded duration in the break-the-glass policy', async () => {
    const document = await shipped();
    document.emergency = { roles: ['police', 'pirates'] };
    assert.throws(() => toNetworkPolicy(document), /\/emergency\/roles\/1/);
    document.emergency = { maxHours: 1000 };
    assert.throws(() => toNetworkPolicy(document), /\/emergency\/maxHours/);
  });

  it('rejects an unknown message event', async () => {
    const document = await shipped();
    (document.routes as Record<string, unknown>)['gossip'] = { '*': ['*'] };
    assert.throws(() => toNetworkPolicy(document), /must NOT have additional properties/);
  });
});

describe('the organization-role CodeSystem in profiles/', () => {
  it('lists exactly the roles the gateway knows, with the same displays', async () => {
    const codeSystem = JSON.parse(
      await readFile(
        new URL('../../../profiles/CodeSystem-organization-role.json', import.meta.url),
        'utf8',
      ),
    ) as { url: string; concept: { code: string; display: string }[] };
    assert.equal(codeSystem.url, ORGANIZATION_ROLE_SYSTEM);
    assert.deepEqual(
      codeSystem.concept.map((concept) => concept.code),
      [...partnerRoles],
    );
    for (const concept of codeSystem.concept) {
      assert.equal(concept.display, roleDisplay[concept.code as PartnerRole]);
    }
  });
});
