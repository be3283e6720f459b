// What the HTTP layer is given: configuration, logger, storage and the capabilities' services. It builds none of them.
import type { Ledger } from '../audit/ledger/index.js';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Authorizer, Clock, PackageInfo } from '../kernel/index.js';
import type { NetworkPolicy } from '../partners/index.js';
import type { TokenService } from '../auth/index.js';
import type { ConsentDeps } from '../consent/index.js';
import type { GatewayKeys, PayloadVault } from '../crypto/index.js';
import type { ProfileValidator } from '../profiles/index.js';
import type { People } from '../people/index.js';
import type { Pki } from '../pki/index.js';
import type { Protection } from '../protection/index.js';
import type { ReadinessReport, Store } from '../store/index.js';

export interface AppServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly software: PackageInfo;
  readonly clock: Clock;
  readonly policy: NetworkPolicy;
  /** Trust anchors, chain validation and, once `enlace pki init` ran, the network CA. */
  readonly pki: Pki;
  /** Operators and auditors: sign-in with password and TOTP, session tokens. */
  readonly people: People;
  /** SMART Backend Services: token endpoint, discovery, JWKS. */
  readonly tokens: TokenService;
  /** Pseudonyms, the consent engine and break-the-glass lookup, for consent routes and the gate. */
  readonly consent: ConsentDeps;
  /** The gateway's own keys: signing acknowledgements and Provenance, decrypting submissions. */
  readonly keys: GatewayKeys;
  /** Seals case payloads at rest. */
  readonly vault: PayloadVault;
  /** The FHIR profiles, compiled once at start. */
  readonly profiles: ProfileValidator;
  /** The audit log's key, integrity verdict and checkpoints. */
  readonly ledger: Ledger;
  readonly startedAt: Date;
  /** The OpenAPI document served at /openapi.json, loaded once at start. */
  readonly openapi: unknown;
  /** Checks the caller of every route that declares `access`. */
  readonly authorize: Authorizer;
  /** True once shutdown began: readiness fails and connections close after their response. */
  readonly isDraining: () => boolean;
  /** Database, keys and lifecycle, combined; 503 while any check fails. */
  readonly readiness: () => Promise<ReadinessReport>;
  /** One Prometheus scrape (GET /metrics); absent when ENLACE_METRICS is off. */
  readonly scrapeMetrics?: () => Promise<string>;
  /** Rate limits and load shedding; absent, nothing is limited or shed (most tests). */
  readonly protection?: Protection;
}
