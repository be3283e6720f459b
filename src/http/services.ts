// What the HTTP layer is given: configuration, logger, storage and the capabilities' services. It builds none of them.
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { PackageInfo } from '../kernel/index.js';
import type { ReadinessReport, Store } from '../store/index.js';

export interface AppServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly software: PackageInfo;
  readonly startedAt: Date;
  /** The OpenAPI document served at /openapi.json, loaded once at start. */
  readonly openapi: unknown;
  /** True once shutdown began: readiness fails and connections close after their response. */
  readonly isDraining: () => boolean;
  /** Database, keys and lifecycle, combined; 503 while any check fails. */
  readonly readiness: () => Promise<ReadinessReport>;
}
