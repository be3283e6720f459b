// Inclusion and consistency proofs of the stored log, refused cleanly for sizes and indexes it cannot prove.
import type { Kysely } from 'kysely';
import { GatewayError } from '../../kernel/index.js';
import type { Database } from '../../store/index.js';
import { nodeReader, readLogHead } from '../ledger/index.js';
import { consistencyProof, inclusionProof } from '../merkle/index.js';
import { checkWithinLog } from './read-proof-query.js';

const b64 = (hash: Uint8Array): string => Buffer.from(hash).toString('base64');

export interface InclusionAnswer {
  readonly index: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly proof: readonly string[];
}

export interface ConsistencyAnswer {
  readonly first: number;
  readonly second: number;
  readonly proof: readonly string[];
}

export async function proveInclusion(
  db: Kysely<Database>,
  request: { readonly index?: number; readonly leafHash?: Uint8Array; readonly treeSize: number },
): Promise<InclusionAnswer> {
  const head = await readLogHead(db);
  checkWithinLog(request.treeSize, head.size, 'size');
  const index = request.index ?? (await indexOfLeaf(db, request.leafHash));
  if (index >= request.treeSize) {
    throw new GatewayError(
      'ENLACE_AUDIT_PROOF_UNAVAILABLE',
      `Leaf ${index} is not in a tree of size ${request.treeSize}.`,
      { expression: ['index'] },
    );
  }
  const read = nodeReader(db);
  const [leaf] = await read([{ level: 0, index }]);
  const proof = await inclusionProof(index, request.treeSize, read);
  return {
    index,
    treeSize: request.treeSize,
    leafHash: b64(leaf ?? new Uint8Array()),
    proof: proof.map(b64),
  };
}

export async function proveConsistency(
  db: Kysely<Database>,
  first: number,
  second: number,
): Promise<ConsistencyAnswer> {
  const head = await readLogHead(db);
  checkWithinLog(second, head.size, 'to');
  // Why refuse 0 and from > to: RFC 9162 defines a consistency proof only for 0 < m ≤ n.
  if (first === 0 || first > second) {
    throw new GatewayError('ENLACE_INVALID_PARAMETER', 'from must be at least 1 and at most to.', {
      expression: ['from'],
    });
  }
  const proof = await consistencyProof(first, second, nodeReader(db));
  return { first, second, proof: proof.map(b64) };
}

async function indexOfLeaf(
  db: Kysely<Database>,
  leafHash: Uint8Array | undefined,
): Promise<number> {
  if (leafHash?.length !== 32) {
    throw new GatewayError(
      'ENLACE_INVALID_PARAMETER',
      'Give index, or leaf_hash as 32 octets in base64.',
      {
        expression: ['leaf_hash'],
      },
    );
  }
  const row = await db
    .selectFrom('audit_tree_node')
    .select('idx')
    .where('level', '=', 0)
    .where('hash', '=', leafHash)
    .orderBy('idx')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) {
    throw new GatewayError(
      'ENLACE_AUDIT_PROOF_UNAVAILABLE',
      'No entry of the log has this leaf hash.',
      {
        expression: ['leaf_hash'],
      },
    );
  }
  return row.idx;
}
