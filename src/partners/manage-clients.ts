// Adds a client to a partner, rotates a client's keys with an overlap window, removes a client: each atomic and audited.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { auditSubtype, auditType, buildAuditEvent, type AuditActor } from '../audit/index.js';
import { GatewayError, type Clock } from '../kernel/index.js';
import type { Database, Store, UnitOfWork } from '../store/index.js';
import {
  checkAlgorithms,
  checkKeysAreNew,
  resolveCredential,
  type CertificateIssuer,
  type PartnerCredential,
  type ResolvedCredential,
} from './client-credential.js';
import { toClientView, type ClientView } from './client-view.js';
import { parseOverlap } from './key-overlap.js';
import type { ClientKey, ClientRegistration, Partner } from './partner.js';
import {
  findPartner,
  insertClient,
  insertClientKeys,
  listClientKeys,
  listClients,
  lockPartner,
  markClientRemoved,
  retireClientKeys,
} from './partner-repository.js';

export interface ClientChangeDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** The network CA's issuer, for a CSR; absent when the gateway has no CA. */
  readonly issueCertificate?: CertificateIssuer;
}

export interface ClientChange {
  readonly partnerId: string;
  /** The client after the change, with every key it has had and each key's state. */
  readonly client: ClientView;
  /** The certificate issued from a CSR, PEM. */
  readonly certificatePem?: string;
}

export interface AddClientInput {
  readonly partnerId: string;
  readonly credential: PartnerCredential;
  readonly allowedAlgorithms?: readonly string[];
}

export interface RotateKeyInput {
  readonly partnerId: string;
  /** Which client; may be left out when the partner has only one. */
  readonly clientId?: string;
  readonly credential: PartnerCredential;
  /** How long the client's current keys keep working beside the new ones: `0`, `90m`, `24h`, `7d`. */
  readonly overlap: string;
}

export interface KeyRotation extends ClientChange {
  /** When the keys the client had before stop working. */
  readonly retiresAt: string;
}

interface PartnerClients {
  readonly partner: Partner;
  readonly clients: readonly ClientRegistration[];
  readonly keys: readonly ClientKey[];
}

/** A new client with its own credential; the partner's other clients are untouched. */
export async function addClient(
  input: AddClientInput,
  actor: AuditActor,
  deps: ClientChangeDeps,
): Promise<ClientChange> {
  const allowedAlgorithms = checkAlgorithms(input.allowedAlgorithms);
  const before = await loadPartnerClients(deps.store.db, input.partnerId);
  const credential = await prepareCredential(input.credential, before, actor, deps);
  return deps.store.transaction(async (unit) => {
    const current = await lockPartnerClients(unit.db, input.partnerId);
    checkKeysAreNew(current.keys, credential);
    const now = deps.clock();
    const client: ClientRegistration = {
      clientId: randomUUID(),
      partnerId: input.partnerId,
      allowedAlgorithms,
      createdAt: now.toISOString(),
    };
    const keys = await insertClient(unit.db, { ...client, ...newKeys(credential) });
    await appendChange(unit, actor, now, input.partnerId, 'C', {
      what: `client ${client.clientId} added with ${describeKeys(keys)}`,
    });
    return changed(input.partnerId, toClientView(client, keys, now), credential);
  });
}

/**
 * New keys work at once; the client's current keys keep working until the end of the overlap
 * and are refused from then on, at the token endpoint and for message signatures alike.
 */
export async function rotateClientKey(
  input: RotateKeyInput,
  actor: AuditActor,
  deps: ClientChangeDeps,
): Promise<KeyRotation> {
  const overlapMs = parseOverlap(input.overlap);
  const before = await loadPartnerClients(deps.store.db, input.partnerId);
  const target = pickClient(before, input.clientId);
  const credential = await prepareCredential(input.credential, before, actor, deps);
  return deps.store.transaction(async (unit) => {
    const current = await lockPartnerClients(unit.db, input.partnerId);
    const client = pickClient(current, target.clientId);
    checkKeysAreNew(current.keys, credential);
    const now = deps.clock();
    const retiresAt = new Date(now.getTime() + overlapMs).toISOString();
    await retireClientKeys(unit.db, client.clientId, retiresAt);
    const added = await insertClientKeys(unit.db, client, newKeys(credential), now.toISOString());
    await appendChange(unit, actor, now, input.partnerId, 'U', {
      what: `client ${client.clientId} keys rotated: added ${describeKeys(added)}; earlier keys retire at ${retiresAt}`,
    });
    const keys = await listClientKeys(unit.db, input.partnerId);
    return {
      ...changed(input.partnerId, toClientView(client, keys, now), credential),
      retiresAt,
    };
  });
}

