// One round of a witness: fetch the latest checkpoint, check it against the last one cosigned, cosign it.
import { verifyConsistency } from '../merkle/index.js';
import {
  cosign,
  openNote,
  parseCheckpoint,
  type NoteSigner,
  type NoteVerifier,
} from '../note/index.js';
import { readWitnessState, writeWitnessState } from './witness-state.js';

export type WitnessVerdict =
  | { readonly outcome: 'cosigned'; readonly size: number; readonly from?: number }
  | { readonly outcome: 'unchanged'; readonly size: number };

/** A view of the log that contradicts one this witness vouched for: a split view or a rewrite. */
export class WitnessAlarm extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WitnessAlarm';
  }
}

export interface WitnessDeps {
  /** The gateway's base URL (without /audit). */
  readonly gateway: string;
  readonly logKey: NoteVerifier;
  readonly witnessKey: NoteSigner;
  readonly statePath: string;
  readonly fetch: typeof fetch;
  readonly now: () => Date;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

async function getText(deps: WitnessDeps, path: string): Promise<string> {
  const res = await deps.fetch(`${deps.gateway}${path}`);
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
  return res.text();
}

/**
 * Why each check: a checkpoint not signed by the log key is not the log's; a smaller size than
 * the one cosigned is a rollback; the same size with another root is a split view; a larger size
 * without a valid consistency proof is a rewritten history. Any of them raises WitnessAlarm.
 */
export async function witnessOnce(deps: WitnessDeps): Promise<WitnessVerdict> {
  const note = await getText(deps, '/audit/checkpoint');
  let text: string;
  try {
    text = openNote(note, [deps.logKey]).text;
  } catch {
    throw new WitnessAlarm('the checkpoint the gateway served is not signed by the log key');
  }
  const checkpoint = parseCheckpoint(text);
  if (checkpoint.origin !== deps.logKey.name) {
    throw new WitnessAlarm(
      `the checkpoint names origin ${checkpoint.origin}, not ${deps.logKey.name}`,
    );
  }
  const last = await readWitnessState(deps.statePath);
  const root = b64(checkpoint.rootHash);
  if (last !== undefined) {
    if (checkpoint.size < last.size) {
      throw new WitnessAlarm(
        `ROLLBACK: the log went back from size ${last.size} to ${checkpoint.size}`,
      );
    }
    if (checkpoint.size === last.size) {
      if (root !== last.rootHash) {
        throw new WitnessAlarm(
          `SPLIT VIEW: two checkpoints of size ${last.size} with different roots (${last.rootHash} cosigned, ${root} served)`,
        );
      }
      return { outcome: 'unchanged', size: last.size };
    }
    const answer = JSON.parse(
      await getText(deps, `/audit/proof/consistency?from=${last.size}&to=${checkpoint.size}`),
    ) as { proof?: unknown };
    const proof = Array.isArray(answer.proof)
      ? answer.proof.map((hash) => bytes(String(hash)))
      : [];
    if (
      !verifyConsistency(
        last.size,
        checkpoint.size,
        proof,
        bytes(last.rootHash),
        checkpoint.rootHash,
      )
    ) {
      throw new WitnessAlarm(
        `INCONSISTENT: the checkpoint of size ${checkpoint.size} does not extend the one of size ${last.size} cosigned before`,
      );
    }
  }
  await writeWitnessState(deps.statePath, { note: text, size: checkpoint.size, rootHash: root });
  const line = cosign(text, deps.witnessKey, Math.floor(deps.now().getTime() / 1000));
  const res = await deps.fetch(
    `${deps.gateway}/audit/checkpoints/${checkpoint.size}/cosignatures`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ cosignature: line }),
    },
  );
  if (res.status !== 201)
    throw new Error(`the gateway refused the cosignature: ${res.status} ${await res.text()}`);
  return {
    outcome: 'cosigned',
    size: checkpoint.size,
    ...(last === undefined ? {} : { from: last.size }),
  };
}
