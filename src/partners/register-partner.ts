// Registers a partner institution with one client credential (JWKS, CSR or certificate), atomically and audited.
import { randomUUID } from 'node:crypto';
import { auditSubtype, auditType, buildAuditEvent, type AuditActor } from '../audit/index.js';
import { GATEWAY_ORGANIZATION_ID, GatewayError, type Clock } from '../kernel/index.js';
import type { Store } from '../store/index.js';
import {
  checkAlgorithms,
  resolveCredential,
  type CertificateIssuer,
  type PartnerCredential,
} from './client-credential.js';
import type { ClientRegistration, Partner, PartnerEndpoint } from './partner.js';
import { findPartner, insertClient, insertEndpoint, insertPartner } from './partner-repository.js';
import { isPartnerRole, type PartnerRole } from './roles.js';
import { checkEncryptionKey, insertEncryptionKey } from './encryption-key.js';

export interface RegisterPartnerInput {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly credential: PartnerCredential;
  readonly allowedAlgorithms?: readonly string[];
  /** A rest-hook push address, if the partner wants deliveries pushed. */
  readonly endpoint?: string;
  /** The public key (JWK) referrals are encrypted to for this partner; required to receive them. */
  readonly encryptionKey?: unknown;
}

export interface RegistrationResult {
  readonly partner: Partner;
  readonly client: ClientRegistration;
  readonly endpoint?: PartnerEndpoint;
  readonly certificatePem?: string;
}

export interface RegistrationDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly issueCertificate?: CertificateIssuer;
  /** Whether http:// push addresses on loopback are allowed (development only). */
  readonly allowLoopbackHttp: boolean;
}

const PARTNER_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

const invalid = (text: string, expression: string): GatewayError =>
  new GatewayError('ENLACE_PARTNER_INVALID', text, { expression: [expression] });

export async function registerPartner(
  input: RegisterPartnerInput,
  actor: AuditActor,
  deps: RegistrationDeps,
): Promise<RegistrationResult> {
  const role = checkBasics(input);
  const allowedAlgorithms = checkAlgorithms(input.allowedAlgorithms);
  const address =
    input.endpoint === undefined ? undefined : checkEndpointAddress(input.endpoint, deps);
  // Why: checked before a certificate is issued, so a duplicate id leaves no orphan certificate.
  if ((await findPartner(deps.store.db, input.id)) !== undefined) {
    throw new GatewayError(
      'ENLACE_PARTNER_EXISTS',
      `A partner with id ${input.id} already exists.`,
    );
  }
  const encryptionKey =
    input.encryptionKey === undefined ? undefined : await checkEncryptionKey(input.encryptionKey);
  const credential = await resolveCredential(input.credential, input, actor, deps.issueCertificate);
  const now = deps.clock().toISOString();
  const partner: Partner = {
    id: input.id,
    name: input.name,
    role,
    status: 'active',
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  const client: ClientRegistration = {
    clientId: randomUUID(),
    partnerId: partner.id,
    allowedAlgorithms,
    createdAt: now,
  };
  const endpoint: PartnerEndpoint | undefined =
    address === undefined
      ? undefined
      : { id: `${partner.id}-push`, partnerId: partner.id, address, status: 'active' };
  await deps.store.transaction(async (unit) => {
    await insertPartner(unit.db, partner);
    await insertClient(unit.db, {
      ...client,
      ...(credential.jwks === undefined ? {} : { jwks: credential.jwks }),
      certificates: credential.certificates,
    });
    if (endpoint !== undefined) await insertEndpoint(unit.db, endpoint);
    if (encryptionKey !== undefined) {
      await insertEncryptionKey(unit.db, partner.id, encryptionKey, now);
    }
    await unit.audit.append(
      buildAuditEvent({
        type: auditType.rest,
        subtype: auditSubtype.create,
        action: 'C',
        outcome: '0',
        recorded: deps.clock(),
        agents: [actor],
        entities: [
          {
            reference: `Organization/${partner.id}`,
            description: `partner registered, client ${client.clientId}`,
          },
        ],
      }),
    );
  });
  return {
    partner,
    client,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(credential.certificatePem === undefined
      ? {}
      : { certificatePem: credential.certificatePem }),
  };
}

function checkBasics(input: RegisterPartnerInput): PartnerRole {
  if (!PARTNER_ID.test(input.id)) {
    throw invalid(
      'The partner id must be 2-63 characters: lowercase letters, digits, hyphens.',
      'id',
    );
  }
  // Why: the gateway signs and sends as Organization/enlace-gateway; a partner under that id could
  // pass its own messages off as the gateway's.
  if (input.id === GATEWAY_ORGANIZATION_ID) {
    throw invalid(
      `The partner id ${GATEWAY_ORGANIZATION_ID} is reserved for the gateway itself.`,
      'id',
    );
  }
  if (input.name.trim().length === 0 || input.name.length > 200) {
    throw invalid('The partner name must be 1-200 characters.', 'name');
  }
  if (!isPartnerRole(input.role)) {
    throw invalid(`The role ${input.role.slice(0, 40)} is not an organization-role code.`, 'role');
  }
  return input.role;
}

function checkEndpointAddress(address: string, deps: RegistrationDeps): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw invalid('The endpoint must be an absolute URL.', 'endpoint');
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const ok =
    url.protocol === 'https:' || (deps.allowLoopbackHttp && loopback && url.protocol === 'http:');
  if (!ok || url.username !== '' || url.password !== '' || url.hash !== '') {
    throw invalid('The endpoint must be an https URL without credentials or fragment.', 'endpoint');
  }
  return url.href;
}
