// An append-only file written in large blocks: created 0600, never overwriting an existing file.
import { open, type FileHandle } from 'node:fs/promises';

const FLUSH_BYTES = 1024 * 1024;

export class FileSink {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  private constructor(private readonly handle: FileHandle) {}

  /** Why `wx` and 0600: an export holds audit records; it must not join or clobber another file. */
  static async create(path: string): Promise<FileSink> {
    const handle = await open(path, 'wx', 0o600);
    // Why chmod too: the mode given to open is filtered through the process umask.
    await handle.chmod(0o600);
    return new FileSink(handle);
  }

  /** Buffers `chunk`, writing to disk once a block is full; await it before the next call. */
  async write(chunk: string | Uint8Array): Promise<void> {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  /** Writes what is buffered, syncs and closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }

  /** Closes without writing what is buffered (the export is being abandoned). */
  async discard(): Promise<void> {
    this.pending = [];
    await this.handle.close();
  }

  private async flush(): Promise<void> {
    const block = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    // A write may take fewer bytes than offered; loop until the block is all on disk.
    for (let offset = 0; offset < block.length;) {
      const { bytesWritten } = await this.handle.write(block, offset, block.length - offset);
      offset += bytesWritten;
    }
  }
}
