// Hands out leaf-hashes.bin one hash at a time, awaiting the disk only once per block.
import { readLeafHashBlocks, type ExportFile } from '../export-format/index.js';
import { HASH_SIZE } from '../merkle/index.js';

export class LeafHashCursor {
  private readonly blocks: AsyncGenerator<Buffer, void>;
  private block: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(file: ExportFile) {
    this.blocks = readLeafHashBlocks(file);
  }

  /** The next hash, or undefined at the end of the file. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.offset === this.block.length) {
      const next = await this.blocks.next();
      if (next.done === true) return undefined;
      this.block = next.value;
      this.offset = 0;
    }
    return this.take();
  }

  /** The next hash if it is already read (no await): the fast path of a million-line walk. */
  take(): Uint8Array | undefined {
    if (this.offset === this.block.length) return undefined;
    const hash = this.block.subarray(this.offset, this.offset + HASH_SIZE);
    this.offset += HASH_SIZE;
    return hash;
  }

  async close(): Promise<void> {
    await this.blocks.return();
  }
}
