// Finds the key a message signature must verify with: the sending partner's registered JWK by kid, or its bound x5c chain; either only inside its window.
import { importJWK, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { ResolvedSignatureKey, SignatureKeyResolver } from '../crypto/index.js';
import {
  isKeyActive,
  listClientKeys,
  listClients,
  type ClientKey,
  type ClientRegistration,
  type Partner,
} from '../partners/index.js';
import type { ValidatedChain } from '../pki/index.js';
import type { Database } from '../store/index.js';

/** What a verified signature is known by, for audit: the partner and the key or certificate used. */
export interface SenderKeyInfo {
  readonly partnerId: string;
  readonly clientId?: string;
  readonly kid?: string;
  /** SHA-256 fingerprint of the signing certificate, when the key came from an x5c chain. */
  readonly certificateFingerprint?: string;
}

export type ChainValidation = (x5c: readonly string[], at: Date) => Promise<ValidatedChain>;

/** The public members of each asymmetric key type; anything else a stored JWK holds is dropped. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly (keyof JWK)[]>> = {
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
  RSA: ['kty', 'n', 'e'],
};

/**
 * Why only the sender's own keys: the resolver is built for ONE partner (the authenticated caller,
 * who must also be the MessageHeader.sender), so a signature by any other institution — however
 * valid — finds no key and fails like every other signature failure. Keys come only from what an
 * operator registered or from a chain to a configured trust anchor; never from the message.
 */
export function senderKeyResolver(
  db: Kysely<Database>,
  sender: Partner,
  validateChain: ChainValidation,
): SignatureKeyResolver<SenderKeyInfo> {
  return async (request) => {
    const clients = (await listClients(db, sender.id)).filter(
      (client) => client.removedAt === undefined,
    );
    const keys = await listClientKeys(db, sender.id);
    const allowed = new Set(clients.flatMap((client) => client.allowedAlgorithms as string[]));
    // Why: a partner signs only with algorithms an operator allowed for it (never none or HMAC).
    if (!allowed.has(request.alg)) throw new Error(`the algorithm is not allowed for ${sender.id}`);
    const signer: SignerKeys = { sender, clients, keys, at: request.now };
    if (request.x5c !== undefined) return keyFromChain(request.x5c, signer, validateChain);
    if (request.kid === undefined) throw new Error('the signature names neither kid nor x5c');
    return keyFromJwks(request.kid, request.alg, signer);
  };
}

/** The sender's live clients, every key it ever had, and the instant the signature is checked at. */
interface SignerKeys {
  readonly sender: Partner;
  readonly clients: readonly ClientRegistration[];
  readonly keys: readonly ClientKey[];
  readonly at: Date;
}

async function keyFromChain(
  x5c: readonly string[],
  { sender, clients, keys, at }: SignerKeys,
  validateChain: ChainValidation,
): Promise<ResolvedSignatureKey<SenderKeyInfo>> {
  const chain = await validateChain(x5c, at);
  const fingerprint = chain.fingerprint256.toUpperCase();
  const bound = keys.find(
    (key) => key.kind === 'certificate' && key.fingerprint.toUpperCase() === fingerprint,
  );
  // Why: a valid chain proves a certificate, not an institution; it must be bound to THIS partner,
  // by a registered fingerprint or by the partner id the gateway's CA wrote into it — and a
  // certificate an operator retired (rotation, client removal) signs nothing new after its window.
  if (bound === undefined && chain.partnerId !== sender.id) {
    throw new Error('the certificate belongs to another partner');
  }
  if (bound !== undefined && !isKeyActive(bound, at)) throw new Error('the certificate is retired');
  const client = clients.find((candidate) => candidate.clientId === bound?.clientId);
  return {
    key: chain.leaf.publicKey,
    info: {
      partnerId: sender.id,
      ...(client === undefined ? {} : { clientId: client.clientId }),
      certificateFingerprint: chain.fingerprint256,
    },
  };
}

async function keyFromJwks(
  kid: string,
  alg: string,
  { sender, clients, keys, at }: SignerKeys,
): Promise<ResolvedSignatureKey<SenderKeyInfo>> {
  // Why exact string equality in memory: the kid is attacker text and never reaches a query.
  const matches = keys.filter((key) => key.kind === 'jwk' && key.kid === kid);
  const [match] = matches;
  // Why refuse duplicates: two keys under one kid would mean trying several keys for one signature.
  if (match?.kind !== 'jwk' || matches.length > 1) throw new Error('the kid is not registered');
  // Why: after its overlap window a rotated key is refused for every new submission.
  if (!isKeyActive(match, at)) throw new Error('the key is retired');
  const client = clients.find((candidate) => candidate.clientId === match.clientId);
  if (client === undefined) throw new Error('the key belongs to a removed client');
  const { jwk } = match;
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new Error('the key is not for signing');
  // Why: a key registered for one algorithm must not be used under another (RFC 7517 §4.4).
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new Error('the key is for another alg');
  if (!(client.allowedAlgorithms as readonly string[]).includes(alg)) {
    throw new Error('the algorithm is not allowed for this client');
  }
  const key = await importJWK(publicMembers(jwk), alg);
  if (key instanceof Uint8Array) throw new Error('a symmetric key cannot verify a signature');
  return { key, info: { partnerId: sender.id, clientId: client.clientId, kid } };
}

function publicMembers(jwk: JWK): JWK {
  const members = jwk.kty === undefined ? undefined : PUBLIC_MEMBERS[jwk.kty];
  if (members === undefined) throw new Error('the key type has no public form');
  const out: JWK = {};
  for (const member of members) {
    const value = jwk[member];
    if (typeof value === 'string') Object.assign(out, { [member]: value });
  }
  return out;
}
