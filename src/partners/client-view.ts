// A partner's clients with their keys and each key's state, as operators see them (CLI and admin API).
import type { JWK } from 'jose';
import { keyState } from './key-overlap.js';
import type { ClientKey, ClientRegistration, SigningAlgorithm } from './partner.js';

export interface KeyView {
  readonly kind: ClientKey['kind'];
  readonly kid?: string;
  /** The public JWK, for a registered key. */
  readonly jwk?: JWK;
  /** SHA-256 of a bound certificate. */
  readonly fingerprint?: string;
  readonly addedAt: string;
  readonly retiresAt?: string;
  /** `active` (no end set), `retiring` (inside its overlap window) or `retired`. */
  readonly state: ReturnType<typeof keyState>;
}

export interface ClientView {
  readonly clientId: string;
  readonly allowedAlgorithms: readonly SigningAlgorithm[];
  readonly createdAt: string;
  readonly removedAt?: string;
  readonly keys: readonly KeyView[];
}

export function toKeyView(key: ClientKey, at: Date): KeyView {
  return {
    kind: key.kind,
    ...(key.kind === 'jwk' ? { kid: key.kid, jwk: key.jwk } : { fingerprint: key.fingerprint }),
    addedAt: key.addedAt,
    ...(key.retiresAt === undefined ? {} : { retiresAt: key.retiresAt }),
    state: keyState(key, at),
  };
}

export function toClientView(
  client: ClientRegistration,
  keys: readonly ClientKey[],
  at: Date,
): ClientView {
  return {
    clientId: client.clientId,
    allowedAlgorithms: client.allowedAlgorithms,
    createdAt: client.createdAt,
    ...(client.removedAt === undefined ? {} : { removedAt: client.removedAt }),
    keys: keys.filter((key) => key.clientId === client.clientId).map((key) => toKeyView(key, at)),
  };
}
