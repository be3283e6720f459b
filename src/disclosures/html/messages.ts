// The words of the printable report, one set per language; plain language for the woman it is handed to.
import type { AccessKind, GrantSummary } from '../types.js';

export interface Messages {
  readonly lang: string;
  readonly locale: string;
  readonly title: string;
  readonly generatedOn: string;
  readonly timesNote: string;
  readonly intro: string;
  readonly tableTitle: string;
  readonly columns: {
    readonly when: string;
    readonly who: string;
    readonly what: string;
    readonly data: string;
    readonly why: string;
    readonly basis: string;
  };
  readonly none: string;
  readonly empty: string;
  readonly truncated: (max: number) => string;
  readonly kinds: Readonly<Record<AccessKind, string>>;
  /** For a sent referral: the addressee. */
  readonly sentTo: (recipient: string) => string;
  readonly purposes: Readonly<Record<string, string>>;
  readonly dataClasses: Readonly<Record<string, string>>;
  readonly roles: Readonly<Record<string, string>>;
  readonly basis: {
    readonly consent: string;
    readonly consentRecorded: (date: string) => string;
    readonly breakTheGlassMark: string;
    readonly justification: string;
    readonly until: (date: string) => string;
    readonly stopped: (date: string) => string;
    readonly review: Readonly<Record<GrantSummary['review'], string>>;
    readonly caseParticipation: string;
    readonly oversight: string;
  };
  readonly legendTitle: string;
  readonly legend: readonly { readonly term: string; readonly text: string }[];
  readonly rightsTitle: string;
  readonly rights: readonly string[];
  readonly reference: string;
}
