// What an auditor's AuditEvent search selects, once its parameters are read and her identifier pseudonymised.
import type { SearchPaging } from '../../fhir/index.js';

/** The columns of audit_event a token parameter filters on, each indexed with seq. */
export type TokenColumn = 'type_code' | 'subtype_code' | 'action' | 'outcome';

/** One alternative of a token parameter: `code`, `system|code`, or `|code` (a coding without system). */
export interface TokenValue {
  readonly code: string;
  /** Absent: any system; '': no system; otherwise the coding's system must match. */
  readonly system?: string;
}

/** One occurrence of a token parameter: its values are alternatives (comma = OR). */
export interface TokenFilter {
  readonly param: 'type' | 'subtype' | 'action' | 'outcome';
  readonly column: TokenColumn;
  readonly values: readonly TokenValue[];
}

/** The kinds of audit_event_ref row (see ledger-entry.ts). */
export type RefKind = 'agent' | 'entity' | 'patient';

/** One occurrence of a reference parameter: a row of audit_event_ref with any of these values. */
export interface RefFilter {
  /** How the parameter is spelt again in links; `patient:identifier` is always spelt `patient`. */
  readonly param: 'agent' | 'agent:identifier' | 'entity' | 'entity:identifier' | 'patient';
  readonly kind: RefKind;
  /** A reference, `system|value`, or a pseudonym: exactly as audit_event_ref stores them. */
  readonly values: readonly string[];
}

/** `recorded` within [from, to), in epoch milliseconds; ±Infinity where unbounded. */
export interface DateRange {
  readonly from: number;
  readonly to: number;
}

export interface AuditSearch {
  readonly recorded: DateRange;
  readonly tokens: readonly TokenFilter[];
  readonly refs: readonly RefFilter[];
  /** `asc` for `_sort=date`, `desc` (newest first) for `_sort=-date`, the default. */
  readonly order: 'asc' | 'desc';
  readonly count: number;
  readonly cursor?: string;
}

/** The parameters GET /fhir/AuditEvent understands; anything else is refused. */
export const AUDIT_SEARCH_PARAMS = [
  'date',
  'agent',
  'agent:identifier',
  'entity',
  'entity:identifier',
  'patient',
  'patient:identifier',
  'type',
  'subtype',
  'action',
  'outcome',
  '_count',
  '_sort',
  '_cursor',
  '_format',
] as const;

export const AUDIT_SEARCH_LIMITS = {
  defaultCount: 100,
  maxCount: 1000,
  /** Occurrences of one filter parameter (they AND together). */
  maxRepeats: 4,
  /** Comma-separated alternatives in one occurrence (they OR together). */
  maxValues: 8,
  /** Characters of one alternative. */
  maxValueLength: 256,
} as const;

/** Ledger order, newest first by default; `date` is `recorded`, which is commit order. */
export const AUDIT_SEARCH_PAGING: SearchPaging = {
  sorts: ['-date', 'date'],
  limits: {
    defaultCount: AUDIT_SEARCH_LIMITS.defaultCount,
    maxCount: AUDIT_SEARCH_LIMITS.maxCount,
  },
  total: false,
};

/** Turns `pseudonymize` of a survivor's identifier into her pseudonyms under every key. */
export type Pseudonymize = (identifier: {
  readonly system: string;
  readonly value: string;
}) => readonly string[];
