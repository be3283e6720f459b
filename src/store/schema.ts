// The tables Enlace's storage holds, as kysely sees them; migrations create exactly these shapes.

/** One appended AuditEvent; the row is never updated or deleted (database triggers refuse it). */
export interface AuditEventTable {
  /** Position in the trail, assigned from `audit_sequence` so it is gapless and commit-ordered. */
  seq: number;
  id: string;
  /** AuditEvent.recorded, ISO-8601. */
  recorded: string;
  type_code: string | null;
  subtype_code: string | null;
  action: string | null;
  outcome: string | null;
  agent_who: string | null;
  entity_what: string | null;
  /** The AuditEvent as JSON. */
  resource: string;
}

/** The single row holding the last seq handed out; its row lock serializes appenders. */
export interface AuditSequenceTable {
  id: number;
  last_seq: number;
}

export interface KvEntryTable {
  key: string;
  value: string;
  /** Epoch milliseconds; an entry is live while `expires_at > now`. */
  expires_at: number;
}

/** A single row rewritten by readiness checks to prove the database accepts writes. */
export interface ReadinessProbeTable {
  id: number;
  checked_at: number;
}

/** A partner institution; its FHIR Organization is derived from this row. */
export interface PartnerTable {
  id: string;
  name: string;
  role: string;
  status: string;
  created_at: string;
  updated_at: string;
  version: number;
}

/** A SMART Backend Services client of a partner: its keys (JWKS) or bound certificates. */
export interface PartnerClientTable {
  client_id: string;
  partner_id: string;
  /** JSON array of JWS algorithm names. */
  allowed_algorithms: string;
  /** JSON Web Key Set (public keys only), or null when the client authenticates by certificate. */
  jwks: string | null;
  /** JSON array of SHA-256 certificate fingerprints bound to the client. */
  certificate_fingerprints: string;
  created_at: string;
}

/** A push address (rest-hook) of a partner. */
export interface PartnerEndpointTable {
  id: string;
  partner_id: string;
  address: string;
  status: string;
}

export interface Database {
  partner: PartnerTable;
  partner_client: PartnerClientTable;
  partner_endpoint: PartnerEndpointTable;
  audit_event: AuditEventTable;
  audit_sequence: AuditSequenceTable;
  kv_entry: KvEntryTable;
  readiness_probe: ReadinessProbeTable;
}
