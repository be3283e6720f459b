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
  /** Public keys the client signs with, found by `kid`. */
  readonly jwks?: { readonly keys: readonly JWK[] };
  /**
   * SHA-256 fingerprints (hex, upper case, colon-separated as Node prints them) of certificates
   * bound to this client: one the gateway issued from the partner's CSR, or one from an external CA.
   */
  readonly certificateFingerprints: readonly string[];
  readonly createdAt: string;
}

export interface PartnerEndpoint {
  readonly id: string;
  readonly partnerId: string;
  /** https URL the gateway pushes deliveries to (rest-hook). */
  readonly address: string;
  readonly status: 'active' | 'off';
}

/** A client registration with the partner it belongs to, as authentication needs it. */
export interface RegisteredClient {
  readonly client: ClientRegistration;
  readonly partner: Partner;
}
