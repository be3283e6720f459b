// Checks that every certificate of a path, the anchor included, is within its validity window at a time.
import type { CertificationPath } from './build-path.js';
import { chainInvalid } from './chain-error.js';

export function checkValidityWindows(path: CertificationPath, at: Date, skewMs: number): void {
  const time = at.getTime();
  if (!Number.isFinite(time)) throw chainInvalid('validation time is not a valid date');
  for (const cert of [...path.certificates, path.anchor.certificate]) {
    // Why the skew: partner clocks drift a little; a few seconds must not break a fresh certificate.
    if (cert.notBefore.getTime() - skewMs > time) {
      throw chainInvalid(`${cert.subject} is not valid before ${cert.notBefore.toISOString()}`);
    }
    if (cert.notAfter.getTime() + skewMs < time) {
      throw chainInvalid(`${cert.subject} expired at ${cert.notAfter.toISOString()}`);
    }
  }
}
