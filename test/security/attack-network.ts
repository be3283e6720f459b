// A referral network behind the gateway's real authorizer on one engine: tokens, referrals and the audit trail, as an attacker meets them.
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import { SignJWT } from 'jose';
import request from 'supertest';
import { TOKEN_PATH } from '../../src/auth/index.js';
import {
  createReferralNetwork,
  REFERRAL_T0,
  type ReferralNetwork,
  type TestPartner,
  submitReferral,
} from '../integration/referrals/referral-fixtures.js';
import type { TestEngine } from '../support/test-database.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const SCOPES =
  'system/Organization.rs system/Endpoint.rs system/Bundle.cr system/Task.rus system/Consent.crus';

export interface AttackNetwork extends ReferralNetwork {
  /** The token endpoint's URL as the gateway names it: the `aud` of a client assertion. */
  readonly tokenEndpoint: string;
  /** A client assertion signed with the partner's registered key; claims may be overridden. */
  assertion(partner: TestPartner, claims?: Readonly<Record<string, unknown>>): Promise<string>;
  /** A real access token for the partner, from the token endpoint. */
  token(partner: TestPartner): Promise<string>;
  /** Records her consent, submits a referral from one partner to another, returns its Task id. */
  submitReferral(from: TestPartner, to: TestPartner): Promise<string>;
  auditCount(): Promise<number>;
  auditSince(count: number): Promise<AuditEvent[]>;
}

export async function startAttackNetwork(
  engine: TestEngine,
  env: Readonly<Record<string, string>> = {},
): Promise<AttackNetwork> {
  const database = await engine.create();
  let network: ReferralNetwork;
  try {
    network = await createReferralNetwork({
      authorization: 'gateway',
      env: { ...database.env, ...env },
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const tokenEndpoint = network.test.services.tokens.endpoints.tokenEndpoint;
  const assertion = (partner: TestPartner, claims: Readonly<Record<string, unknown>> = {}) => {
    const now = Math.floor(Date.parse(REFERRAL_T0) / 1000);
    return new SignJWT({
      iss: partner.clientId,
      sub: partner.clientId,
      aud: tokenEndpoint,
      jti: randomUUID(),
      iat: now,
      exp: now + 240,
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid: partner.signer.kid ?? '' })
      .sign(partner.signer.privateKey);
  };
  const token = async (partner: TestPartner): Promise<string> => {
    const res = await request(network.app)
      .post(TOKEN_PATH)
      .type('form')
      .send({
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion(partner),
        scope: SCOPES,
      })
      .expect(200);
    return (res.body as { access_token: string }).access_token;
  };
  return {
    ...network,
    tokenEndpoint,
    assertion,
    token,
    async submitReferral(from, to) {
      const survivorId = `s-${randomUUID()}`;
      await network.recordConsent(survivorId);
      const { jwe, bundle } = await network.referral(from, to, { survivorId });
      const id = await submitReferral(
        network.app,
        network.store,
        { jwe, bundle },
        await token(from),
      );
      return id;
    },
    auditCount: () => network.store.audit.count(),
    auditSince: async (count) =>
      (await network.store.audit.list({ afterSeq: count })).map((record) => record.event),
    dispose: async () => {
      try {
        await network.dispose();
      } finally {
        await database.drop();
      }
    },
  };
}
