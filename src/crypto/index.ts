// Public face of crypto: the gateway's own keys (JWS/JWE helpers join later).
export { checkGatewayKeyFiles, loadOrCreateGatewayKeys } from './gateway-keys.js';
export type { GatewayKey, GatewayKeys, KeyUse } from './gateway-keys.js';
export { loadOrCreateLocalSecret } from './local-secret.js';
