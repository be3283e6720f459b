// A referral network with signed-in auditor and operator sessions, and AuditEvents seeded through the ledger.
import type { AuditEvent } from '@medplum/fhirtypes';
import { TOTP, URI } from 'otpauth';
import request from 'supertest';
import {
  auditSubtype,
  auditType,
  buildAuditEvent,
  CLIENT_ID_SYSTEM,
  REQUEST_ID_SYSTEM,
} from '../../../src/audit/index.js';
import { PSEUDONYM_SYSTEM } from '../../../src/kernel/index.js';
import { startAttackNetwork, type AttackNetwork } from '../../security/attack-network.js';
import type { TestEngine } from '../../support/test-database.js';
import { REFERRAL_T0, SURVIVOR_ID_SYSTEM } from '../referrals/referral-fixtures.js';

export const SEEDED = 30;

export interface AuditorNetwork extends AttackNetwork {
  /** Session tokens: two auditors and an operator. */
  readonly marta: string;
  readonly lucia: string;
  readonly ana: string;
  /** The events appended directly, in ledger order: one an hour from 2024-01-01T00:00Z. */
  readonly seeded: readonly AuditEvent[];
  /** Records her consent and submits a referral about her (police → shelter), as the partners would. */
  referSurvivor(survivorId: string): Promise<void>;
  search(query: string, token?: string): request.Test;
  read(id: string, token?: string): request.Test;
}

const TYPES = [auditType.rest, auditType.userAuthentication, auditType.securityAlert];
const SUBTYPES = [auditSubtype.read, auditSubtype.search, auditSubtype.patch, auditSubtype.create];
const ACTIONS = ['R', 'E', 'U', 'C', 'D'] as const;
const OUTCOMES = ['0', '0', '4', '8'] as const;

/** Event i: types, codes, agents, entities and pseudonyms cycle with different periods. */
export function seededEvent(i: number): AuditEvent {
  const org = i % 2 === 0 ? 'a' : 'b';
  return buildAuditEvent({
    type: TYPES[i % 3] ?? auditType.rest,
    subtype: SUBTYPES[i % 4] ?? auditSubtype.read,
    action: ACTIONS[i % 5] ?? 'R',
    outcome: OUTCOMES[i % 4] ?? '0',
    recorded: new Date(Date.UTC(2024, 0, 1, i)),
    agents: [
      {
        reference: `Organization/org-${org}`,
        identifier: { system: CLIENT_ID_SYSTEM, value: `client-${org}` },
      },
    ],
    entities: [
      { reference: `Task/t-${i % 5}` },
      ...(i % 3 === 0 ? [{ identifier: { system: PSEUDONYM_SYSTEM, value: `k9.p${i % 2}` } }] : []),
    ],
    requestId: `req-${i}`,
  });
}

async function signIn(net: AttackNetwork, username: string, role: 'auditor' | 'operator') {
  const password = `${username} keeps a long passphrase`;
  const created = await net.test.capabilities.people.createPerson({ username, role, password });
  const totp = URI.parse(created.enrolmentUri);
  if (!(totp instanceof TOTP)) throw new Error('not a TOTP enrolment');
  const login = await request(net.app).post('/auth/login').send({ username, password }).expect(200);
  const session = await request(net.app)
    .post('/auth/totp')
    .send({
      mfa_token: (login.body as { mfa_token: string }).mfa_token,
      code: totp.generate({ timestamp: Date.parse(REFERRAL_T0) }),
    })
    .expect(200);
  return (session.body as { access_token: string }).access_token;
}

export async function startAuditorNetwork(engine: TestEngine): Promise<AuditorNetwork> {
  const net = await startAttackNetwork(engine);
  try {
    const [marta, lucia, ana] = [
      await signIn(net, 'marta', 'auditor'),
      await signIn(net, 'lucia', 'auditor'),
      await signIn(net, 'ana', 'operator'),
    ];
    const seeded: AuditEvent[] = [];
    for (let i = 0; i < SEEDED; i += 1) {
      seeded.push(seededEvent(i));
      await net.store.audit.append(seeded[i] as AuditEvent);
    }
    const bearer = (token: string) => `Bearer ${token}`;
    return {
      ...net,
      marta,
      lucia,
      ana,
      seeded,
      async referSurvivor(survivorId) {
        await net.recordConsent(survivorId);
        const { jwe } = await net.referral(net.police, net.shelter, { survivorId });
        await request(net.app)
          .post('/fhir/$process-message')
          .set('Authorization', bearer(await net.token(net.police)))
          .set('Content-Type', 'application/jose')
          .send(jwe)
          .expect(200);
      },
      search: (query, token = marta) =>
        request(net.app).get(`/fhir/AuditEvent?${query}`).set('Authorization', bearer(token)),
      read: (id, token = marta) =>
        request(net.app)
          .get(`/fhir/AuditEvent/${encodeURIComponent(id)}`)
          .set('Authorization', bearer(token)),
    };
  } catch (error) {
    await net.dispose();
    throw error;
  }
}

export { REQUEST_ID_SYSTEM, SURVIVOR_ID_SYSTEM };
