// One survivor's story through a real gateway: consent, a referral to a shelter, a consent read, and break-the-glass by health.
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { authorizeAny } from '../../../src/auth/authorize-any.js';
import { scopesCover } from '../../../src/auth/index.js';
import {
  GatewayError,
  type Authorizer,
  type PersonPrincipal,
  type Principal,
} from '../../../src/kernel/index.js';
import {
  createReferralNetwork,
  REFERRAL_T0,
  registerTestPartner,
  SURVIVOR_ID_SYSTEM,
  type ReferralNetwork,
  type TestPartner,
  submitReferral,
} from '../referrals/referral-fixtures.js';

/** Her national id, as the police station types it; it must never appear in what the gateway gives out. */
export const NATIONAL_ID = '4.567.890-1';
export const IDENTIFIER = `${SURVIVOR_ID_SYSTEM}|${NATIONAL_ID}`;
export const UNKNOWN_IDENTIFIER = `${SURVIVOR_ID_SYSTEM}|9.999.999-9`;
export const DISCLOSURES = '/fhir/Patient/$disclosures';
export const JUSTIFICATION =
  'She arrived unconscious at the emergency ward after an assault; consent cannot be asked now.';
const JOSE = 'application/jose';
const MINUTE = 60_000;

const person = (username: string, role: PersonPrincipal['role']): PersonPrincipal => ({
  kind: 'person',
  userId: `u-${username}`,
  username,
  role,
  tokenId: `session-${username}`,
});

export interface DisclosureStory {
  readonly network: ReferralNetwork;
  readonly app: Express;
  readonly health: TestPartner;
  readonly consentId: string;
  /** Police → shelter, released under her consent. */
  readonly toShelter: string;
  /** Police → health, released under the break-the-glass grant. */
  readonly toHealth: string;
  readonly grantId: string;
  /** Her pseudonym under the current key. */
  readonly pseudonym: string;
  ask(token: string, query: string, accept?: string): request.Test;
  dispose(): Promise<void>;
}

/**
 * `Bearer auditor` and `Bearer operator` are people; `Bearer <partner id>` is that partner. Person
 * and partner requirements are applied as the gateway's authorizer applies them, unions included.
 */
function storyAuthorizer(partners: () => readonly TestPartner[]): Authorizer {
  const people: Readonly<Record<string, PersonPrincipal>> = {
    auditor: person('marta', 'auditor'),
    operator: person('ana', 'operator'),
  };
  const authorize: Authorizer = async (authorization, requirement) => {
    if (requirement.kind === 'any') {
      return authorizeAny(requirement.of, (alternative) => authorize(authorization, alternative));
    }
    const name = authorization?.replace(/^Bearer /, '') ?? '';
    const found: Principal | undefined = Object.hasOwn(people, name)
      ? people[name]
      : partners().find((partner) => partner.id === name)?.principal;
    if (found === undefined || found.kind !== requirement.kind) {
      throw new GatewayError('ENLACE_TOKEN_INVALID', 'The access token is invalid or expired.');
    }
    if (requirement.kind === 'person' && found.kind === 'person') {
      if (!requirement.roles.includes(found.role)) {
        throw new GatewayError('ENLACE_ROLE_INSUFFICIENT', 'Wrong role.');
      }
    }
    if (requirement.kind === 'partner' && found.kind === 'partner') {
      if (!scopesCover(found.scopes, requirement.scope)) {
        throw new GatewayError('ENLACE_SCOPE_INSUFFICIENT', 'Scope missing.');
      }
    }
    return Promise.resolve(found);
  };
  return authorize;
}

async function submit(
  story: { network: ReferralNetwork; app: Express },
  to: TestPartner,
  purpose: string,
) {
  const { network, app } = story;
  const { jwe, bundle } = await network.referral(network.police, to, {
    survivorId: NATIONAL_ID,
    purpose,
  });
  const id = await submitReferral(app, network.store, { jwe, bundle }, network.police.id);
  return id;
}

/** Builds the story on a fresh database of the engine whose variables are given. */
export async function tellStory(env: Readonly<Record<string, string>>): Promise<DisclosureStory> {
  const network = await createReferralNetwork({ env });
  try {
    const health = await registerTestPartner(network.store, 'hospital-norte', 'health');
    const partners = [network.police, network.shelter, network.court, health];
    let now = Date.parse(REFERRAL_T0);
    const clock = () => new Date(now);
    const step = () => {
      now += MINUTE;
    };
    const app = createApp({
      ...network.test.services,
      clock,
      authorize: storyAuthorizer(() => partners),
    });
    const as = (token: string) => `Bearer ${token}`;

    // 1. Police records her consent: shelters may receive contact, location and risk for shelter.
    await network.recordConsent(NATIONAL_ID);
    const consent = await network.store.db
      .selectFrom('consent')
      .select(['id', 'pseudonym'])
      .executeTakeFirstOrThrow();
    step();
    // 2. Police refers her to the shelter; 3. the shelter retrieves it (under her consent).
    const toShelter = await submit({ network, app }, network.shelter, 'shelter');
    step();
    await request(app)
      .get(`/fhir/Bundle/${toShelter}`)
      .set('Authorization', as(network.shelter.id))
      .set('Accept', JOSE)
      .expect(200);
    step();
    // 4. The shelter reads her consent.
    await request(app)
      .get(`/fhir/Consent/${consent.id}`)
      .set('Authorization', as(network.shelter.id))
      .expect(200);
    step();
    // 5. Health breaks the glass; 6. police refers her to health; 7. health retrieves it.
    const grant = await request(app)
      .post('/fhir/Consent/$emergency-access')
      .set('Authorization', as(health.id))
      .set('Content-Type', 'application/fhir+json')
      .send(
        JSON.stringify({
          resourceType: 'Parameters',
          parameter: [
            {
              name: 'patient',
              valueIdentifier: { system: SURVIVOR_ID_SYSTEM, value: NATIONAL_ID },
            },
            {
              name: 'purpose',
              valueCoding: {
                system: 'https://enlace.example.org/fhir/CodeSystem/consent-purpose',
                code: 'emergency',
              },
            },
            { name: 'justification', valueString: JUSTIFICATION },
          ],
        }),
      )
      .expect(201);
    const grantParameter = (
      grant.body as { parameter: { name: string; valueId?: string }[] }
    ).parameter.find((parameter) => parameter.name === 'grant');
    assert.ok(grantParameter?.valueId !== undefined);
    step();
    const toHealth = await submit({ network, app }, health, 'healthcare');
    step();
    await request(app)
      .get(`/fhir/Bundle/${toHealth}`)
      .set('Authorization', as(health.id))
      .set('Accept', JOSE)
      .expect(200);
    step();
    // 8. Police follows its referral to the shelter.
    await request(app)
      .get(`/fhir/Task/${toShelter}`)
      .set('Authorization', as(network.police.id))
      .expect(200);
    step();
    return {
      network,
      app,
      health,
      consentId: consent.id,
      toShelter,
      toHealth,
      grantId: grantParameter.valueId,
      pseudonym: consent.pseudonym,
      ask: (token, query, accept = 'application/fhir+json') =>
        request(app)
          .get(`${DISCLOSURES}?${query}`)
          .set('Authorization', as(token))
          .set('Accept', accept),
      dispose: () => network.dispose(),
    };
  } catch (error) {
    await network.dispose();
    throw error;
  }
}
