// Streams an NDJSON file as byte lines, bounded in length, each ended by LF and valid UTF-8.
import { isUtf8 } from 'node:buffer';
import { MAX_LINE_BYTES } from './export-limits.js';
import { ExportFormatError } from './export-format-error.js';
import type { ExportFile } from './export-paths.js';

const LF = 0x0a;
const CHUNK_BYTES = 1024 * 1024;

export interface ExportLine {
  /** 1-based line number in the file. */
  readonly number: number;
  /** The line's bytes without its LF: what a leaf hash is computed over. */
  readonly bytes: Buffer;
  /** The same bytes decoded (they are checked to be well-formed UTF-8). */
  readonly text: string;
}

const lineError = (file: ExportFile, number: number, why: string): ExportFormatError =>
  new ExportFormatError('ERR_EXPORT_LINE_INVALID', {
    line: number,
    detail: `${file.name} line ${number}: ${why}`,
  });

/** The line, or the refusal of it. */
function toLine(file: ExportFile, number: number, bytes: Buffer): ExportLine | ExportFormatError {
  // Why strict: a lossy decoder would turn bad bytes into U+FFFD, so the text checked would not be
  // the bytes hashed; and an empty line is no JSON text.
  if (bytes.length === 0) return lineError(file, number, 'empty line');
  if (!isUtf8(bytes)) return lineError(file, number, 'not UTF-8');
  return { number, bytes, text: bytes.toString('utf8') };
}

/**
 * The lines of `file`, in order, in batches (one per chunk read, so a million lines cost a few
 * hundred awaits). Throws ERR_EXPORT_LINE_INVALID for a line over `maxLineBytes` (before
 * buffering more of it), an empty line, invalid UTF-8, or a last line without LF. Why not
 * node:readline: it buffers a line of any length and decodes invalid UTF-8 lossily, so the
 * text checked would not be the bytes hashed.
 */
export async function* readLineBatches(
  file: ExportFile,
  maxLineBytes: number = MAX_LINE_BYTES,
): AsyncGenerator<ExportLine[], void, undefined> {
  const stream = file.handle.createReadStream({ highWaterMark: CHUNK_BYTES, autoClose: false });
  let carry: Buffer[] = [];
  let carried = 0;
  let number = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const batch: ExportLine[] = [];
      let start = 0;
      for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, start)) {
        number += 1;
        const piece = chunk.subarray(start, end);
        const bytes = carried === 0 ? piece : Buffer.concat([...carry, piece]);
        carry = [];
        carried = 0;
        const line =
          bytes.length > maxLineBytes
            ? lineError(file, number, 'too long')
            : toLine(file, number, bytes);
        if (line instanceof ExportFormatError) {
          // Why yield the good lines first: the caller checks them in order, so a worse problem
          // earlier in this chunk (a line that does not match its leaf) is still found first.
          if (batch.length > 0) yield batch;
          throw line;
        }
        batch.push(line);
        start = end + 1;
      }
      const rest = chunk.subarray(start);
      carried += rest.length;
      if (carried > maxLineBytes) throw lineError(file, number + 1, 'too long');
      if (rest.length > 0) carry.push(rest);
      if (batch.length > 0) yield batch;
    }
  } finally {
    stream.destroy();
  }
  // Why: a file cut short mid-line must not pass for one with a last line missing nothing.
  if (carried > 0) throw lineError(file, number + 1, 'no newline at the end of the file');
}

/** The lines of `file` one by one; see readLineBatches. */
export async function* readLines(
  file: ExportFile,
  maxLineBytes: number = MAX_LINE_BYTES,
): AsyncGenerator<ExportLine, void, undefined> {
  for await (const batch of readLineBatches(file, maxLineBytes)) yield* batch;
}
