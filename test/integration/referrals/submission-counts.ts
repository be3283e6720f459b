// Row counts a refused submission must leave unchanged, and the audit records it may add.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Store } from '../../../src/store/index.js';

export interface WrittenRows {
  readonly referral: number;
  readonly delivery: number;
  readonly disclosure: number;
  readonly audit: number;
}

export async function countRows(store: Store): Promise<WrittenRows> {
  const count = async (table: 'referral' | 'delivery' | 'consent_disclosure'): Promise<number> => {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    referral: await count('referral'),
    delivery: await count('delivery'),
    disclosure: await count('consent_disclosure'),
    audit: await store.audit.count(),
  };
}

/** The AuditEvents appended after `afterCount` records. */
export async function auditSince(store: Store, afterCount: number): Promise<AuditEvent[]> {
  return (await store.audit.list({ afterSeq: afterCount })).map((record) => record.event);
}
