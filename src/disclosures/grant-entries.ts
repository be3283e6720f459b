// One entry per break-the-glass grant given for her, from the grant record, with its ledger START event.
import type { AuditEvent } from '@medplum/fhirtypes';
import { EMERGENCY_GRANT_SYSTEM } from '../consent/index.js';
import type { DraftEntry } from './build-entries.js';
import type { LedgerEvent } from './find-ledger-events.js';
import type { GrantSummary } from './types.js';

/** DICOM 110127 Emergency Override Started. */
const OVERRIDE_STARTED = '110127';

const grantOf = (event: AuditEvent): string | undefined =>
  (event.entity ?? []).find((entity) => entity.what?.identifier?.system === EMERGENCY_GRANT_SYSTEM)
    ?.what?.identifier?.value;

/**
 * Why from the grant table: its justification and review state live there, and the grant is shown
 * even when its START event lies beyond the ledger window the report reads.
 */
export function entriesFromGrants(
  grants: Iterable<GrantSummary>,
  events: readonly LedgerEvent[],
): DraftEntry[] {
  const starts = new Map<string, LedgerEvent>();
  for (const item of events) {
    if (item.event.subtype?.[0]?.code !== OVERRIDE_STARTED) continue;
    const grant = grantOf(item.event);
    if (grant !== undefined) starts.set(grant, item);
  }
  return [...grants].map((grant): DraftEntry => {
    const start = starts.get(grant.id);
    return {
      at: grant.grantedAt,
      kind: 'emergency-access',
      who: { organization: grant.organization },
      references: [],
      dataClasses: [],
      purpose: 'emergency',
      basis: { kind: 'break-the-glass', grant },
      ledgerEvents: start?.event.id === undefined ? [] : [start.event.id],
      seq: start?.seq ?? 0,
    };
  });
}
