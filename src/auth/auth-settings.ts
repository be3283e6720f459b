// Tunable limits of machine authentication: clock skew, lifetimes and the global algorithm allow-list.
import {
  defaultAllowedAlgorithms,
  permittedAlgorithms,
  type SigningAlgorithm,
} from '../partners/index.js';

export interface AuthSettings {
  /** Tolerance for partner clocks on exp, nbf and iat, in seconds. */
  readonly clockSkewSeconds: number;
  /** Lifetime of issued access tokens, in seconds. */
  readonly accessTokenSeconds: number;
  /** How far ahead of now a client assertion's exp may lie, in seconds (before skew). */
  readonly maxAssertionSeconds: number;
  /** Algorithms accepted on client assertions, whatever a client registration allows. */
  readonly allowedAlgorithms: readonly SigningAlgorithm[];
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  clockSkewSeconds: 30,
  accessTokenSeconds: 300,
  maxAssertionSeconds: 300,
  allowedAlgorithms: defaultAllowedAlgorithms,
};

const MAX_SKEW_SECONDS = 300;
const MAX_LIFETIME_SECONDS = 3600;

/** Completes and checks settings at start; a bad value is a deployment error, so it throws plainly. */
export function toAuthSettings(overrides: Partial<AuthSettings> = {}): AuthSettings {
  const settings = { ...DEFAULT_AUTH_SETTINGS, ...overrides };
  checkSeconds('clockSkewSeconds', settings.clockSkewSeconds, 0, MAX_SKEW_SECONDS);
  checkSeconds('accessTokenSeconds', settings.accessTokenSeconds, 1, MAX_LIFETIME_SECONDS);
  checkSeconds('maxAssertionSeconds', settings.maxAssertionSeconds, 1, MAX_LIFETIME_SECONDS);
  // Why: the allow-list is the last line against `none` and HMAC; a list typed loosely in a
  // config file must still contain only asymmetric signature algorithms.
  const permitted: readonly string[] = permittedAlgorithms;
  const foreign = settings.allowedAlgorithms.filter((alg) => !permitted.includes(alg));
  if (settings.allowedAlgorithms.length === 0 || foreign.length > 0) {
    throw new Error(
      `auth allowedAlgorithms must be a non-empty subset of ${permittedAlgorithms.join(', ')}`,
    );
  }
  return settings;
}

function checkSeconds(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`auth ${name} must be an integer from ${min} to ${max}`);
  }
}