/** The client stops at once: its tokens and keys are refused from the next request on. */
export async function removeClient(
  input: { readonly partnerId: string; readonly clientId: string },
  actor: AuditActor,
  deps: Pick<ClientChangeDeps, 'store' | 'clock'>,
): Promise<ClientChange> {
  return deps.store.transaction(async (unit) => {
    const current = await lockPartnerClients(unit.db, input.partnerId);
    const client = pickClient(current, input.clientId);
    // Why: a partner without a client cannot authenticate at all; suspending it says so openly.
    if (current.clients.filter((candidate) => candidate.removedAt === undefined).length === 1) {
      throw new GatewayError(
        'ENLACE_PARTNER_LAST_CLIENT',
        `Client ${client.clientId} is the last client of ${input.partnerId}; rotate its key, add another client first, or suspend the partner.`,
        { expression: ['clientId'] },
      );
    }
    const now = deps.clock();
    const at = now.toISOString();
    await markClientRemoved(unit.db, client.clientId, at);
    await retireClientKeys(unit.db, client.clientId, at);
    await appendChange(unit, actor, now, input.partnerId, 'D', {
      what: `client ${client.clientId} removed; its keys retired at ${at}`,
    });
    const keys = await listClientKeys(unit.db, input.partnerId);
    return changed(input.partnerId, toClientView({ ...client, removedAt: at }, keys, now), {});
  });
}

async function loadPartnerClients(
  db: Kysely<Database>,
  partnerId: string,
): Promise<PartnerClients> {
  const partner = await findPartner(db, partnerId);
  if (partner === undefined) throw partnerNotFound(partnerId);
  // One after the other: inside a transaction both run on its one connection anyway.
  const clients = await listClients(db, partnerId);
  const keys = await listClientKeys(db, partnerId);
  return { partner, clients, keys };
}

/** Reads again under the partner's row lock: what was checked before may have changed since. */
async function lockPartnerClients(
  db: Kysely<Database>,
  partnerId: string,
): Promise<PartnerClients> {
  if (!(await lockPartner(db, partnerId))) throw partnerNotFound(partnerId);
  return loadPartnerClients(db, partnerId);
}

function pickClient(state: PartnerClients, clientId: string | undefined): ClientRegistration {
  const live = state.clients.filter((client) => client.removedAt === undefined);
  if (clientId === undefined) {
    const [only] = live;
    if (only === undefined || live.length > 1) {
      throw new GatewayError(
        'ENLACE_PARTNER_INVALID',
        `${state.partner.id} has ${String(live.length)} clients; name the one whose key rotates.`,
        { expression: ['clientId'] },
      );
    }
    return only;
  }
  const client = live.find((candidate) => candidate.clientId === clientId);
  if (client === undefined) {
    throw new GatewayError(
      'ENLACE_PARTNER_CLIENT_NOT_FOUND',
      `${state.partner.id} has no client ${clientId.slice(0, 64)}.`,
      { expression: ['clientId'] },
    );
  }
  return client;
}

/** Checks the credential against the partner's keys before a certificate is issued for it. */
async function prepareCredential(
  credential: PartnerCredential,
  before: PartnerClients,
  actor: AuditActor,
  deps: ClientChangeDeps,
): Promise<ResolvedCredential> {
  const resolved = await resolveCredential(
    credential,
    before.partner,
    actor,
    deps.issueCertificate,
  );
  checkKeysAreNew(before.keys, resolved);
  return resolved;
}

const newKeys = (credential: ResolvedCredential) => ({
  ...(credential.jwks === undefined ? {} : { jwks: credential.jwks }),
  certificates: credential.certificates,
});

const changed = (
  partnerId: string,
  client: ClientView,
  credential: Pick<ResolvedCredential, 'certificatePem'>,
): ClientChange => ({
  partnerId,
  client,
  ...(credential.certificatePem === undefined ? {} : { certificatePem: credential.certificatePem }),
});

const describeKeys = (keys: readonly ClientKey[]): string =>
  keys
    .map((key) => (key.kind === 'jwk' ? `kid ${key.kid}` : `certificate ${key.fingerprint}`))
    .join(', ');

const partnerNotFound = (partnerId: string): GatewayError =>
  new GatewayError('ENLACE_PARTNER_NOT_FOUND', `No partner has the id ${partnerId.slice(0, 64)}.`);

/** Appended last: on PostgreSQL the audit append holds the trail's sequence row until commit. */
async function appendChange(
  unit: UnitOfWork,
  actor: AuditActor,
  recorded: Date,
  partnerId: string,
  action: 'C' | 'U' | 'D',
  change: { readonly what: string },
): Promise<void> {
  await unit.audit.append(
    buildAuditEvent({
      type: auditType.securityAlert,
      subtype: auditSubtype.userSecurityAttributesChanged,
      action,
      outcome: '0',
      recorded,
      agents: [actor],
      entities: [{ reference: `Organization/${partnerId}`, description: change.what }],
    }),
  );
}
