// Her report as a FHIR searchset: one AuditEvent per access, oldest first, and a warning when it was cut.
import { randomUUID } from 'node:crypto';
import type { AuditEvent, Bundle, BundleEntry, OperationOutcome } from '@medplum/fhirtypes';
import { MAX_REPORT_ENTRIES, type DisclosureReport } from './types.js';
import { toAuditEvent } from './to-audit-event.js';

export interface BundleOptions {
  /** The self link; it names no identifier (see the route). */
  readonly self: string;
  /** Her current pseudonym, named in each entry as BALP's patient entity. */
  readonly pseudonym?: string;
}

function truncationWarning(): BundleEntry<OperationOutcome> {
  return {
    fullUrl: `urn:uuid:${randomUUID()}`,
    resource: {
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'warning',
          code: 'too-costly',
          diagnostics: `Only the most recent ${MAX_REPORT_ENTRIES} accesses are listed; an auditor can search or export the complete audit log.`,
        },
      ],
    },
    search: { mode: 'outcome' },
  };
}

/**
 * Why searchset: the operation is a search over the ledger for one survivor; `total` counts the
 * entries given, and an outcome entry says when older ones were left out.
 */
export function buildDisclosureBundle(
  report: DisclosureReport,
  options: BundleOptions,
): Bundle<AuditEvent | OperationOutcome> {
  const entries: BundleEntry<AuditEvent | OperationOutcome>[] = report.entries.map((entry) => ({
    fullUrl: `urn:uuid:${randomUUID()}`,
    resource: toAuditEvent(entry, options.pseudonym),
    search: { mode: 'match' },
  }));
  if (report.truncated) entries.push(truncationWarning());
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: report.generatedAt,
    total: report.entries.length,
    link: [{ relation: 'self', url: options.self }],
    ...(entries.length === 0 ? {} : { entry: entries }),
  };
}
