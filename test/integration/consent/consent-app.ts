// A test gateway with consent routes: partner principals by bearer string, real engine and pseudonyms, a movable clock.
import type { Consent } from '@medplum/fhirtypes';
import type { Express } from 'express';
import { createApp } from '../../../src/app.js';
import { findActiveGrant } from '../../../src/consent/emergency/index.js';
import { decide } from '../../../src/consent/engine/decide.js';
import { createPseudonymizer } from '../../../src/consent/pseudonym/create-pseudonymizer.js';
import type { ConsentContext, ConsentDeps } from '../../../src/consent/records/index.js';
import { DATA_CLASS_SYSTEM, PURPOSE_SYSTEM } from '../../../src/consent/types.js';
import { createPayloadVault } from '../../../src/crypto/index.js';
import { consentRoutes } from '../../../src/http/consent-routes.js';
import { GatewayError, type Authorizer, type PartnerPrincipal } from '../../../src/kernel/index.js';
import { ORGANIZATION_ROLE_SYSTEM } from '../../../src/partners/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTestServices, type TestServices } from '../../support/test-app.js';

export const NATIONAL_ID_SYSTEM = 'https://registro.example.gov/cedula';
export const NATIONAL_ID = '1-2345-6789';
export const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';

export const partners = [
  ['police-central', 'police'],
  ['casa-refugio', 'shelter'],
  ['casa-luz', 'shelter'],
  ['fiscalia-norte', 'prosecution'],
  ['hospital-sur', 'health'],
] as const;
export type TestPartner = (typeof partners)[number][0];

export const principalOf = (partnerId: TestPartner): PartnerPrincipal => ({
  kind: 'partner',
  clientId: `client-${partnerId}`,
  partnerId,
  role: partners.find(([id]) => id === partnerId)?.[1] ?? 'ngo',
  scopes: ['system/Consent.crus'],
  tokenId: `token-${partnerId}`,
});

/** `Bearer <partner id>` is that partner, with every consent scope; anything else is refused. */
const byPartnerId: Authorizer = (authorization, requirement) => {
  const partnerId = authorization?.replace(/^Bearer /, '');
  const known = partners.find(([id]) => id === partnerId);
  if (known === undefined || requirement.kind !== 'partner') {
    return Promise.reject(
      new GatewayError('ENLACE_TOKEN_INVALID', 'no test principal', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      }),
    );
  }
  return Promise.resolve(principalOf(known[0]));
};

export const testPseudonymizer = createPseudonymizer({
  current: 'k2',
  keys: { k1: new Uint8Array(32).fill(1), k2: new Uint8Array(32).fill(2) },
});

/** Seals the test consents at rest, as the gateway's own vault does. */
export const testVault = await createPayloadVault({
  current: 'test-kek',
  keks: [{ id: 'test-kek', key: new Uint8Array(32).fill(7) }],
});

export const consentDeps: ConsentDeps = {
  pseudonymizer: testPseudonymizer,
  vault: testVault,
  decide,
  emergencyGrants: findActiveGrant,
  defaultDecision: 'no-consent',
};

export interface ConsentApp {
  readonly app: Express;
  readonly test: TestServices;
  readonly store: Store;
  readonly context: ConsentContext;
  /** Moves the gateway's clock. */
  setNow(at: string): void;
  dispose(): Promise<void>;
}

export const T0 = '2025-03-01T10:00:00.000Z';

export async function registerTestPartners(store: Store): Promise<void> {
  for (const [id, role] of partners) {
    await store.db
      .insertInto('partner')
      .values({
        id,
        name: id,
        role,
        status: 'active',
        created_at: T0,
        updated_at: T0,
        version: 1,
      })
      .execute();
  }
}

export async function createConsentApp(deps: ConsentDeps = consentDeps): Promise<ConsentApp> {
  let now = new Date(T0);
  const clock = () => new Date(now);
  const test = await createTestServices({ authorize: byPartnerId, clock });
  await registerTestPartners(test.store);
  const routes = consentRoutes({ ...test.services, consent: deps });
  return {
    app: createApp(test.services, { routes }),
    test,
    store: test.store,
    context: { store: test.store, clock, ...deps },
    setNow: (at) => {
      now = new Date(at);
    },
    dispose: () => test.dispose(),
  };
}

/** A VawConsent police records: shelters may receive contact details and location for protection. */
export function consentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE, code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { identifier: { system: NATIONAL_ID_SYSTEM, value: NATIONAL_ID } },
    dateTime: '2025-03-01T09:30:00Z',
    provision: {
      type: 'deny',
      provision: [
        {
          type: 'permit',
          actor: [
            {
              role: { coding: [{ system: ORGANIZATION_ROLE_SYSTEM, code: 'shelter' }] },
              reference: { reference: 'Organization/casa-refugio' },
            },
          ],
          purpose: [{ system: PURPOSE_SYSTEM, code: 'protection' }],
          class: [
            { system: DATA_CLASS_SYSTEM, code: 'contact-details' },
            { system: DATA_CLASS_SYSTEM, code: 'location' },
          ],
          period: { start: '2025-03-01', end: '2026-03-01' },
        },
      ],
    },
    ...overrides,
  };
}

export const revocationPatch = (reason = 'She withdrew consent in person.') => [
  { op: 'replace', path: '/status', value: 'inactive' },
  {
    op: 'add',
    path: '/extension/-',
    value: {
      url: 'https://enlace.example.org/fhir/StructureDefinition/revocation-reason',
      valueString: reason,
    },
  },
];

export type ConsentResource = Consent;
