// Shared builder of signed, encrypted referral messages between test partners, and a gateway to send them to.
import { randomUUID } from 'node:crypto';
import type {
  Bundle,
  BundleEntry,
  Consent,
  Resource,
  ServiceRequest,
  Task,
} from '@medplum/fhirtypes';
import type { Express } from 'express';
import {
  CompactEncrypt,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type KeyObject,
} from 'jose';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { createConsent, DATA_CLASS_SYSTEM, PURPOSE_SYSTEM } from '../../../src/consent/index.js';
import { signBundle, type GatewayKeys, type JoseSigner } from '../../../src/crypto/index.js';
import { submissionRoutes } from '../../../src/http/submission-routes.js';
import { GatewayError, type Authorizer, type PartnerPrincipal } from '../../../src/kernel/index.js';
import { ORGANIZATION_ROLE_SYSTEM, type PartnerRole } from '../../../src/partners/index.js';
import { insertClient } from '../../../src/partners/partner-repository.js';
import type { Route } from '../../../src/http/route.js';
import type { Store } from '../../../src/store/index.js';
import { createTestServices, type TestServices } from '../../support/test-app.js';

/** The fixtures' clock: inside the example consent's period (2025-03-10 … 2030-03-10). */
export const REFERRAL_T0 = '2025-03-12T12:00:00.000Z';
export const SURVIVOR_ID_SYSTEM = 'https://registro.example.org/fhir/NamingSystem/cedula';
export const MESSAGE_ID_SYSTEM = 'https://partner.example.org/fhir/NamingSystem/message-id';
/** Appears only inside the sealed message: a stored row containing it would be a leak. */
export const CONTACT_PHONE = '+598 99 123 456';

export interface TestPartner {
  readonly id: string;
  readonly role: PartnerRole;
  readonly clientId: string;
  /** Signs this partner's messages; its public half is registered as the client's JWKS. */
  readonly signer: JoseSigner;
  /** The partner's own encryption key pair (registered public half, `use: enc`). */
  readonly encryption: { readonly privateKey: CryptoKey | KeyObject; readonly publicJwk: JWK };
  readonly principal: PartnerPrincipal;
}

