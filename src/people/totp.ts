// TOTP (RFC 6238) through otpauth: secrets, the enrolment URI, and code checks that refuse replays.
import { randomBytes } from 'node:crypto';
import { HOTP, Secret } from 'otpauth';

export const TOTP_ISSUER = 'Enlace';
export const TOTP_ALGORITHM = 'SHA1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_SECRET_BYTES = 20;
/** Steps accepted either side of the current one, for clock drift and typing time. */
export const TOTP_WINDOW_STEPS = 1;

const CODE_PATTERN = /^\d{6}$/;

export function generateTotpSecret(): Uint8Array {
  // A copy, so the secret never shares an ArrayBuffer with Node's pooled allocations.
  return new Uint8Array(randomBytes(TOTP_SECRET_BYTES));
}

export const toBase32 = (secret: Uint8Array): string =>
  new Secret({ buffer: new Uint8Array(secret).buffer }).base32;

/** The `otpauth://totp/…` key URI an authenticator app enrols from (usually shown as a QR code). */
export function buildEnrolmentUri(username: string, secret: Uint8Array): string {
  const label = `${encodeURIComponent(TOTP_ISSUER)}:${encodeURIComponent(username)}`;
  const query = [
    `secret=${toBase32(secret)}`,
    `issuer=${encodeURIComponent(TOTP_ISSUER)}`,
    `algorithm=${TOTP_ALGORITHM}`,
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

/** The RFC 6238 time step T = floor(unix seconds / 30) at `now`. */
export const totpStepAt = (now: Date): number =>
  Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);

export interface TotpCheck {
  readonly code: string;
  readonly secret: Uint8Array;
  readonly now: Date;
  /** The last step this account had accepted, or null before its first sign-in. */
  readonly lastAcceptedStep: number | null;
}

/**
 * The time step whose code matches, or undefined. Only steps within ±1 of now and later than the
 * last accepted step are tried, so a code that was already used is refused even inside its window.
 */
export function matchTotpStep({
  code,
  secret,
  now,
  lastAcceptedStep,
}: TotpCheck): number | undefined {
  if (!CODE_PATTERN.test(code)) return undefined;
  const otpSecret = new Secret({ buffer: new Uint8Array(secret).buffer });
  const current = totpStepAt(now);
  const offsets = [0];
  for (let offset = 1; offset <= TOTP_WINDOW_STEPS; offset += 1) offsets.push(-offset, offset);
  const candidates = offsets
    .map((offset) => current + offset)
    // Why: a code of an already accepted (or earlier) step is a replay, whoever presents it.
    .filter((step) => lastAcceptedStep === null || step > lastAcceptedStep);
  return candidates.find(
    (step) =>
      // otpauth compares the codes with crypto.timingSafeEqual.
      HOTP.validate({
        token: code,
        secret: otpSecret,
        algorithm: TOTP_ALGORITHM,
        digits: TOTP_DIGITS,
        counter: step,
        window: 0,
      }) !== null,
  );
}
