// Builds audit exports from seeded random AuditEvents with the real Merkle, note and export-format code.
import type { AuditEvent } from '@medplum/fhirtypes';
import { auditSubtype, auditType, buildAuditEvent } from '../../src/audit/index.js';
import { createExportWriter, type ExportWriter } from '../../src/audit/export-format/index.js';
import {
  appendLeaf,
  compactRangeRoot,
  consistencyProof,
  EMPTY_RANGE,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  rootAt,
  type CompactRange,
  type NodeReader,
  type TreeNode,
} from '../../src/audit/merkle/index.js';
import {
  cosign,
  formatCheckpoint,
  generateCosignerKey,
  generateNoteKey,
  parseSignerKey,
  signNote,
  type NoteSigner,
} from '../../src/audit/note/index.js';
import { canonicalJson, type JsonValue } from '../../src/crypto/canonical-json.js';

export const FIXTURE_ORIGIN = 'enlace.example.org/audit-log';
const PSEUDONYMS = 'https://enlace.example.org/fhir/NamingSystem/survivor-pseudonym';
const BASE_TIME = Date.UTC(2025, 0, 1);
const COSIGNED_AT = 1_750_000_000;

export interface ExportFixtureOptions {
  /** Leaves in the log; the export's checkpoint has this size. */
  readonly size: number;
  /** Leaf indexes for a filtered export, increasing; absent for a complete export. */
  readonly indexes?: readonly number[];
  /** Sizes (each below `size`) of the log's earlier checkpoints: one consistency line each. */
  readonly checkpointSizes?: readonly number[];
  /** Witnesses that cosign the export's checkpoint. */
  readonly witnesses?: number;
  readonly seed?: number;
  /** Reuse keys across fixtures (generated when absent). */
  readonly logSigner?: NoteSigner;
  readonly witnessSigners?: readonly NoteSigner[];
}

export interface ExportFixture {
  readonly dir: string;
  readonly logSigner: NoteSigner;
  readonly witnessSigners: readonly NoteSigner[];
  /** The export's checkpoint note as written to checkpoint.txt. */
  readonly checkpointNote: string;
  readonly root: Uint8Array;
  /** Signed notes of the earlier checkpoints, by size (what an auditor may have kept). */
  readonly earlierNotes: ReadonlyMap<number, string>;
}

