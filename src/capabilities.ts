// The composition root of the capabilities: keys, policy, PKI and people, built once from configuration.
import type { Config } from './config/index.js';
import {
  loadOrCreateGatewayKeys,
  loadOrCreateLocalSecret,
  type GatewayKeys,
} from './crypto/index.js';
import type { Clock } from './kernel/index.js';
import { DEFAULT_POLICY_PATH, loadNetworkPolicy, type NetworkPolicy } from './partners/index.js';
import { createPeople, MIN_SECRET_BYTES, type People } from './people/index.js';
import { loadPki, type Pki } from './pki/index.js';
import type { Store } from './store/index.js';

export interface Capabilities {
  readonly keys: GatewayKeys;
  readonly policy: NetworkPolicy;
  readonly pki: Pki;
  readonly people: People;
}

/** Loads what the gateway and the `enlace` command both need; keys and secrets are created on first use. */
export async function loadCapabilities(
  config: Config,
  store: Store,
  clock: Clock,
): Promise<Capabilities> {
  const [keys, policy, pki, peopleSecret] = await Promise.all([
    loadOrCreateGatewayKeys(config.dataDir),
    loadNetworkPolicy(config.policyFile ?? DEFAULT_POLICY_PATH),
    loadPki({
      dataDir: config.dataDir,
      trustAnchorsFile: config.trustAnchorsFile,
      trustCrlFiles: config.trustCrlFiles,
      store,
      clock,
      clockSkewMs: config.clockSkewSeconds * 1000,
    }),
    config.peopleSecret ??
      loadOrCreateLocalSecret(config.dataDir, 'people-secret.key', MIN_SECRET_BYTES),
  ]);
  const people = createPeople({
    store,
    clock,
    signingKey: keys.signing,
    issuer: config.publicUrl,
    secretKey: peopleSecret,
  });
  return { keys, policy, pki, people };
}
