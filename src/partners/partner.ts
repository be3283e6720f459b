// The partner registry's records: institutions, their client registrations and push endpoints.
import type { JWK } from 'jose';
import type { PartnerRole } from './roles.js';

export type PartnerStatus = 'active' | 'suspended';

/** Signing algorithms a partner may use for client assertions and message signatures. */
export const defaultAllowedAlgorithms = ['ES256', 'ES384', 'PS256', 'RS384', 'EdDSA'] as const;

/** The only algorithms an operator may allow; never `none` and never HMAC. */
export const permittedAlgorithms = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
] as const;

export type SigningAlgorithm = (typeof permittedAlgorithms)[number];

export interface Partner {
  /** Also the FHIR Organization id: lowercase letters, digits and hyphens. */
  readonly id: string;
  readonly name: string;
  readonly role: PartnerRole;
  readonly status: PartnerStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Increases on every change; the FHIR meta.versionId. */
  readonly version: number;
}

export interface ClientRegistration {
  readonly clientId: string;
  readonly partnerId: string;
  readonly allowedAlgorithms: readonly SigningAlgorithm[];
  readonly createdAt: string;
  /** When an operator removed the client: it authenticates no more and its keys retired then. */
  readonly removedAt?: string;
}

/** What every client key has: the client it belongs to and the window in which it works. */
interface ClientKeyWindow {
  readonly id: string;
  readonly clientId: string;
  readonly partnerId: string;
  readonly addedAt: string;
  /** The key works until this instant (exclusive); absent until a rotation or removal sets it. */
  readonly retiresAt?: string;
}

/** A public key the client signs with, found by `kid` (unique per partner, never reused). */
export interface JwkClientKey extends ClientKeyWindow {
  readonly kind: 'jwk';
  readonly kid: string;
  readonly jwk: JWK;
}

/**
 * A certificate bound to the client: one the gateway issued from the partner's CSR, or one from an
 * external CA; found by its SHA-256 fingerprint (upper-case hex, colon-separated as Node prints it).
 */
export interface CertificateClientKey extends ClientKeyWindow {
  readonly kind: 'certificate';
  readonly fingerprint: string;
  /** Base64 DER, when the gateway saw the certificate (not for keys bound before 0011). */
  readonly certificate?: string;
}

export type ClientKey = JwkClientKey | CertificateClientKey;

/** A new client with the keys it starts with, as registration and `add-client` create it. */
export interface NewClient extends ClientRegistration {
  readonly jwks?: { readonly keys: readonly JWK[] };
  readonly certificates?: readonly BoundCertificate[];
}

export interface BoundCertificate {
  readonly fingerprint: string;
  /** Base64 DER. */
  readonly certificate?: string;
}

export interface PartnerEndpoint {
  readonly id: string;
  readonly partnerId: string;
  /** https URL the gateway pushes deliveries to (rest-hook). */
  readonly address: string;
  readonly status: 'active' | 'off';
  /** When it was registered (with its partner), as read from the store; endpoints never change. */
  readonly registeredAt?: string;
}

/** A client registration with the partner it belongs to, as authentication needs it. */
export interface RegisteredClient {
  readonly client: ClientRegistration;
  readonly partner: Partner;
}
