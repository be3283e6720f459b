// The vocabulary of her disclosure report: who saw or received her data, what, when, why and on which basis.
import type { DataClass } from '../consent/index.js';

/** What an institution (or an auditor) did with her data. */
export const accessKinds = [
  /** The sender submitted a referral about her to the gateway, addressed to a recipient. */
  'referral-sent',
  /** The recipient received the referral's content (retrieved it or had it pushed). */
  'referral-received',
  /** A party read the referral's Task (status, references; no case narrative). */
  'referral-read',
  /** A party moved the referral on (accepted, completed, cancelled…). */
  'referral-updated',
  /** The gateway told a party of a change to the referral (a pushed Task update). */
  'update-received',
  'consent-recorded',
  'consent-read',
  'consent-revoked',
  /** Asked whether her consent permits a release ($evaluate). */
  'consent-checked',
  /** Opened a break-the-glass grant: acting for her without her consent, in danger. */
  'emergency-access',
  /** An auditor searched or read the audit log about her. */
  'audit-review',
  /** Someone asked for this report. */
  'report-requested',
  /** Any other recorded access naming her: listed rather than silently left out. */
  'other',
] as const;
export type AccessKind = (typeof accessKinds)[number];

/** Kinds where her case data left the gateway or was handed to it: these need a legal basis. */
export const RELEASE_KINDS: ReadonlySet<AccessKind> = new Set([
  'referral-sent',
  'referral-received',
]);

/** An institution by its registry id and name, or a person by role only. */
export interface Party {
  /** `Organization/<partner id>`; absent for people. */
  readonly reference?: string;
  /** The registry name of the institution, or the role of a person (`auditor`). */
  readonly name: string;
  /** The organization-role code (police, shelter…), or `auditor` / `operator` for people. */
  readonly role?: string;
  readonly kind: 'organization' | 'person';
}

/** A break-the-glass grant as the report shows it; never the survivor, only the grant. */
export interface GrantSummary {
  readonly id: string;
  readonly organization: string;
  readonly justification: string;
  readonly riskLevel?: string;
  readonly grantedAt: string;
  readonly expiresAt: string;
  readonly stoppedAt?: string;
  /** `pending` until an auditor reviewed it. */
  readonly review: 'pending' | 'justified' | 'unjustified' | 'needs-follow-up';
  readonly reviewedAt?: string;
}

/** A consent version relied on, with who recorded it and when. */
export interface ConsentSummary {
  /** `Consent/<id>/_history/<version>`. */
  readonly reference: string;
  readonly recordedAt?: string;
  readonly recorder?: string;
}

/** Why the access was lawful, as the gateway decided it. */
export type DisclosureBasis =
  | { readonly kind: 'consent'; readonly consents: readonly ConsentSummary[] }
  | { readonly kind: 'break-the-glass'; readonly grant: GrantSummary }
  /** An institution taking part in her case (sender, recipient, recorder of her consent). */
  | { readonly kind: 'case-participation' }
  /** Auditors: oversight of the gateway and of the institutions. */
  | { readonly kind: 'oversight' };

export interface DisclosureEntry {
  /** ISO-8601, as recorded. */
  readonly at: string;
  readonly kind: AccessKind;
  readonly who: Party;
  /** For a sent referral: the institution it was addressed to. */
  readonly recipient?: Party;
  /** What was touched: `Task/<id>`, `Bundle/<id>`, `Consent/<id>`… */
  readonly references: readonly string[];
  readonly dataClasses: readonly DataClass[];
  /** A consent-purpose code (protection, shelter…) or `emergency`. */
  readonly purpose?: string;
  readonly basis: DisclosureBasis;
  /** The ledger AuditEvents this entry summarises, by id, so an auditor can verify each one. */
  readonly ledgerEvents: readonly string[];
  /** Ledger position of the first of them, to order entries recorded in the same instant. */
  readonly seq: number;
}

export interface DisclosureReport {
  /** When the report was made. */
  readonly generatedAt: string;
  /** Oldest first. */
  readonly entries: readonly DisclosureEntry[];
  /** True when more accesses exist than the report holds (the most recent are kept). */
  readonly truncated: boolean;
}

/** The report holds at most this many entries: the most recent ones. */
export const MAX_REPORT_ENTRIES = 1000;