/** Deterministic numbers in [0, 1) (mulberry32), so a seed gives the same log every time. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const ORGANIZATIONS = ['comisaria-norte', 'refugio-esperanza', 'fiscalia-sur', 'hospital-central'];
const SUBTYPES = [auditSubtype.create, auditSubtype.read, auditSubtype.search, auditSubtype.login];
const TYPES = [auditType.rest, auditType.userAuthentication, auditType.securityAlert];
const NOTES = ['Derivación recibida', 'Consulta de caso — niña', 'Acceso de emergencia', 'ok'];

/** A BALP-shaped AuditEvent for leaf `index`, drawn from `random`. */
export function randomAuditEvent(random: () => number, index: number): AuditEvent {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const hex = (n: number): string =>
    Math.floor(random() * 16 ** n)
      .toString(16)
      .padStart(n, '0');
  const event = buildAuditEvent({
    type: pick(TYPES),
    subtype: pick(SUBTYPES),
    action: pick(['C', 'R', 'U', 'D', 'E'] as const),
    outcome: pick(['0', '4', '8'] as const),
    ...(random() < 0.3 ? { outcomeDesc: pick(NOTES) } : {}),
    recorded: new Date(BASE_TIME + index * 1000),
    agents: [{ reference: `Organization/${pick(ORGANIZATIONS)}`, display: pick(NOTES) }],
    entities: [{ identifier: { system: PSEUDONYMS, value: hex(12) } }],
    requestId: `${hex(8)}-${hex(4)}`,
  });
  return { ...event, id: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}` };
}

/** Every complete subtree hash, one contiguous buffer per level: a NodeReader for proofs. */
class MemoryTree {
  private readonly levels: Buffer[] = [];
  range: CompactRange = EMPTY_RANGE;

  append(leaf: Uint8Array): void {
    const { range, completed } = appendLeaf(this.range, leaf);
    this.range = range;
    for (const node of completed) this.store(node);
  }

  readonly read: NodeReader = (keys) =>
    Promise.resolve(
      keys.map((key) => {
        const start = key.index * HASH_SIZE;
        return new Uint8Array(this.levels[key.level]!.subarray(start, start + HASH_SIZE));
      }),
    );

  private store(node: TreeNode): void {
    let level = this.levels[node.level] ?? Buffer.alloc(64 * HASH_SIZE);
    if ((node.index + 1) * HASH_SIZE > level.length) {
      const grown = Buffer.alloc(level.length * 2);
      level.copy(grown);
      level = grown;
    }
    level.set(node.hash, node.index * HASH_SIZE);
    this.levels[node.level] = level;
  }
}

export const canonicalOf = (event: AuditEvent): string =>
  canonicalJson(event as unknown as JsonValue);

const signCheckpoint = (signer: NoteSigner, size: number, rootHash: Uint8Array): string =>
  signNote(formatCheckpoint({ origin: FIXTURE_ORIGIN, size, rootHash }), [signer]);

/** A checkpoint note signed by `signer` and cosigned by each witness. */
export function cosignedCheckpoint(
  signer: NoteSigner,
  witnesses: readonly NoteSigner[],
  size: number,
  rootHash: Uint8Array,
): string {
  const text = formatCheckpoint({ origin: FIXTURE_ORIGIN, size, rootHash });
  const lines = witnesses.map((witness) => cosign(text, witness, COSIGNED_AT));
  return `${signNote(text, [signer])}${lines.join('')}`;
}

export const newLogSigner = (name = 'enlace.example.org/audit-log'): NoteSigner =>
  parseSignerKey(generateNoteKey(name).signerKey);

export const newWitnessSigner = (name: string): NoteSigner =>
  parseSignerKey(generateCosignerKey(name).signerKey);

/** Writes the log's entries, complete or filtered; returns the tree and the earlier notes. */
async function writeEntries(
  writer: ExportWriter,
  options: ExportFixtureOptions,
  signer: NoteSigner,
): Promise<{ tree: MemoryTree; earlierNotes: Map<number, string> }> {
  const random = seededRandom(options.seed ?? 1);
  const wanted = new Set(options.indexes ?? []);
  const checkpointSizes = new Set(options.checkpointSizes ?? []);
  const kept = new Map<number, string>();
  const earlierNotes = new Map<number, string>();
  const tree = new MemoryTree();
  for (let index = 0; index < options.size; index += 1) {
    const canonical = canonicalOf(randomAuditEvent(random, index));
    tree.append(leafHash(Buffer.from(canonical, 'utf8')));
    if (options.indexes === undefined) await writer.writeEntry(canonical, index);
    else if (wanted.has(index)) kept.set(index, canonical);
    if (checkpointSizes.has(tree.range.size)) {
      earlierNotes.set(
        tree.range.size,
        signCheckpoint(signer, tree.range.size, compactRangeRoot(tree.range)),
      );
    }
  }
  for (const [index, canonical] of kept) {
    await writer.writeEntry(canonical, index, await inclusionProof(index, options.size, tree.read));
  }
  return { tree, earlierNotes };
}

/** Writes an export of a fresh random log into `dir` (which must not exist yet). */
export async function writeExportFixture(
  dir: string,
  options: ExportFixtureOptions,
): Promise<ExportFixture> {
  const logSigner = options.logSigner ?? newLogSigner();
  const witnessSigners =
    options.witnessSigners ??
    Array.from({ length: options.witnesses ?? 0 }, (_, i) =>
      newWitnessSigner(`witness-${i}.example.org`),
    );
  const writer = await createExportWriter(dir, { complete: options.indexes === undefined });
  const { tree, earlierNotes } = await writeEntries(writer, options, logSigner);
  const root = compactRangeRoot(tree.range);
  for (const size of [...earlierNotes.keys()]
    .filter((s) => s < options.size)
    .sort((a, b) => a - b)) {
    const proof = await consistencyProof(size, options.size, tree.read);
    await writer.writeConsistency({ size, root: await rootAt(size, tree.read), proof });
  }
  const checkpointNote = cosignedCheckpoint(logSigner, witnessSigners, options.size, root);
  await writer.finish({
    transactionTime: new Date(BASE_TIME).toISOString(),
    request: 'https://gateway.example.org/fhir/AuditEvent/$export',
    filter: options.indexes === undefined ? {} : { _since: '2025-01-01T00:00:00Z' },
    checkpointNote,
  });
  return { dir, logSigner, witnessSigners, checkpointNote, root, earlierNotes };
}
