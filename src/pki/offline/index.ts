// Public face of offline chain validation: what a recipient needs to check a signer's certificate without the gateway's database.
export { readTrustBundle } from './trust-bundle.js';
export type { TrustBundle } from './trust-bundle.js';
export { verifyChainOffline } from './verify-chain-offline.js';
export type { OfflineChainOptions, OfflineVerifiedChain } from './verify-chain-offline.js';
export { readCrl } from '../external-crls.js';
export type { ExternalCrl } from '../external-crls.js';