/** Registers a partner with a signing JWKS and an encryption key, straight in the store. */
export async function registerTestPartner(
  store: Store,
  id: string,
  role: PartnerRole,
  at = REFERRAL_T0,
): Promise<TestPartner> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const kid = `${id}-sig-1`;
  const signingJwk = { ...(await exportJWK(signing.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const encryption = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
  const encryptionJwk = {
    ...(await exportJWK(encryption.publicKey)),
    kid: `${id}-enc-1`,
    use: 'enc',
  };
  const clientId = `client-${id}`;
  await store.transaction(async (unit) => {
    await unit.db
      .insertInto('partner')
      .values({ id, name: id, role, status: 'active', created_at: at, updated_at: at, version: 1 })
      .execute();
    await insertClient(unit.db, {
      clientId,
      partnerId: id,
      allowedAlgorithms: ['ES256'],
      jwks: { keys: [signingJwk] },
      createdAt: at,
    });
    await unit.db
      .insertInto('partner_encryption_key')
      .values({
        partner_id: id,
        kid: encryptionJwk.kid,
        jwk: JSON.stringify(encryptionJwk),
        created_at: at,
      })
      .execute();
  });
  return {
    id,
    role,
    clientId,
    signer: { privateKey: signing.privateKey, alg: 'ES256', kid },
    encryption: { privateKey: encryption.privateKey, publicJwk: encryptionJwk },
    principal: {
      kind: 'partner',
      clientId,
      partnerId: id,
      role,
      scopes: ['system/Bundle.cr', 'system/Task.rus', 'system/Consent.crus'],
      tokenId: `token-${id}`,
    },
  };
}

export interface ReferralOptions {
  readonly sender: string;
  readonly recipient: string;
  /** Defaults to `shelter`. */
  readonly purpose?: string;
  /** The survivor's national id value; defaults to a fresh one (so no consent exists for her). */
  readonly survivorId?: string;
  /** Bundle.identifier value; defaults to a fresh UUID. */
  readonly messageId?: string;
}

const label = (code: string) => ({ system: DATA_CLASS_SYSTEM, code });
const profile = (name: string) => ({
  profile: [`https://enlace.example.org/fhir/StructureDefinition/${name}`],
});

/**
 * The shape of profiles/Bundle-referral-example.json with fresh identifiers: MessageHeader (purpose
 * in `reason`), Task, ServiceRequest, Patient (identifier only), RelatedPerson (contact-details),
 * RiskAssessment (risk-assessment). Unsigned: sign it with signReferral.
 */
export function buildReferralBundle(options: ReferralOptions): Bundle {
  const url = () => `urn:uuid:${randomUUID()}`;
  const [header, task, service, patient, contact, risk] = [
    url(),
    url(),
    url(),
    url(),
    url(),
    url(),
  ];
  const sender = `Organization/${options.sender}`;
  const receiver = `Organization/${options.recipient}`;
  const resources: [string, Resource][] = [
    [
      header,
      {
        resourceType: 'MessageHeader',
        id: header.slice('urn:uuid:'.length),
        meta: profile('VawMessageHeader'),
        eventCoding: {
          system: 'https://enlace.example.org/fhir/CodeSystem/message-event',
          code: 'referral-request',
        },
        destination: [
          {
            endpoint: `https://${options.recipient}.example.org/fhir`,
            receiver: { reference: receiver },
          },
        ],
        sender: { reference: sender },
        source: { endpoint: `https://${options.sender}.example.org/fhir` },
        reason: { coding: [{ system: PURPOSE_SYSTEM, code: options.purpose ?? 'shelter' }] },
        focus: [{ reference: task }],
      },
    ],
    [
      task,
      {
        resourceType: 'Task',
        meta: profile('VawReferralTask'),
        status: 'requested',
        businessStatus: {
          coding: [
            {
              system: 'https://enlace.example.org/fhir/CodeSystem/referral-status',
              code: 'requested',
            },
          ],
        },
        intent: 'order',
        priority: 'urgent',
        focus: { reference: service },
        for: { reference: patient },
        authoredOn: '2025-03-12T11:55:00Z',
        requester: { reference: sender },
        owner: { reference: receiver },
      },
    ],
    [
      service,
      {
        resourceType: 'ServiceRequest',
        meta: profile('VawServiceRequest'),
        status: 'active',
        intent: 'order',
        priority: 'urgent',
        code: {
          coding: [
            {
              system: 'https://enlace.example.org/fhir/CodeSystem/service-requested',
              code: 'shelter',
            },
          ],
        },
        subject: { reference: patient },
        authoredOn: '2025-03-12T11:55:00Z',
        requester: { reference: sender },
        performer: [{ reference: receiver }],
        reasonCode: [
          {
            coding: [
              {
                system: 'https://enlace.example.org/fhir/CodeSystem/form-of-violence',
                code: 'physical',
              },
            ],
          },
        ],
      } satisfies ServiceRequest,
    ],
    [
      patient,
      {
        resourceType: 'Patient',
        meta: profile('VawSurvivor'),
        identifier: [{ system: SURVIVOR_ID_SYSTEM, value: options.survivorId ?? randomUUID() }],
        gender: 'female',
        birthDate: '1991',
      },
    ],
    [
      contact,
      {
        resourceType: 'RelatedPerson',
        meta: { ...profile('VawSurvivorContact'), security: [label('contact-details')] },
        patient: { reference: patient },
        relationship: [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'ONESELF' },
            ],
          },
        ],
        name: [{ text: 'Ana' }],
        telecom: [{ system: 'phone', value: CONTACT_PHONE, use: 'mobile' }],
      },
    ],
    [
      risk,
      {
        resourceType: 'RiskAssessment',
        meta: { ...profile('VawRiskAssessment'), security: [label('risk-assessment')] },
        status: 'final',
        subject: { reference: patient },
        occurrenceDateTime: '2025-03-12T11:45:00Z',
        prediction: [
          {
            qualitativeRisk: {
              coding: [
                { system: 'https://enlace.example.org/fhir/CodeSystem/risk-level', code: 'high' },
              ],
            },
          },
        ],
      },
    ],
  ];
  return {
    resourceType: 'Bundle',
    meta: profile('VawReferralMessage'),
    identifier: { system: MESSAGE_ID_SYSTEM, value: options.messageId ?? randomUUID() },
    type: 'message',
    timestamp: '2025-03-12T11:59:00Z',
    entry: resources.map(([fullUrl, resource]): BundleEntry => ({ fullUrl, resource })),
  };
}

