// The versioned reference a decision records for a consent: `Consent/<id>/_history/<version>`.
import type { StoredConsent } from '../types.js';

export const toConsentReference = (consent: StoredConsent): string =>
  `Consent/${consent.id}/_history/${consent.version}`;
