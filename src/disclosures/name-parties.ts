// Puts names on the institutions of the report, from the partner registry; people stay roles.
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import type { Actor } from './classify-event.js';
import type { DraftEntry } from './build-entries.js';
import type { DisclosureEntry, Party } from './types.js';

interface Registered {
  readonly name: string;
  readonly role: string;
}

async function loadPartners(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, Registered>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('partner')
    .select(['id', 'name', 'role'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, { name: row.name, role: row.role }]));
}

function toParty(actor: Actor, partners: ReadonlyMap<string, Registered>): Party {
  if (actor.organization === undefined) {
    // Why the role only: the report is handed to her; staff names are not hers to need.
    const role = actor.personRole ?? 'person';
    return { kind: 'person', name: role, role };
  }
  const registered = partners.get(actor.organization);
  return {
    kind: 'organization',
    reference: `Organization/${actor.organization}`,
    name: registered?.name ?? actor.organization,
    ...(registered === undefined ? {} : { role: registered.role }),
  };
}

export async function nameParties(
  db: Kysely<Database>,
  drafts: readonly DraftEntry[],
): Promise<DisclosureEntry[]> {
  const ids = new Set<string>();
  for (const draft of drafts) {
    if (draft.who.organization !== undefined) ids.add(draft.who.organization);
    if (draft.recipient !== undefined) ids.add(draft.recipient);
  }
  const partners = await loadPartners(db, [...ids]);
  return drafts.map(({ who, recipient, ...rest }) => ({
    ...rest,
    who: toParty(who, partners),
    ...(recipient === undefined
      ? {}
      : { recipient: toParty({ organization: recipient }, partners) }),
  }));
}
