// The pki_certificate table: issued partner certificates and their revocation, through kysely.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../store/index.js';
import type { RevocationReason } from './revocation-reasons.js';

export interface CertificateRecord {
  readonly serial: string;
  readonly partnerId: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly pem: string;
  readonly issuedAt: Date;
  readonly revokedAt: Date | undefined;
  readonly revocationReason: RevocationReason | undefined;
}

type Row = Selectable<Database['pki_certificate']>;

function toRecord(row: Row): CertificateRecord {
  return {
    serial: row.serial,
    partnerId: row.partner_id,
    subject: row.subject,
    notBefore: new Date(row.not_before),
    notAfter: new Date(row.not_after),
    pem: row.pem,
    issuedAt: new Date(row.issued_at),
    revokedAt: row.revoked_at === null ? undefined : new Date(row.revoked_at),
    revocationReason: (row.revocation_reason ?? undefined) as RevocationReason | undefined,
  };
}

export async function insertCertificate(
  db: Kysely<Database>,
  record: CertificateRecord,
): Promise<void> {
  await db
    .insertInto('pki_certificate')
    .values({
      serial: record.serial,
      partner_id: record.partnerId,
      subject: record.subject,
      not_before: record.notBefore.toISOString(),
      not_after: record.notAfter.toISOString(),
      pem: record.pem,
      issued_at: record.issuedAt.toISOString(),
      revoked_at: null,
      revocation_reason: null,
    })
    .execute();
}

export async function findCertificate(
  db: Kysely<Database>,
  serial: string,
): Promise<CertificateRecord | undefined> {
  const row = await db
    .selectFrom('pki_certificate')
    .selectAll()
    .where('serial', '=', serial)
    .executeTakeFirst();
  return row === undefined ? undefined : toRecord(row);
}

/** The hot-path lookup: only what revocation checking needs. */
export async function findRevocationState(
  db: Kysely<Database>,
  serial: string,
): Promise<{ readonly partnerId: string; readonly revoked: boolean } | undefined> {
  const row = await db
    .selectFrom('pki_certificate')
    .select(['partner_id', 'revoked_at'])
    .where('serial', '=', serial)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { partnerId: row.partner_id, revoked: row.revoked_at !== null };
}

/** Marks the certificate revoked unless it already is; returns whether this call revoked it. */
export async function markRevoked(
  db: Kysely<Database>,
  serial: string,
  at: Date,
  reason: RevocationReason,
): Promise<boolean> {
  // Why one conditional UPDATE: two operators (or instances) revoking at once cannot both succeed.
  const result = await db
    .updateTable('pki_certificate')
    .set({ revoked_at: at.toISOString(), revocation_reason: reason })
    .where('serial', '=', serial)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function listCertificateRecords(
  db: Kysely<Database>,
  partnerId?: string,
): Promise<CertificateRecord[]> {
  let query = db.selectFrom('pki_certificate').selectAll();
  if (partnerId !== undefined) query = query.where('partner_id', '=', partnerId);
  const rows = await query.orderBy('issued_at').orderBy('serial').execute();
  return rows.map(toRecord);
}

export async function listRevoked(
  db: Kysely<Database>,
): Promise<{ serial: string; revokedAt: Date; reason: RevocationReason }[]> {
  const rows = await db
    .selectFrom('pki_certificate')
    .select(['serial', 'revoked_at', 'revocation_reason'])
    .where('revoked_at', 'is not', null)
    .orderBy('serial')
    .execute();
  return rows.map((row) => ({
    serial: row.serial,
    revokedAt: new Date(row.revoked_at ?? 0),
    reason: (row.revocation_reason ?? 'unspecified') as RevocationReason,
  }));
}
