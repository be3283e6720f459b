// Storage failures: GatewayErrors whose codes are registered in src/kernel/errors.ts and never exposed to clients.
import { GatewayError, type ErrorCode, type GatewayErrorOptions } from '../kernel/index.js';

export type StoreErrorCode = Extract<ErrorCode, `ENLACE_STORE_${string}`>;

export class StoreError extends GatewayError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: GatewayErrorOptions) {
    super(code, message, options);
    this.name = 'StoreError';
  }
}
