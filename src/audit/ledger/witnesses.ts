// Witnesses of the log: the registry of their keys, and the cosignatures they return, verified before they are kept.
import type { Kysely } from 'kysely';
import { GatewayError } from '../../kernel/index.js';
import type { Database } from '../../store/index.js';
import {
  isNoteError,
  parseSignatureLine,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  verifyCosignature,
  type NoteVerifier,
} from '../note/index.js';
import { findCheckpoint, listCosignatures, withCosignatures } from './checkpoint-repository.js';

export interface Witness {
  readonly name: string;
  readonly verifierKey: string;
  readonly status: 'active' | 'retired';
  readonly createdAt: string;
}

/** Reads a C2SP cosignature verifier key (type 0x04); anything else is refused with its reason. */
export function readWitnessKey(verifierKey: string): NoteVerifier {
  let verifier: NoteVerifier;
  try {
    verifier = parseVerifierKey(verifierKey.trim());
  } catch (cause) {
    throw new GatewayError(
      'ENLACE_AUDIT_WITNESS_INVALID',
      'The witness key is not a C2SP verifier key.',
      { cause },
    );
  }
  if (verifier.type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
    throw new GatewayError(
      'ENLACE_AUDIT_WITNESS_INVALID',
      'A witness key must be a cosignature/v1 key (signature type 0x04).',
    );
  }
  return verifier;
}

export async function registerWitness(
  db: Kysely<Database>,
  verifierKey: string,
  at: Date,
): Promise<Witness> {
  const verifier = readWitnessKey(verifierKey);
  const existing = await db
    .selectFrom('audit_witness')
    .select('name')
    .where('name', '=', verifier.name)
    .executeTakeFirst();
  if (existing !== undefined) {
    throw new GatewayError(
      'ENLACE_AUDIT_WITNESS_EXISTS',
      `A witness named ${verifier.name} is already registered.`,
    );
  }
  const witness: Witness = {
    name: verifier.name,
    verifierKey: verifierKey.trim(),
    status: 'active',
    createdAt: at.toISOString(),
  };
  await db
    .insertInto('audit_witness')
    .values({
      name: witness.name,
      verifier_key: witness.verifierKey,
      status: witness.status,
      created_at: witness.createdAt,
      updated_at: witness.createdAt,
    })
    .execute();
  return witness;
}

export async function listWitnesses(db: Kysely<Database>): Promise<Witness[]> {
  const rows = await db.selectFrom('audit_witness').selectAll().orderBy('name').execute();
  return rows.map((row) => ({
    name: row.name,
    verifierKey: row.verifier_key,
    status: row.status === 'active' ? 'active' : 'retired',
    createdAt: row.created_at,
  }));
}

/**
 * Stores a witness's cosignature of the checkpoint of `size` and returns the cosigned note. Why
 * no token: the line is its own credential — it verifies only under a registered witness key.
 */
export async function acceptCosignature(
  db: Kysely<Database>,
  size: number,
  line: string,
  at: Date,
): Promise<{ readonly note: string; readonly witness: string }> {
  const checkpoint = await findCheckpoint(db, size);
  if (checkpoint === undefined) {
    throw new GatewayError(
      'ENLACE_AUDIT_CHECKPOINT_NOT_FOUND',
      `No checkpoint of size ${size} was signed.`,
    );
  }
  const text = line.endsWith('\n') ? line : `${line}\n`;
  const signature = readLine(text);
  const row = await db
    .selectFrom('audit_witness')
    .select(['verifier_key', 'status'])
    .where('name', '=', signature.name)
    .executeTakeFirst();
  if (row?.status !== 'active') {
    throw new GatewayError(
      'ENLACE_AUDIT_WITNESS_UNKNOWN',
      'The cosignature is not from a registered witness.',
    );
  }
  let cosignedAt: number;
  try {
    cosignedAt = verifyCosignature(
      checkpoint.note,
      signature,
      readWitnessKey(row.verifier_key),
    ).timestamp;
  } catch (cause) {
    if (!isNoteError(cause)) throw cause;
    throw new GatewayError(
      'ENLACE_AUDIT_COSIGNATURE_INVALID',
      'The cosignature does not verify for this checkpoint.',
      {
        cause,
      },
    );
  }
  await db
    .insertInto('audit_cosignature')
    .values({
      size,
      witness: signature.name,
      line: text,
      cosigned_at: cosignedAt,
      received_at: at.toISOString(),
    })
    .onConflict((conflict) => conflict.columns(['size', 'witness']).doNothing())
    .execute();
  return {
    note: withCosignatures(checkpoint, await listCosignatures(db, size)),
    witness: signature.name,
  };
}

function readLine(text: string): ReturnType<typeof parseSignatureLine> {
  try {
    return parseSignatureLine(text);
  } catch (cause) {
    throw new GatewayError(
      'ENLACE_AUDIT_COSIGNATURE_INVALID',
      'The body is not one C2SP signature line.',
      { cause },
    );
  }
}
