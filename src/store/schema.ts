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
  /** The Merkle log's compact range at `last_seq` leaves: a JSON list of base64 hashes. */
  frontier: string;
}

/** A complete subtree of the Merkle log: node (level, idx) covers leaves [idx·2^level, (idx+1)·2^level). */
export interface AuditTreeNodeTable {
  level: number;
  idx: number;
  hash: Uint8Array;
}

/** One search key of an AuditEvent: an agent or entity reference or identifier, or her pseudonym. */
export interface AuditEventRefTable {
  kind: string;
  value: string;
  seq: number;
}

/** A signed checkpoint of the log (C2SP tlog-checkpoint as a signed note); never changed. */
export interface AuditCheckpointTable {
  size: number;
  root: Uint8Array;
  /** The whole signed note: checkpoint text, blank line, the log key's signature line. */
  note: string;
  created_at: string;
}

/** A witness's C2SP tlog-cosignature of one checkpoint, verified before it is stored. */
export interface AuditCosignatureTable {
  size: number;
  witness: string;
  /** The signature line, ready to append to the checkpoint note. */
  line: string;
  /** The witness's own timestamp (seconds), from the cosignature. */
  cosigned_at: number;
  received_at: string;
}

/** An auditor's asynchronous export: its request, progress and, once done, its manifest. */
export interface AuditExportTable {
  id: string;
  /** accepted, in-progress, completed, failed, cancelled. */
  status: string;
  /** The auditor's username. */
  requested_by: string;
  /** The kick-off request URL. */
  request: string;
  /** The filter as JSON: since, until, the survivor's pseudonyms. */
  filter: string;
  /** The size of the checkpoint the export is proven against. */
  tree_size: number | null;
  done: number;
  total: number | null;
  error: string | null;
  /** The Bulk Data manifest (relative file names), once completed. */
  manifest: string | null;
  created_at: string;
  updated_at: string;
  /** When the files are deleted. */
  expires_at: string;
}

/** One part (at most 4 MiB) of an export's file, on PostgreSQL deployments. */
export interface AuditExportFileTable {
  export_id: string;
  name: string;
  part: number;
  data: Uint8Array;
}