/** Signs as the partner (detached JWS over JCS, `who` = its Organization). */
export function signReferral(
  bundle: Bundle,
  partner: TestPartner,
  at = new Date(REFERRAL_T0),
): Promise<Bundle> {
  return signBundle(bundle, partner.signer, { reference: `Organization/${partner.id}` }, at);
}

/** The gateway's published P-256 encryption key, as a partner reads it from its JWKS. */
export function gatewayEncryptionJwk(keys: GatewayKeys): JWK {
  const key = keys.encryption.find((candidate) => candidate.publicJwk.crv === 'P-256');
  if (key === undefined) throw new Error('the gateway has no P-256 encryption key');
  return key.publicJwk;
}

/** A compact JWE (ECDH-ES+A256KW, A256GCM) of the JSON to `recipient` (default: the gateway's key). */
export async function encryptMessage(
  message: unknown,
  recipient: JWK,
  options: { readonly withKid?: boolean } = {},
): Promise<string> {
  const { importJWK } = await import('jose');
  const key = await importJWK(recipient, 'ECDH-ES+A256KW');
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(message)))
    .setProtectedHeader({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      cty: 'application/fhir+json',
      ...(options.withKid === false || recipient.kid === undefined ? {} : { kid: recipient.kid }),
    })
    .encrypt(key);
}

/** `Bearer <partner id>` is that partner; anything else is refused as an invalid token. */
export function partnerAuthorizer(partners: () => readonly TestPartner[]): Authorizer {
  return (authorization, requirement) => {
    const id = authorization?.replace(/^Bearer /, '');
    const partner = partners().find((candidate) => candidate.id === id);
    if (partner === undefined || requirement.kind !== 'partner') {
      return Promise.reject(
        new GatewayError('ENLACE_TOKEN_INVALID', 'no test principal', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        }),
      );
    }
    return Promise.resolve(partner.principal);
  };
}

/**
 * The shelter's referral-update message moving `task` to `status`, its Task stamped with the
 * version it was read at (as $process-message hands such a message on, signature already checked).
 */
export function taskUpdateMessage(task: Task, status: Task['status'], versionId: string): Bundle {
  const id = task.id ?? '';
  return {
    resourceType: 'Bundle',
    type: 'message',
    entry: [
      {
        fullUrl: 'urn:uuid:h',
        resource: {
          resourceType: 'MessageHeader',
          eventCoding: { code: 'referral-update' },
          source: { endpoint: 'https://casa-refugio.example.org' },
          focus: [{ reference: `Task/${id}` }],
        },
      },
      {
        fullUrl: `Task/${id}`,
        resource: {
          ...task,
          status,
          businessStatus: {
            coding: [
              {
                system: 'https://enlace.example.org/fhir/CodeSystem/referral-status',
                code: status,
              },
            ],
          },
          meta: { versionId },
        },
      },
    ],
  };
}

/** The example shelter consent (profiles/Consent-example-shelter-protection.json) for one survivor. */
export function shelterConsent(survivorId: string, recorder: string): Consent {
  const role = (code: string) => ({ coding: [{ system: ORGANIZATION_ROLE_SYSTEM, code }] });
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' },
      ],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { identifier: { system: SURVIVOR_ID_SYSTEM, value: survivorId } },
    dateTime: '2025-03-12T11:30:00Z',
    organization: [{ reference: `Organization/${recorder}` }],
    provision: {
      type: 'deny',
      period: { start: '2025-03-10', end: '2030-03-10' },
      provision: [
        {
          type: 'permit',
          actor: [{ role: role('shelter'), reference: { display: 'Any shelter' } }],
          purpose: [
            { system: PURPOSE_SYSTEM, code: 'shelter' },
            { system: PURPOSE_SYSTEM, code: 'protection' },
          ],
          class: [label('contact-details'), label('location'), label('risk-assessment')],
        },
      ],
    },
  };
}

