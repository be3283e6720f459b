// Migration 0011: a partner client's keys become rows with a window (added, retires), so keys rotate with an overlap and clients can be removed.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { StoreMigration } from './store-migration.js';

/** The tables as this migration reads and writes them; frozen here so later changes cannot alter it. */
interface Tables {
  partner_client: {
    client_id: string;
    partner_id: string;
    jwks: string | null;
    certificate_fingerprints: string;
    created_at: string;
  };
  partner_key: {
    id: string;
    client_id: string;
    partner_id: string;
    kid: string | null;
    jwk: string | null;
    certificate_fingerprint: string | null;
    certificate: string | null;
    added_at: string;
    retires_at: string | null;
  };
}

async function up(untyped: Kysely<unknown>): Promise<void> {
  const db = untyped as unknown as Kysely<Tables>;
  await db.schema
    .createTable('partner_key')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('client_id', 'text', (column) =>
      column.notNull().references('partner_client.client_id').onDelete('restrict'),
    )
    .addColumn('partner_id', 'text', (column) =>
      column.notNull().references('partner.id').onDelete('restrict'),
    )
    // A registered JWK (found by kid), or a bound certificate (found by fingerprint).
    .addColumn('kid', 'text')
    .addColumn('jwk', 'text')
    .addColumn('certificate_fingerprint', 'text')
    // Base64 DER, when the gateway saw the certificate itself (published as x5c).
    .addColumn('certificate', 'text')
    .addColumn('added_at', 'text', (column) => column.notNull())
    // The key works until this instant (exclusive); null means until an operator rotates it.
    .addColumn('retires_at', 'text')
    .execute();
  // Why per partner and never reused: a signature names its key by kid alone, across every client
  // of the sender, and a kid that once meant another key would verify old names with new keys.
  await db.schema
    .createIndex('partner_key_kid')
    .on('partner_key')
    .columns(['partner_id', 'kid'])
    .unique()
    .execute();
  await db.schema
    .createIndex('partner_key_certificate')
    .on('partner_key')
    .columns(['partner_id', 'certificate_fingerprint'])
    .unique()
    .execute();
  await db.schema.createIndex('partner_key_client').on('partner_key').column('client_id').execute();

  const clients = await db.selectFrom('partner_client').selectAll().execute();
  for (const client of clients) {
    const base = {
      client_id: client.client_id,
      partner_id: client.partner_id,
      added_at: client.created_at,
      retires_at: null,
      certificate: null,
    };
    const keys = client.jwks === null ? [] : (JSON.parse(client.jwks) as { keys: object[] }).keys;
    for (const jwk of keys) {
      await db
        .insertInto('partner_key')
        .values({
          ...base,
          id: randomUUID(),
          kid: (jwk as { kid?: string }).kid ?? null,
          jwk: JSON.stringify(jwk),
          certificate_fingerprint: null,
        })
        .execute();
    }
    for (const fingerprint of JSON.parse(client.certificate_fingerprints) as string[]) {
      await db
        .insertInto('partner_key')
        .values({
          ...base,
          id: randomUUID(),
          kid: null,
          jwk: null,
          certificate_fingerprint: fingerprint.toUpperCase(),
        })
        .execute();
    }
  }
  await db.schema.alterTable('partner_client').dropColumn('jwks').execute();
  await db.schema.alterTable('partner_client').dropColumn('certificate_fingerprints').execute();
  // Why keep removed clients: audit records name client ids, and a removed id must never return.
  await db.schema.alterTable('partner_client').addColumn('removed_at', 'text').execute();
}

export const partnerKeys: StoreMigration = { name: '0011-partner-keys', up };
