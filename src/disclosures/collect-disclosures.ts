// Her disclosure report in one screen: case records → ledger events → entries → grants → names → order → cap.
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { entriesFromLedger } from './build-entries.js';
import { findLedgerEvents } from './find-ledger-events.js';
import { entriesFromGrants } from './grant-entries.js';
import { loadCaseRecords } from './load-case-records.js';
import { nameParties } from './name-parties.js';
import { MAX_REPORT_ENTRIES, type DisclosureReport } from './types.js';

/**
 * Every access to her data and every disclosure of it, oldest first, the most recent
 * MAX_REPORT_ENTRIES at most. Runs on the caller's transaction so the report and its own audit
 * record see the same state.
 */
export async function collectDisclosures(
  db: Kysely<Database>,
  pseudonyms: readonly string[],
  now: Date,
): Promise<DisclosureReport> {
  const records = await loadCaseRecords(db, pseudonyms);
  const ledger = await findLedgerEvents(db, pseudonyms, [...records.referrals.keys()]);
  const drafts = [
    ...entriesFromLedger(ledger.events, records),
    ...entriesFromGrants(records.grants.values(), ledger.events),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq);
  const kept = drafts.slice(-MAX_REPORT_ENTRIES);
  return {
    generatedAt: now.toISOString(),
    entries: await nameParties(db, kept),
    truncated: ledger.truncated || records.truncated || drafts.length > kept.length,
  };
}
