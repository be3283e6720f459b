// Turns her ledger events into report entries: one per access, each release with the decision that allowed it.
import type { AuditEvent } from '@medplum/fhirtypes';
import { REQUEST_ID_SYSTEM } from '../audit/index.js';
import type { DataClass } from '../consent/index.js';
import { DELIVERY_ID_SYSTEM } from '../referrals/index.js';
import {
  classifyEvent,
  type AccessFacts,
  type Actor,
  type DecisionFacts,
} from './classify-event.js';
import type { LedgerEvent } from './find-ledger-events.js';
import type { CaseRecords } from './load-case-records.js';
import { RELEASE_KINDS, type DisclosureBasis, type DisclosureEntry } from './types.js';

/** An entry before names are looked up: institutions by partner id. */
export type DraftEntry = Omit<DisclosureEntry, 'who' | 'recipient'> & {
  readonly who: Actor;
  readonly recipient?: string;
};

interface Classified {
  readonly seq: number;
  readonly event: AuditEvent;
  readonly facts: DecisionFacts | AccessFacts;
}

/**
 * Events of one request (or one push attempt) belong together: a submission is a decision and an
 * acceptance, a retrieval a decision, a release and the Task marked received.
 */
function groupKey(event: AuditEvent): string {
  const joined = (event.entity ?? []).find((entity) => {
    const system = entity.what?.identifier?.system;
    return system === REQUEST_ID_SYSTEM || system === DELIVERY_ID_SYSTEM;
  });
  return joined?.what?.identifier?.value ?? `event:${event.id ?? ''}`;
}

const referralIdOf = (references: readonly string[]): string | undefined =>
  references
    .map((reference) => /^(?:Task|Bundle)\/([^/]+)$/.exec(reference)?.[1])
    .find((id) => id !== undefined);

function basisOf(
  access: AccessFacts,
  decision: DecisionFacts | undefined,
  records: CaseRecords,
  at: string,
): DisclosureBasis {
  if (RELEASE_KINDS.has(access.kind) && decision !== undefined) {
    // Why the grant first: under break-the-glass the decision also names the consent that denied.
    if (decision.grant !== undefined) {
      const grant = records.grants.get(decision.grant) ?? {
        id: decision.grant,
        organization: access.who.organization ?? '',
        justification: '',
        grantedAt: at,
        expiresAt: at,
        review: 'pending' as const,
      };
      return { kind: 'break-the-glass', grant };
    }
    if (decision.reliedOn.length > 0) {
      return {
        kind: 'consent',
        consents: decision.reliedOn.map(
          (reference) => records.consents.get(reference) ?? { reference },
        ),
      };
    }
  }
  return access.who.personRole !== undefined || access.kind === 'audit-review'
    ? { kind: 'oversight' }
    : { kind: 'case-participation' };
}

/** What was released: as consent_disclosure recorded it, else all the referral carries. */
function dataClassesOf(access: AccessFacts, at: string, records: CaseRecords): DataClass[] {
  const id = referralIdOf(access.references);
  const referral = id === undefined ? undefined : records.referrals.get(id);
  if (referral === undefined || !RELEASE_KINDS.has(access.kind)) return [];
  if (access.kind === 'referral-received') {
    const release = records.releases.find(
      (candidate) =>
        candidate.recipient === access.who.organization &&
        candidate.reference === `Bundle/${referral.id}` &&
        Date.parse(candidate.at) === Date.parse(at),
    );
    if (release !== undefined) return [...release.dataClasses];
  }
  return [...referral.dataClasses];
}

function toEntries(group: readonly Classified[], records: CaseRecords): DraftEntry[] {
  const decisions = group.flatMap((item) => (item.facts.role === 'decision' ? [item.facts] : []));
  const accesses = group.filter(
    (item): item is Classified & { facts: AccessFacts } => item.facts.role === 'access',
  );
  const released = accesses.some((item) => item.facts.kind === 'referral-received');
  const ledgerEvents = group.map((item) => item.event.id ?? '').filter(Boolean);
  return (
    accesses
      // A retrieval moves the Task to "received" itself; that is part of the release, not another access.
      .filter((item) => !(released && item.facts.kind === 'referral-updated'))
      .map((item): DraftEntry => {
        const { facts } = item;
        const at = item.event.recorded;
        const addressee = facts.kind === 'referral-sent' ? facts.recipient : facts.who.organization;
        const decision = decisions.find((candidate) => candidate.recipient === addressee);
        const id = referralIdOf(facts.references);
        const purpose =
          facts.purpose ??
          decision?.purpose ??
          (id === undefined ? undefined : records.referrals.get(id)?.purpose);
        return {
          at,
          kind: facts.kind,
          who: facts.who,
          ...(facts.recipient === undefined ? {} : { recipient: facts.recipient }),
          references: facts.references,
          dataClasses: dataClassesOf(facts, at, records),
          ...(purpose === undefined ? {} : { purpose }),
          basis: basisOf(facts, decision, records, at),
          ledgerEvents,
          seq: item.seq,
        };
      })
  );
}

export function entriesFromLedger(
  events: readonly LedgerEvent[],
  records: CaseRecords,
): DraftEntry[] {
  const groups = new Map<string, Classified[]>();
  for (const { seq, event } of events) {
    const facts = classifyEvent(event);
    if (facts.role === 'ignored') continue;
    const key = groupKey(event);
    groups.set(key, [...(groups.get(key) ?? []), { seq, event, facts }]);
  }
  // A decision alone (a push that then failed) released nothing, so it yields no entry.
  return [...groups.values()].flatMap((group) => toEntries(group, records));
}
