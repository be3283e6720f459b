// Streams leaf-hashes.bin: the 32-octet leaf hash of index 0, 1, 2, … concatenated, nothing else.
import { HASH_SIZE } from '../merkle/index.js';
import { ExportFormatError } from './export-format-error.js';
import type { ExportFile } from './export-paths.js';

const BLOCK_HASHES = 32 * 1024;

/**
 * The hashes in index order, in blocks of whole hashes (HASH_SIZE bytes each, at most 32 Ki of
 * them); ERR_EXPORT_FILE_UNREADABLE if the file is not whole hashes.
 */
export async function* readLeafHashBlocks(
  file: ExportFile,
): AsyncGenerator<Buffer, void, undefined> {
  if (file.size % BigInt(HASH_SIZE) !== 0n) {
    throw new ExportFormatError('ERR_EXPORT_FILE_UNREADABLE', {
      detail: `${file.name}: its size is not a multiple of ${HASH_SIZE} bytes`,
    });
  }
  for (let position = 0; ;) {
    // A fresh block each time: the hashes handed out stay valid while the caller holds them.
    const block = Buffer.allocUnsafe(BLOCK_HASHES * HASH_SIZE);
    const filled = await fill(file, block, position);
    if (filled === 0) return;
    // Why: a file that changed under us could end mid-hash; never hand out a short one.
    if (filled % HASH_SIZE !== 0) {
      throw new ExportFormatError('ERR_EXPORT_FILE_UNREADABLE', {
        detail: `${file.name}: ends inside a hash`,
      });
    }
    yield block.subarray(0, filled);
    position += filled;
  }
}

/** The hashes one by one; see readLeafHashBlocks. */
export async function* readLeafHashes(
  file: ExportFile,
): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const block of readLeafHashBlocks(file)) {
    for (let offset = 0; offset < block.length; offset += HASH_SIZE) {
      yield block.subarray(offset, offset + HASH_SIZE);
    }
  }
}

/** Reads until `block` is full or the file ends; a read may return fewer bytes than asked. */
async function fill(file: ExportFile, block: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < block.length) {
    const { bytesRead } = await file.handle.read(
      block,
      filled,
      block.length - filled,
      position + filled,
    );
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
