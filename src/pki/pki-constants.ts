// Fixed parameters of the gateway's PKI: algorithms, lifetimes, file names and input bounds.

/** A partner certificate names its partner with this URI prefix in subjectAltName. */
export const PARTNER_URI_PREFIX = 'https://enlace.example.org/fhir/Organization/';

/** Identifier system for certificate serials in AuditEvent entities. */
export const CERTIFICATE_SERIAL_SYSTEM =
  'https://enlace.example.org/fhir/NamingSystem/certificate-serial';

export const ROOT_CA_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' } as const;
export const ISSUING_CA_ALGORITHM = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
} as const;

export const ROOT_CA_YEARS = 10;
export const ISSUING_CA_YEARS = 5;

/** Operator-chosen partner certificate lifetime bounds, in days (825 is the CA/B web ceiling). */
export const MIN_VALIDITY_DAYS = 1;
export const MAX_VALIDITY_DAYS = 825;

/** Published CRLs promise their successor within this window. */
export const CRL_NEXT_UPDATE_DAYS = 7;
/** A built CRL is reused until the revocation list changes or it is this old. */
export const CRL_REFRESH_MS = 60 * 60 * 1000;

/** Files under `<dataDir>/pki/`. The root key is not needed at run time and may be moved offline. */
export const PKI_FILES = {
  rootKey: 'root-ca.key.pem',
  rootCert: 'root-ca.cert.pem',
  issuingKey: 'issuing-ca.key.pem',
  issuingCert: 'issuing-ca.cert.pem',
} as const;

/** Bounds on a presented x5c chain: count of entries and size of each base64 entry. */
export const MAX_CHAIN_LENGTH = 5;
export const MAX_X5C_ENTRY_CHARS = 8192;
/** Bound on an operator-supplied CSR PEM. */
export const MAX_CSR_PEM_CHARS = 16_384;

/** Clock skew tolerated on certificate validity windows. */
export const DEFAULT_CLOCK_SKEW_MS = 60_000;

/** Validation results kept in memory (non-revocation parts only). */
export const CHAIN_CACHE_ENTRIES = 1000;

export const DAY_MS = 24 * 60 * 60 * 1000;
