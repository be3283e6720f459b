// The URLs machine authentication announces and checks, all derived from the gateway's public URL.

export interface AuthEndpoints {
  /** Issuer of access tokens: the public URL itself; also an accepted client assertion `aud`. */
  readonly issuer: string;
  /** The `aud` of client assertions SMART Backend Services names; the issuer is accepted too. */
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  /** The `aud` of access tokens: the FHIR base. */
  readonly fhirBase: string;
}

export const TOKEN_PATH = '/oauth2/token';
export const JWKS_PATH = '/.well-known/jwks.json';
export const SMART_CONFIGURATION_PATH = '/fhir/.well-known/smart-configuration';
/** The same document at the server root, for clients that look beside the issuer, not the FHIR base. */
export const ROOT_SMART_CONFIGURATION_PATH = '/.well-known/smart-configuration';
export const AUTHORIZATION_SERVER_METADATA_PATH = '/.well-known/oauth-authorization-server';

export function toAuthEndpoints(publicUrl: string): AuthEndpoints {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    issuer: base,
    tokenEndpoint: `${base}${TOKEN_PATH}`,
    jwksUri: `${base}${JWKS_PATH}`,
    fhirBase: `${base}/fhir`,
  };
}