/** A witness the operator registered: an oversight body's Ed25519 cosigning key. */
export interface AuditWitnessTable {
  name: string;
  /** The C2SP verifier key (`name+hash+base64`, type 0x04). */
  verifier_key: string;
  status: string;
  created_at: string;
  updated_at: string;
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

/** A SMART Backend Services client of a partner; its keys are rows of `partner_key`. */
export interface PartnerClientTable {
  client_id: string;
  partner_id: string;
  /** JSON array of JWS algorithm names. */
  allowed_algorithms: string;
  created_at: string;
  /** When an operator removed the client; a removed client authenticates no more. */
  removed_at: string | null;
}

/** One key of a partner client: a public JWK (by kid) or a bound certificate (by fingerprint). */
export interface PartnerKeyTable {
  id: string;
  client_id: string;
  partner_id: string;
  /** Set for a JWK; unique per partner, never reused. */
  kid: string | null;
  /** The public JWK, JSON. */
  jwk: string | null;
  /** SHA-256 fingerprint of a bound certificate, upper-case hex with colons. */
  certificate_fingerprint: string | null;
  /** The bound certificate, base64 DER, when the gateway saw it. */
  certificate: string | null;
  added_at: string;
  /** ISO-8601; the key works until this instant (exclusive). Null: until rotated. */
  retires_at: string | null;
}

/** A push address (rest-hook) of a partner. */
export interface PartnerEndpointTable {
  id: string;
  partner_id: string;
  address: string;
  status: string;
}

/** A partner certificate the gateway's issuing CA signed; revocation is the only later change. */
export interface PkiCertificateTable {
  /** Lowercase hexadecimal serial without leading zero bytes. */
  serial: string;
  partner_id: string;
  /** Issued subject, RFC 4514 string. */
  subject: string;
  /** ISO-8601. */
  not_before: string;
  not_after: string;
  pem: string;
  issued_at: string;
  revoked_at: string | null;
  /** RFC 5280 CRLReason name, e.g. "keyCompromise"; null while not revoked. */
  revocation_reason: string | null;
}

/** An operator or auditor who signs in with a password and a TOTP code. */
export interface PersonTable {
  id: string;
  username: string;
  /** `operator` or `auditor`. */
  role: string;
  /** `enabled` or `disabled`. */
  status: string;
  /** PHC-style scrypt string with its parameters: `$scrypt$ln=15,r=8,p=1$<salt>$<key>`. */
  password_hash: string;
  /** The TOTP secret sealed with AES-256-GCM: `v1.<iv>.<ciphertext>.<tag>`, base64url parts. */
  totp_secret: string;
  /** The last TOTP time step accepted; codes of this or an earlier step are refused. */
  last_totp_step: number | null;
  /** Consecutive failed sign-in steps since the last success or unlock. */
  failed_attempts: number;
  /** Epoch milliseconds; sign-in is refused while `locked_until > now`. */
  locked_until: number | null;
  created_at: string;
  updated_at: string;
  /** Epoch milliseconds of the last failed step; a failure a day older stops counting. */
  last_failed_at: number | null;
}

/** One person session token (`id` is its jti); refused once revoked, deleted some time after it expires. */
export interface PersonSessionTable {
  id: string;
  person_id: string;
  issued_at: string;
  /** Epoch milliseconds. */
  expires_at: number;
  /** Set by sign-out or an operator's revocation. */
  revoked_at: string | null;
}

/** Failed sign-ins under a name that is no account, counted and locked exactly as an account's. */
export interface SignInNameTable {
  /** SHA-256 (hex) of the lower-cased name. */
  name_hash: string;
  failed_attempts: number;
  /** Epoch milliseconds. */
  locked_until: number | null;
  /** Epoch milliseconds; rows a day older are deleted. */
  last_failed_at: number;
}

/** A governed break-the-glass grant: one survivor (by pseudonym), one institution, a bounded time. */
export interface EmergencyGrantTable {
  id: string;
  /** The survivor's pseudonym under the key current at grant time: `<keyId>.<hmac>`. */
  pseudonym: string;
  key_id: string;
  /** The partner id of the institution the grant was given to. */
  organization: string;
  /** Its organization-role code at grant time. */
  role: string;
  /** The professional's reason, free text; reviewed by auditors. */
  justification: string;
  /** `high` or `extreme`, or null when the caller gave none. */
  risk_level: string | null;
  /** ISO-8601; the grant is in force while `granted_at <= now < expires_at` and not stopped. */
  granted_at: string;
  expires_at: string;
  stopped_at: string | null;
  reviewed_at: string | null;
  /** The auditor's username. */
  reviewed_by: string | null;
  /** `justified`, `unjustified` or `needs-follow-up`. */
  review_outcome: string | null;
  review_note: string | null;
}

/** A message owed to a partner (break-glass notices first); a delivery worker pushes and marks it. */
export interface NotificationTable {
  id: string;
  /** The partner id of the institution to notify. */
  recipient: string;
  kind: string;
  /** JSON; carries pseudonyms and ids only, never a survivor's identifying data. */
  payload: string;
  created_at: string;
  delivered_at: string | null;
}

/** A survivor's consent as it stands now (the newest version); the raw identifier is never stored. */
export interface ConsentTable {
  id: string;
  version: number;
  /** The survivor's pseudonym under the key current at recording: `<keyId>.<hmac>`. */
  pseudonym: string;
  key_id: string;
  /** FHIR Consent.status: `active` or `inactive`. */
  status: string;
  /** The partner id of the institution that recorded it. */
  recorder: string;
  /** ISO-8601. */
  recorded_at: string;
  updated_at: string;
  /**
   * The FHIR Consent (the pseudonym in place of the partner's identifier), sealed by the payload
   * vault: a compact JWE, aad `consent:<id>:<version>`.
   */
  resource: string;
}

/** Every version of every consent, never updated or deleted: the history and past decisions come from here. */
export interface ConsentVersionTable {
  id: string;
  version: number;
  /** That version of the Consent, sealed like `consent.resource` (aad `consent:<id>:<version>`). */
  resource: string;
  /** ISO-8601. */
  changed_at: string;
  /** `Organization/<partnerId>` of the institution that made the change. */
  changed_by: string;
  /** `create` or `revoke`. */
  change: string;
}

/** A business identifier (`Consent.identifier`) of a consent, as the keyed digest If-None-Exist finds it by. */
export interface ConsentIdentifierTable {
  consent_id: string;
  /** The pseudonym (keyed HMAC, `<key id>.<mac>`) of the identifier's system and value; never the identifier. */
  digest: string;
}

/** One release of case data relied on a consent version; revocation tells these recipients. */
export interface ConsentDisclosureTable {
  id: string;
  consent_id: string;
  consent_version: number;
  /** The partner id of the receiving institution. */
  recipient: string;
  /** ISO-8601. */
  disclosed_at: string;
  /** What was released: a reference (e.g. `Bundle/<id>`) and the data classes, as JSON. */
  what: string;
}

/** Per survivor: bumped by each revocation; consent checks hold it shared, so revocations serialise with them. */
export interface SurvivorConsentStateTable {
  pseudonym: string;
  epoch: number;
}

/** A referral: the sender's signed message sealed at rest, its Task, and who may see it. */
export interface ReferralTable {
  /** Also the Task id and the id under which the recipient retrieves the message (`Bundle/<id>`). */
  id: string;
  /** `Bundle.identifier` as `<system>|<value>`: the idempotency key of the submission. */
  message_key: string;
  /** SHA-256 (hex) of the canonical (RFC 8785) signed Bundle: same key + same hash = a retry. */
  content_hash: string;
  sender: string;
  recipient: string;
  /** The survivor's pseudonym under the key current at submission. */
  pseudonym: string;
  event: string;
  purpose: string;
  /** JSON array of the data classes the message carries. */
  data_classes: string;
  /** BSeR business status (requested, received, accepted…). */
  status: string;
  /**
   * The FHIR Task, sealed by the payload vault (a compact JWE, aad `task:<id>:<task_version>`): its
   * notes, statusReason and output are partners' free text. Searches use the columns, never this.
   */
  task: string;
  /** Increases on every Task change: the ETag and `meta.versionId`. */
  task_version: number;
  /** Key-encryption key id and the sealed (JWE A256KW/A256GCM) signed Bundle. */
  payload_key_id: string;
  payload: string;
  /** The gateway-signed acknowledgement returned to the sender, as JSON (replayed on retries). */
  acknowledgement: string;
  /**
   * The recipient's own signed acknowledgement message, when it sent one, sealed by the payload
   * vault (aad `recipient-acknowledgement:<id>`).
   */
  recipient_acknowledgement: string | null;
  /** The request's MessageHeader.id (or its urn:uuid): what an acknowledgement's response.identifier names. */
  message_header_id: string | null;
  created_at: string;
  updated_at: string;
}

/** A public key a partner receives encrypted messages with (JWE ECDH-ES+A256KW or RSA-OAEP-256). */
export interface PartnerEncryptionKeyTable {
  partner_id: string;
  kid: string;
  /** The public JWK, `use: enc`. */
  jwk: string;
  created_at: string;
}

/** One version of a referral's Task, never updated or deleted: `GET /fhir/Task/{id}/_history` reads these. */
export interface TaskVersionTable {
  referral_id: string;
  version: number;
  status: string;
  /** The Task exactly as `referral.task` held it at this version. */
  task: string;
  /** ISO-8601: when this version was written (its `meta.lastUpdated`). */
  changed_at: string;
  /** What made it: `create`, `patch`, `message`, `retrieve`, or `migrated` (kept from before 0014). */
  change: string;
}

/** The transactional outbox: one row per message to push to a partner's rest-hook endpoint. */
export interface DeliveryTable {
  id: string;
  /** Stable per message and recipient: recipients discard duplicates by it. */
  idempotency_key: string;
  recipient: string;
  /** `referral`, `task-update`, `consent-revoked`, `break-glass`, `acknowledgement`. */
  kind: string;
  /** The referral it concerns, if any (consent is re-checked against it at each attempt). */
  referral_id: string | null;
  /**
   * What to send: a compact JWE sealed by the payload vault (aad `delivery:<id>`) of its JSON. Rows
   * written before 0012 may still hold the JSON itself until the worker seals them at start.
   */
  payload: string;
  /** `pending`, `delivered`, `dead`. */
  status: string;
  attempts: number;
  /** Epoch milliseconds of the next attempt; workers claim rows whose time has come. */
  next_attempt_at: number;
  /** Until when a worker holds the row (epoch ms), so two instances never push it twice at once. */
  lease_until: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  /** 1, 2, … per (referral, recipient): the order pushes about one referral reach a recipient. */
  referral_seq: number | null;
}

export interface Database {
  referral: ReferralTable;
  task_version: TaskVersionTable;
  partner_encryption_key: PartnerEncryptionKeyTable;
  delivery: DeliveryTable;
  partner: PartnerTable;
  person: PersonTable;
  person_session: PersonSessionTable;
  sign_in_name: SignInNameTable;
  partner_client: PartnerClientTable;
  partner_key: PartnerKeyTable;
  partner_endpoint: PartnerEndpointTable;
  audit_event: AuditEventTable;
  audit_sequence: AuditSequenceTable;
  audit_tree_node: AuditTreeNodeTable;
  audit_event_ref: AuditEventRefTable;
  audit_checkpoint: AuditCheckpointTable;
  audit_cosignature: AuditCosignatureTable;
  audit_witness: AuditWitnessTable;
  audit_export: AuditExportTable;
  audit_export_file: AuditExportFileTable;
  kv_entry: KvEntryTable;
  pki_certificate: PkiCertificateTable;
  readiness_probe: ReadinessProbeTable;
  consent: ConsentTable;
  consent_version: ConsentVersionTable;
  consent_identifier: ConsentIdentifierTable;
  consent_disclosure: ConsentDisclosureTable;
  survivor_consent_state: SurvivorConsentStateTable;
  emergency_grant: EmergencyGrantTable;
  notification: NotificationTable;
}
