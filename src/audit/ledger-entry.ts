// What the ledger keeps of one AuditEvent: its canonical bytes, its RFC 9162 leaf hash and its search keys.
import type { AuditEvent } from '@medplum/fhirtypes';
import { canonicalJson, type JsonValue } from '../crypto/canonical-json.js';
import { PSEUDONYM_SYSTEM } from '../kernel/index.js';
import { leafHash } from './merkle/index.js';

/** The kinds of reference an auditor searches by (FHIR AuditEvent search parameters). */
export type LedgerRefKind = 'agent' | 'entity' | 'patient';

export interface LedgerRef {
  readonly kind: LedgerRefKind;
  /** A reference (`Organization/x`), an identifier as `system|value`, or a bare pseudonym. */
  readonly value: string;
}

export interface LedgerEntry {
  /** RFC 8785 canonical JSON of the event: what is stored, exported and hashed. */
  readonly canonical: string;
  /** SHA-256(0x00 ‖ canonical): the leaf of the Merkle log. */
  readonly leafHash: Uint8Array;
  readonly refs: readonly LedgerRef[];
}

const utf8 = new TextEncoder();

/**
 * Why JCS: an auditor recomputes the leaf from the exported event with any RFC 8785 library;
 * a serialisation that depended on member order would make that impossible.
 */
export function toLedgerEntry(event: AuditEvent): LedgerEntry {
  const canonical = canonicalJson(event as unknown as JsonValue);
  return { canonical, leafHash: leafHash(utf8.encode(canonical)), refs: ledgerRefs(event) };
}

/**
 * The leaf hash of an event as the database holds it. Why parse and canonicalise again: rows
 * written before the ledger existed hold JSON.stringify text; the leaf is always over JCS.
 */
export const leafHashOfStored = (resource: string): Uint8Array =>
  leafHash(utf8.encode(canonicalJson(JSON.parse(resource) as JsonValue)));

const identifierKey = (identifier: { system?: string; value?: string } | undefined) =>
  identifier?.value === undefined ? undefined : `${identifier.system ?? ''}|${identifier.value}`;

/** Every agent and entity reference and identifier, and her pseudonym where the event names her. */
export function ledgerRefs(event: AuditEvent): LedgerRef[] {
  const refs = new Map<string, LedgerRef>();
  const add = (kind: LedgerRefKind, value: string | undefined): void => {
    if (value !== undefined && value !== '') refs.set(`${kind}\n${value}`, { kind, value });
  };
  for (const agent of event.agent) {
    add('agent', agent.who?.reference);
    add('agent', identifierKey(agent.who?.identifier));
  }
  for (const entity of event.entity ?? []) {
    add('entity', entity.what?.reference);
    add('entity', identifierKey(entity.what?.identifier));
    if (entity.what?.identifier?.system === PSEUDONYM_SYSTEM) {
      add('patient', entity.what.identifier.value);
    }
  }
  return [...refs.values()];
}
