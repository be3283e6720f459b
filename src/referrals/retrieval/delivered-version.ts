// The version of a delivered referral: what a recipient's ETag names, so it can ask whether anything changed.
import { createHash } from 'node:crypto';
import type { Decision } from '../../consent/index.js';

/**
 * The delivered collection is assembled afresh at each retrieval (new ids, time and signature), so
 * it has no stored version. What it says is fixed by the signed message (its content hash) and by
 * the consent decision applied to it: what was permitted and removed, and on which consents or
 * grant. The versionId is a digest of exactly those: equal while the recipient would receive the
 * same referral under the same basis, different as soon as either changes. 32 hex characters, a
 * valid FHIR id.
 */
export function deliveredVersionId(contentHash: string, decision: Decision): string {
  const basis = {
    contentHash,
    outcome: decision.outcome,
    permitted: [...decision.permitted].sort(),
    remove: [...decision.remove].sort(),
    reliedOn: [...decision.reliedOn].sort(),
    emergencyGrant: decision.emergencyGrant ?? null,
  };
  return createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 32);
}