export interface ReferralNetwork {
  readonly app: Express;
  readonly test: TestServices;
  readonly store: Store;
  readonly police: TestPartner;
  readonly shelter: TestPartner;
  readonly court: TestPartner;
  /** The gateway's P-256 encryption key as published. */
  readonly gatewayKey: JWK;
  /** Records the shelter consent for this survivor, as the police station would. */
  recordConsent(survivorId: string): Promise<void>;
  /** Builds, signs (as `from`) and encrypts to the gateway a referral; returns the JWE and the Bundle. */
  referral(
    from: TestPartner,
    to: TestPartner,
    options?: Partial<ReferralOptions>,
  ): Promise<{ readonly jwe: string; readonly bundle: Bundle }>;
  dispose(): Promise<void>;
}

/** A gateway with police (police-central), shelter (casa-refugio) and court (juzgado-familia) partners. */
export async function createReferralNetwork(
  options: {
    readonly env?: Readonly<Record<string, string>>;
    readonly routes?: (test: TestServices) => Route[];
    /**
     * `gateway`: the gateway's own authorizer (real access tokens, refusals audited) and every
     * route of the gateway; by default `Bearer <partner id>` stands in for a token.
     */
    readonly authorization?: 'stand-in' | 'gateway';
  } = {},
): Promise<ReferralNetwork> {
  let partners: TestPartner[] = [];
  const clock = () => new Date(REFERRAL_T0);
  const real = options.authorization === 'gateway';
  const test = await createTestServices({
    clock,
    ...(real ? {} : { authorize: partnerAuthorizer(() => partners) }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const services = real
    ? { ...test.services, authorize: test.capabilities.authorize }
    : test.services;
  try {
    const police = await registerTestPartner(test.store, 'police-central', 'police');
    const shelter = await registerTestPartner(test.store, 'casa-refugio', 'shelter');
    const court = await registerTestPartner(test.store, 'juzgado-familia', 'court');
    partners = [police, shelter, court];
    const routes = options.routes?.(test) ?? (real ? [] : submissionRoutes(test.services));
    const gatewayKey = gatewayEncryptionJwk(test.services.keys);
    return {
      app: createApp(services, { routes }),
      test,
      store: test.store,
      police,
      shelter,
      court,
      gatewayKey,
      recordConsent: async (survivorId) => {
        await createConsent(
          shelterConsent(survivorId, police.id),
          { principal: police.principal, requestId: 'fixture' },
          { store: test.store, clock, ...test.services.consent },
        );
      },
      referral: async (from, to, overrides = {}) => {
        const bundle = await signReferral(
          buildReferralBundle({ sender: from.id, recipient: to.id, ...overrides }),
          from,
        );
        return { jwe: await encryptMessage(bundle, gatewayKey), bundle };
      },
      dispose: () => test.dispose(),
    };
  } catch (error) {
    await test.dispose();
    throw error;
  }
}

/** Submits a signed, encrypted referral message as `bearer` and returns the id the gateway gave it. */
export async function submitReferral(
  app: Express,
  store: Store,
  message: { readonly jwe: string; readonly bundle: Bundle },
  bearer: string,
): Promise<string> {
  await request(app)
    .post('/fhir/$process-message')
    .set('Authorization', `Bearer ${bearer}`)
    .set('Content-Type', 'application/jose')
    .send(message.jwe)
    .expect(200);
  const row = await store.db
    .selectFrom('referral')
    .select('id')
    .where('message_key', '=', `${MESSAGE_ID_SYSTEM}|${message.bundle.identifier?.value ?? ''}`)
    .executeTakeFirstOrThrow();
  return row.id;
}
