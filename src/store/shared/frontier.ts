// The log's frontier (its compact range) as stored beside the counter: a JSON list of base64 hashes.
import { compactRangeFrom, type CompactRange } from '../../audit/merkle/index.js';
import { StoreError } from '../store-error.js';

export const encodeFrontier = (range: CompactRange): string =>
  JSON.stringify(range.hashes.map((hash) => Buffer.from(hash).toString('base64')));

/** The compact range of a log of `size` leaves; a frontier that does not fit the size is refused. */
export function decodeFrontier(size: number, text: string): CompactRange {
  let hashes: Uint8Array[];
  try {
    hashes = (JSON.parse(text) as string[]).map(
      (hash) => new Uint8Array(Buffer.from(hash, 'base64')),
    );
    return compactRangeFrom(size, hashes);
  } catch (cause) {
    throw new StoreError(
      'ENLACE_STORE_LEDGER_CORRUPT',
      `the audit log's frontier does not fit its size ${size}`,
      {
        cause,
      },
    );
  }
}
