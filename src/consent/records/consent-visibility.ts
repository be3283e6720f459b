// Who may see and who may revoke a consent: the recorder, the institutions it names, and those serving her.
import type { Consent, ConsentProvision } from '@medplum/fhirtypes';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.js';
import type { ConsentRecord } from './consent-record.js';

const ORGANIZATION_PREFIX = 'Organization/';

/** Partner ids named as specific actors, with the type of each provision naming them. */
export function namedOrganizations(consent: Consent): Map<string, Set<'permit' | 'deny'>> {
  const named = new Map<string, Set<'permit' | 'deny'>>();
  const visit = (provision: ConsentProvision | undefined): void => {
    if (provision === undefined) return;
    for (const actor of provision.actor ?? []) {
      const reference = actor.reference.reference;
      if (reference?.startsWith(ORGANIZATION_PREFIX) !== true || provision.type === undefined) {
        continue;
      }
      const id = reference.slice(ORGANIZATION_PREFIX.length);
      const types = named.get(id) ?? new Set();
      types.add(provision.type);
      named.set(id, types);
    }
    for (const nested of provision.provision ?? []) visit(nested);
  };
  visit(consent.provision);
  return named;
}

/**
 * Whether `partnerId` may know this consent exists. Everyone else is answered 404 exactly as for a
 * consent that does not exist, because even its existence says a survivor sought protection.
 */
export function canSeeConsent(record: ConsentRecord, partnerId: string): boolean {
  return record.recorder === partnerId || namedOrganizations(record.resource).has(partnerId);
}

/** The same rule read from the resource alone: the recorder is its `organization`, set at creation. */
export function canSeeConsentResource(resource: Consent, partnerId: string): boolean {
  const recorder = `${ORGANIZATION_PREFIX}${partnerId}`;
  return (
    (resource.organization ?? []).some((organization) => organization.reference === recorder) ||
    namedOrganizations(resource).has(partnerId)
  );
}

/**
 * Whether `partnerId` serves her under this consent and so may revoke it on her behalf: the
 * recorder, or an institution a permit provision names. One named only to be denied may see that,
 * but must not be able to withdraw the consent that excludes it.
 */
export function canRevokeConsent(record: ConsentRecord, partnerId: string): boolean {
  return (
    record.recorder === partnerId ||
    namedOrganizations(record.resource).get(partnerId)?.has('permit') === true
  );
}

/** Referral statuses after which an institution no longer serves her. */
const CLOSED = ['completed', 'failed', 'rejected', 'cancelled'];

/**
 * Whether `partnerId` holds an open referral for the survivor (as sender or recipient): she can
 * withdraw consent wherever she is being served, not only where she first gave it.
 */
export async function servesSurvivor(
  db: Kysely<Database>,
  pseudonym: string,
  partnerId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('referral')
    .select('id')
    .where('pseudonym', '=', pseudonym)
    .where((eb) => eb.or([eb('sender', '=', partnerId), eb('recipient', '=', partnerId)]))
    .where('status', 'not in', CLOSED)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
