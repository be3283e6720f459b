// Public face of crypto: gateway keys, JCS, detached JWS over Bundles, JWE in and out, payloads at rest.
export {
  checkGatewayKeyFiles,
  JWKS_MAX_AGE_SECONDS,
  KEY_REFRESH_SECONDS,
  loadOrCreateGatewayKeys,
  publishedKeysOf,
  startKeyRefresh,
} from './gateway-keys.js';
export type {
  GatewayKey,
  GatewayKeyring,
  GatewayKeys,
  KeyState,
  KeyUse,
  PublishedKey,
} from './gateway-keys.js';
export { createVerificationKeys } from './gateway-verification-keys.js';
export type { VerificationKeys } from './gateway-verification-keys.js';
export {
  DEFAULT_ROTATION_LEAD_SECONDS,
  DEFAULT_ROTATION_OVERLAP_SECONDS,
  MIN_ROTATION_LEAD_SECONDS,
  MIN_ROTATION_OVERLAP_SECONDS,
  rotateGatewayKeys,
} from './rotate-gateway-keys.js';
export type { RotatedKey, RotationRequest } from './rotate-gateway-keys.js';
export { loadOrCreateLocalSecret } from './local-secret.js';

export { canonicalJson, canonicalJsonBytes } from './canonical-json.js';
export type { JsonValue } from './canonical-json.js';

export {
  DEFAULT_SIGNATURE_ALGORITHMS,
  effectiveSignatureAlgorithms,
  isForbiddenSignatureAlgorithm,
} from './signature-algorithms.js';
export { signDetached } from './sign-detached.js';
export type { JoseSigner, PrivateSigningKey } from './sign-detached.js';
export { verifyDetached } from './verify-detached.js';
export type {
  ResolvedSignatureKey,
  SignatureKeyRequest,
  SignatureKeyResolver,
  SignatureVerifyOptions,
  VerifiedSignature,
} from './verify-detached.js';
export type { SignatureHeader } from './signature-header.js';
export { SIGNATURE_FAILED_MESSAGE } from './signature-failure.js';
export {
  AUTHOR_SIGNATURE_TYPE,
  JOSE_SIG_FORMAT,
  buildJoseSignature,
  readJoseSignature,
} from './fhir-signature.js';
export type { JoseSignatureOptions } from './fhir-signature.js';
export { signBundle, unsignedBundleBytes } from './sign-bundle.js';
export { verifyBundleSignature } from './verify-bundle-signature.js';
export type { BundleVerifyOptions, VerifiedBundleSignature } from './verify-bundle-signature.js';

export { DECRYPTION_FAILED_MESSAGE, decryptInbound } from './decrypt-inbound.js';
export type { DecryptedMessage, InboundLimits } from './decrypt-inbound.js';
export { INBOUND_CONTENT_ENCRYPTION, INBOUND_KEY_MANAGEMENT } from './inbound-jwe-header.js';
export type { InboundJweHeader } from './inbound-jwe-header.js';
export { encryptTo, keyManagementFor } from './encrypt-to.js';
export type { EncryptOptions } from './encrypt-to.js';
export { createPublicKeyCache, publicMembers } from './public-key-cache.js';
export type { PublicKeyCache } from './public-key-cache.js';

export {
  DATA_KEY_BYTES,
  checkDataKeySet,
  formatDataKeySet,
  loadOrCreateDataKeys,
  parseDataKeySet,
} from './data-keys.js';
export type { DataKeySet, KeyEncryptionKey } from './data-keys.js';
export { createPayloadVault } from './payload-vault.js';
export type { PayloadVault, SealedRecord } from './payload-vault.js';
export { checkPrivateFile, PrivateFileError, readPrivateFile } from './private-file.js';
export {
  readKeysetPosition,
  SEARCH_CURSOR_LIFETIME_MINUTES,
  sealedCursors,
} from './sealed-cursor.js';
export type { KeysetPosition, SealedCursorOptions, SealedCursors } from './sealed-cursor.js';
